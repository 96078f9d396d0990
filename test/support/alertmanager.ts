// Run the real Prometheus Alertmanager for a test: free port, a config the test writes, a temp storage
// dir, clustering off. stop()/start() keep the port and storage (an outage), close() removes it all.
// Also a webhook receiver that records Alertmanager's notifications (firing and resolved).
//
//   const bin = requireBinary('alertmanager');
//   const am = await startAlertmanager({ binary: bin, config: { groupBy: ['federation'] } });
//   await am.waitForAlerts((alerts) => alerts.length === 1);
//   await am.close();
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BINARIES, findBinary } from './binaries.ts';
import { freePort, poll, stopGracefully } from './process.ts';

/** An alert as GET /api/v2/alerts returns it (the fields tests look at). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
  receivers: { name: string }[];
}

export interface AlertGroup {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: GettableAlert[];
}

export interface AlertmanagerConfigOptions {
  /** Route grouping labels; default ['alertname']. */
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** Add a webhook receiver (send_resolved: true) as the default receiver. */
  webhookUrl?: string;
}

/** A small, fast Alertmanager config: short group timers so notifications arrive within a test. */
export function buildAlertmanagerConfig(options: AlertmanagerConfigOptions = {}): string {
  const receiver = options.webhookUrl
    ? { name: 'default', webhook_configs: [{ url: options.webhookUrl, send_resolved: true }] }
    : { name: 'default' };
  return stringify({
    route: {
      receiver: 'default',
      group_by: options.groupBy ?? ['alertname'],
      group_wait: options.groupWait ?? '200ms',
      group_interval: options.groupInterval ?? '1s',
      repeat_interval: options.repeatInterval ?? '1h',
    },
    receivers: [receiver],
  });
}

export interface StartAlertmanagerOptions {
  /** YAML text, or options for buildAlertmanagerConfig. */
  config?: string | AlertmanagerConfigOptions;
  port?: number;
  /** Path of the binary; default the first of BINARIES.alertmanager found on PATH. */
  binary?: string;
  /** Extra command-line flags. */
  args?: string[];
  readyTimeoutMs?: number;
}

export interface RunningAlertmanager {
  /** Base URL, e.g. http://127.0.0.1:PORT (what ALERTMANAGER_URL takes). */
  readonly url: string;
  readonly port: number;
  /** Temp dir holding the config file and the storage dir. */
  readonly dir: string;
  readonly configFile: string;
  /** GET /api/v2/alerts with query parameters (e.g. { active: true, filter: ['pod="a"'] }). */
  alerts(query?: Query): Promise<GettableAlert[]>;
  /** GET /api/v2/alerts/groups. */
  groups(query?: Query): Promise<AlertGroup[]>;
  /** Poll /api/v2/alerts until `predicate` holds; returns the alerts that satisfied it. */
  waitForAlerts(predicate: (alerts: GettableAlert[]) => boolean, options?: { query?: Query; timeoutMs?: number }): Promise<GettableAlert[]>;
  running(): boolean;
  /** Stop the process (SIGTERM), keeping port, config and storage: an outage. */
  stop(): Promise<void>;
  /** Start again on the same port and wait until ready. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and delete the temp dir. */
  close(): Promise<void>;
  /** stdout+stderr of the current process, for failure messages. */
  output(): string;
}

export type Query = Record<string, string | number | boolean | string[]>;

// Never leave an Alertmanager behind when a test process exits without closing it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

export async function startAlertmanager(options: StartAlertmanagerOptions = {}): Promise<RunningAlertmanager> {
  const binary = options.binary ?? findBinary(BINARIES.alertmanager.names);
  if (!binary) throw new Error(`alertmanager not found; install it with: ${BINARIES.alertmanager.install}`);
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  const config = typeof options.config === 'string' ? options.config : buildAlertmanagerConfig(options.config);
  writeFileSync(configFile, config);
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  let out = '';

  const start = async (): Promise<void> => {
    if (child && child.exitCode === null) return;
    out = '';
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child = proc;
    live.add(proc);
    await waitReady(`${url}/-/ready`, proc, () => out, options.readyTimeoutMs ?? 20_000);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    // SIGTERM lets Alertmanager flush its storage.
    await stopGracefully(proc, 5000);
    live.delete(proc);
  };
  const get = async <T>(path: string, query?: Query): Promise<T> => {
    const res = await fetch(`${url}${path}${toQueryString(query)}`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  await start();
  return {
    url,
    port,
    dir,
    configFile,
    alerts: (query) => get<GettableAlert[]>('/api/v2/alerts', query),
    groups: (query) => get<AlertGroup[]>('/api/v2/alerts/groups', query),
    waitForAlerts: async (predicate, opts = {}) => {
      let last: GettableAlert[] = [];
      await poll(async () => predicate((last = await get<GettableAlert[]>('/api/v2/alerts', opts.query))), opts.timeoutMs ?? 20_000, () =>
        `alerts never matched; last: ${JSON.stringify(last)}`,
      );
      return last;
    },
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
  };
}

/** One notification Alertmanager POSTs to a webhook receiver (webhook payload version 4). */
export interface WebhookNotification {
  status: 'firing' | 'resolved';
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; fingerprint: string }[];
}

export interface WebhookReceiver {
  readonly url: string;
  readonly notifications: WebhookNotification[];
  /** Wait until some notification satisfies `predicate`; returns it. */
  waitFor(predicate: (n: WebhookNotification) => boolean, timeoutMs?: number): Promise<WebhookNotification>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: WebhookNotification[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        notifications.push(JSON.parse(body) as WebhookNotification);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    notifications,
    waitFor: async (predicate, timeoutMs = 20_000) => {
      let found: WebhookNotification | undefined;
      await poll(async () => (found = notifications.find(predicate)) !== undefined, timeoutMs, () =>
        `no matching notification; got: ${JSON.stringify(notifications)}`,
      );
      return found!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function toQueryString(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function waitReady(url: string, proc: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  await poll(
    async () => {
      if (proc.exitCode !== null) throw new Error(`alertmanager exited with ${proc.exitCode}:\n${output()}`);
      try {
        return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    },
    timeoutMs,
    () => `alertmanager not ready at ${url}:\n${output()}`,
  );
}
