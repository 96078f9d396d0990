// Run the real Prometheus for a test: free port, a config the test writes (or builds from targets),
// a temp --storage.tsdb.path, a short scrape interval. stop()/start() keep port, config and storage (an
// outage), close() removes it all. Also a scrape target: an HTTP server serving whatever exposition
// text the test renders at each scrape.
//
//   const bin = requireBinary('prometheus');
//   const target = await startMetricsTarget(() => `# TYPE x gauge\nx ${value}\n`);
//   const prom = await startPrometheus({ binary: bin, targets: [{ url: target.url, labels: { pod: 'a' } }] });
//   await prom.waitForQuery('x', (samples) => samples.length > 0);
//   await prom.close(); await target.close();
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createPrometheusClient, type InstantSample } from '../../lib/prometheus/index.ts';
import { BINARIES, findBinary } from './binaries.ts';
import { freePort, poll, stopGracefully } from './process.ts';

export interface PrometheusTarget {
  /** Metrics URL, e.g. http://127.0.0.1:PORT/metrics. */
  url: string;
  /** Extra target labels. */
  labels?: Record<string, string>;
}

export interface PrometheusConfigOptions {
  /** Scrape (and evaluation) interval; default '1s'. */
  scrapeInterval?: string;
  targets?: PrometheusTarget[];
  job?: string;
}

/** A small config: one job, one static_config per target (each keeps its own path and labels). */
export function buildPrometheusConfig(options: PrometheusConfigOptions = {}): string {
  const interval = options.scrapeInterval ?? '1s';
  const targets = options.targets ?? [];
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: targets.map((t, i) => {
      const url = new URL(t.url);
      return {
        job_name: `${options.job ?? 'test'}${targets.length > 1 ? `-${i}` : ''}`,
        metrics_path: url.pathname,
        static_configs: [{ targets: [url.host], labels: t.labels ?? {} }],
      };
    }),
  });
}

export interface StartPrometheusOptions extends PrometheusConfigOptions {
  /** Full YAML config instead of one built from targets. */
  config?: string;
  binary?: string;
  port?: number;
  /** Extra command-line flags. */
  args?: string[];
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  /** Base URL, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  readonly port: number;
  /** Temp dir holding the config file and the TSDB. */
  readonly dir: string;
  readonly configFile: string;
  /** Instant query (now). */
  query(expr: string): Promise<InstantSample[]>;
  /** Poll an instant query until `predicate` holds; returns the samples that satisfied it. */
  waitForQuery(expr: string, predicate: (samples: InstantSample[]) => boolean, timeoutMs?: number): Promise<InstantSample[]>;
  running(): boolean;
  /** Stop the process (SIGTERM), keeping port, config and data: an outage. */
  stop(): Promise<void>;
  /** Start again on the same port and storage; wait until ready. */
  start(): Promise<void>;
  /** Stop and delete the temp dir. */
  close(): Promise<void>;
  /** stdout+stderr of the current process. */
  output(): string;
}

// Never leave a Prometheus behind when a test process exits without closing it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<RunningPrometheus> {
  const binary = options.binary ?? findBinary(BINARIES.prometheus.names);
  if (!binary) throw new Error(`prometheus not found; install it with: ${BINARIES.prometheus.install}`);
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-prom-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, options.config ?? buildPrometheusConfig(options));
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=1d',
    '--log.level=warn',
    ...(options.args ?? []),
  ];
  const client = createPrometheusClient({ url, timeoutMs: 5000, retries: 0 });
  let child: ChildProcess | undefined;
  let out = '';

  const start = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    out = '';
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child = proc;
    live.add(proc);
    await poll(
      async () => {
        if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}:\n${out}`);
        try {
          return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
        } catch {
          return false;
        }
      },
      options.readyTimeoutMs ?? 30_000,
      () => `prometheus not ready at ${url}:\n${out}`,
    );
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    // SIGTERM lets Prometheus close its TSDB.
    await stopGracefully(proc, 10_000);
    live.delete(proc);
  };

  await start();
  return {
    url,
    port,
    dir,
    configFile,
    query: (expr) => client.query(expr),
    waitForQuery: async (expr, predicate, timeoutMs = 30_000) => {
      let last: InstantSample[] = [];
      let error = '';
      await poll(
        async () => {
          try {
            return predicate((last = await client.query(expr)));
          } catch (err) {
            error = (err as Error).message;
            return false;
          }
        },
        timeoutMs,
        () => `query ${expr} never matched; last: ${JSON.stringify(last)} ${error}`,
      );
      return last;
    },
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
  };
}

export interface MetricsTarget {
  /** http://127.0.0.1:PORT/metrics */
  readonly url: string;
  /** Scrapes served so far. */
  scrapes(): number;
  close(): Promise<void>;
}

/** An HTTP scrape target: `render()` is called at each scrape and its text served as format 0.0.4. */
export async function startMetricsTarget(render: () => string): Promise<MetricsTarget> {
  let scrapes = 0;
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(render());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    scrapes: () => scrapes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
