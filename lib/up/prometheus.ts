// One Prometheus per federation, scraping only that federation's services. The real `prometheus`
// binary when it is on PATH; otherwise the built-in stand-in (lib/up/mini-prom), which scrapes the
// same targets and answers the query API subset the scrape-trigger uses — and says so.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findExecutable } from './binaries.ts';
import { startMiniProm } from './mini-prom/server.ts';
import { findFreePort, waitForReady } from './ports.ts';
import type { Supervisor } from './supervisor.ts';

export interface ScrapeTarget {
  /** Metrics URL of the app. */
  url: string;
  labels: Record<string, string>;
}

export interface FederationPrometheus {
  readonly name: string;
  readonly url: string;
  readonly kind: 'prometheus' | 'built-in';
  readonly pid?: number;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  supervisor: Supervisor;
  workDir: string;
  scrapeIntervalMs: number;
  /** Force the built-in stand-in even when prometheus is installed. */
  builtIn?: boolean;
  /** Port to listen on (0 or absent: any free one). */
  port?: number;
  /** Child name prefix in logs. */
  label?: string;
}

export function prometheusBinary(): string | undefined {
  return findExecutable(['prometheus']);
}

/** Prometheus config for a set of targets: one static_config per target so each keeps its labels and path. */
export function buildPrometheusConfig(job: string, targets: ScrapeTarget[], scrapeIntervalMs: number): string {
  const interval = `${Math.max(1, Math.round(scrapeIntervalMs / 1000))}s`;
  const byPath = new Map<string, ScrapeTarget[]>();
  for (const t of targets) {
    const path = new URL(t.url).pathname;
    byPath.set(path, [...(byPath.get(path) ?? []), t]);
  }
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [...byPath].map(([path, list], i) => ({
      job_name: i === 0 ? job : `${job}-${i}`,
      metrics_path: path,
      static_configs: list.map((t) => ({ targets: [new URL(t.url).host], labels: t.labels })),
    })),
  });
}

export async function startFederationPrometheus(name: string, targets: ScrapeTarget[], options: PrometheusOptions): Promise<FederationPrometheus> {
  const binary = options.builtIn ? undefined : prometheusBinary();
  const port = options.port || (await findFreePort());
  if (!binary) {
    const mini = await startMiniProm({ job: name, targets, scrapeIntervalMs: options.scrapeIntervalMs, port });
    return { name, url: mini.url, kind: 'built-in', stop: () => mini.close() };
  }
  const dir = join(options.workDir, `prometheus-${name}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, buildPrometheusConfig(name, targets, options.scrapeIntervalMs));
  const child = options.supervisor.start({
    name: `${options.label ?? 'prometheus'}-${name}`,
    argv: [
      binary,
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
    ],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(`${url}/-/ready`, {
    timeoutMs: 30_000,
    intervalMs: 100,
    abort: () => (child.process.exitCode !== null ? `prometheus for ${name} exited (${child.process.exitCode}):\n${child.tail()}` : undefined),
  });
  return { name, url, kind: 'prometheus', pid: child.pid, stop: () => options.supervisor.stop(child) };
}
