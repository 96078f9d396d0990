// One measurement of one monitoring mode of the network benchmark (paper Figure 4 / Figure 7):
// start Bookinfo + load + that mode's monitoring on the bench network, warm up, count monitoring
// bytes per node and CPU/RSS per process over the window, stop everything.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildDispatcherConfig } from '../../up/dispatchers.ts';
import { findFreePort } from '../../up/ports.ts';
import { buildPrometheusConfig } from '../../up/prometheus.ts';
import { dispatcherArgv, functionArgv } from '../../up/argv.ts';
import type { Child, Supervisor } from '../../up/supervisor.ts';
import { federatedQueries, SIDECAR_MATCH } from '../stack.ts';
import { BOOKINFO, FEDERATIONS } from '../topology.ts';
import type { BenchNet, NodeBytes } from './net.ts';
import { cpuMs, rssBytes } from './procstat.ts';

export const MODES = ['none', 'centralized', 'sidecar', 'federated'] as const;
export type Mode = (typeof MODES)[number];

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SERVE = here('../serve.ts');
const LOAD = here('./load-main.ts');
const TICK = here('./tick.ts');
const MINI_PROM = here('../../up/mini-prom/main.ts');
const INJECT = here('./inject.ts');

export interface ModeOptions {
  net: BenchNet;
  supervisor: Supervisor;
  workDir: string;
  /** Path of the prometheus binary, or 'built-in' for the stand-in. */
  prometheus: string;
  durationMs: number;
  warmupMs: number;
  intervalMs: number;
  rps: number;
  triggerSchedule: string;
  /** Inject the demo's service incidents during the measurement window (same schedule in every mode). */
  incidents?: boolean;
}

/** --incidents: what, where, and when as fractions of the measurement window. */
export const BENCH_INCIDENTS = [
  { kind: 'latency', pod: 'reviews-v2', at: 0.1 },
  { kind: 'errors', pod: 'details', at: 0.4 },
  { kind: 'leak', pod: 'reviews-v3', at: 0.7 },
] as const;
export const INCIDENT_FRACTION = 0.2;

export interface ComponentCost {
  component: string;
  count: number;
  /** Mean CPU per process, ms of CPU per second. */
  cpuMsPerSec: number;
  /** Mean of the per-process median RSS, MB. */
  rssMb: number;
}

export interface ModeMeasurement {
  mode: Mode;
  seconds: number;
  /** Monitoring bytes/s the app pods sent (sum over pods). */
  appBytesPerSec: number;
  /** Bytes/s into the central control plane. */
  centralBytesPerSec: number;
  /** All bytes/s the pods sent, app traffic included (netns only): the paper's raw pods_tx. */
  podTotalTxBytesPerSec?: number;
  components: ComponentCost[];
}

export const podNode = (name: string) => name;

/** In the benchmark every pod is monitored by the mode under test: in federated mode, the reviews
 * versions form one federation and productpage, details and ratings the other (paper: 2 federations). */
export const benchFederation = (pod: string): string => (pod.startsWith('reviews') ? FEDERATIONS[1] : FEDERATIONS[0]);
export const fedNode = (fed: string) => `fed-${fed}`;

export async function measureMode(mode: Mode, o: ModeOptions): Promise<ModeMeasurement> {
  const dir = join(o.workDir, mode);
  mkdirSync(dir, { recursive: true });
  const procs: { component: string; child: Child }[] = [];
  const start = (component: string, node: string, name: string, argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const child = o.supervisor.start({ name: `${mode}-${name}`, argv: o.net.wrap(node, argv), env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    procs.push({ component, child });
    return child;
  };
  const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;
  try {
    // Bookinfo and its load
    const ports: Record<string, number> = {};
    for (const s of BOOKINFO) ports[s.name] = await findFreePort();
    const peers = BOOKINFO.flatMap((s) => ['--peer', `${s.name}=${o.net.appUrl(podNode(s.name), ports[s.name])}`]);
    for (const s of BOOKINFO) start('app pod', podNode(s.name), s.name, [process.execPath, SERVE, '--name', s.name, '--port', String(ports[s.name]), '--host', o.net.bindHost(podNode(s.name)), ...peers]);
    for (const s of BOOKINFO) await o.net.waitReady(podNode(s.name), [`http://127.0.0.1:${ports[s.name]}/healthz`]);
    start('load client', 'client', 'load', [process.execPath, LOAD, `${o.net.appUrl('productpage', ports.productpage)}/productpage`, String(o.rps)]);

    let sinkPort = 0;
    if (mode === 'sidecar' || mode === 'federated') {
      sinkPort = await findFreePort();
      start('alert-forwarder (central)', 'central', 'alert-forwarder', functionArgv('alert-forwarder', sinkPort), { ALERT_LOG_FILE: join(dir, 'alerts.jsonl') });
      await o.net.waitReady('central', [`http://127.0.0.1:${sinkPort}/health/readiness`]);
    }

    if (mode === 'centralized') {
      const targets = await Promise.all(BOOKINFO.map(async (s) => ({ url: `${await o.net.monUrl('central', podNode(s.name), ports[s.name])}/metrics`, labels: { pod: s.name } })));
      const promPort = await findFreePort();
      await startPrometheus(o, dir, 'central', 'prometheus (central)', 'central', targets, promPort, start);
    }

    if (mode === 'sidecar') {
      for (const s of BOOKINFO) {
        const sink = await o.net.monUrl(podNode(s.name), 'central', sinkPort);
        const config = join(dir, `dispatcher-${s.name}.yaml`);
        writeFileSync(config, buildDispatcherConfig({ metricsUrl: `http://127.0.0.1:${ports[s.name]}/metrics`, intervalMs: o.intervalMs, sinkUrl: `${sink}/`, detectors: [{ name: 'zscore', match: SIDECAR_MATCH, params: { threshold: 5 } }] }));
        start('dispatcher (per pod)', podNode(s.name), `dispatcher-${s.name}`, dispatcherArgv(config), { POD_NAME: s.name, POD_NAMESPACE: 'bookinfo', K_SINK: `${sink}/` });
      }
    }

    if (mode === 'federated') {
      for (const fed of FEDERATIONS) {
        const node = fedNode(fed);
        const members = BOOKINFO.filter((s) => benchFederation(s.name) === fed);
        const targets = await Promise.all(members.map(async (s) => ({ url: `${await o.net.monUrl(node, podNode(s.name), ports[s.name])}/metrics`, labels: { pod: s.name } })));
        const promPort = await findFreePort();
        await startPrometheus(o, dir, fed, 'prometheus (federation)', node, targets, promPort, start);
        const detectorPort = await findFreePort();
        start('detector function', node, `detector-${fed}`, functionArgv('detector-zscore', detectorPort), { DEUCALION_DETECTOR_PARAMS: JSON.stringify({ threshold: 5 }) });
        const sink = await o.net.monUrl(node, 'central', sinkPort);
        const triggerPort = await findFreePort();
        const config = join(dir, `scrape-trigger-${fed}.yaml`);
        writeFileSync(
          config,
          stringify({
            federation: fed,
            prometheus: { url: `http://127.0.0.1:${promPort}` },
            window: '1m',
            step: seconds(o.intervalMs),
            queries: federatedQueries(seconds(Math.max(5 * o.intervalMs, 5000))),
            detectors: { baseUrl: `http://127.0.0.1:${detectorPort}/` },
            sink: { url: `${sink}/` },
          }),
        );
        start('scrape-trigger', node, `scrape-trigger-${fed}`, functionArgv('scrape-trigger', triggerPort, config), { K_SINK: `${sink}/` });
        await o.net.waitReady(node, [`http://127.0.0.1:${detectorPort}/health/readiness`, `http://127.0.0.1:${triggerPort}/health/liveness`]);
        start('cron tick', node, `tick-${fed}`, [process.execPath, TICK, `http://127.0.0.1:${triggerPort}/`, o.triggerSchedule]);
      }
    }

    await sleep(o.warmupMs);
    for (const p of procs) if (p.child.process.exitCode !== null) throw new Error(`${p.child.name} exited (${p.child.process.exitCode}): ${p.child.tail().split('\n').slice(-12).join(' | ')}`);
    const bytes0 = await o.net.monitoringBytes();
    const app0 = await o.net.appBytes();
    const cpu0 = procs.map((p) => cpuMs(p.child.pid));
    const rss: number[][] = procs.map(() => []);
    const t0 = performance.now();
    const sampler = setInterval(() => procs.forEach((p, i) => rss[i].push(rssBytes(p.child.pid))), 1000);
    const injections = o.incidents
      ? BENCH_INCIDENTS.map((inc) =>
          setTimeout(() => {
            const ms = String(Math.round(o.durationMs * INCIDENT_FRACTION));
            o.supervisor.start({ name: `${mode}-inject-${inc.kind}`, argv: o.net.wrap(podNode(inc.pod), [process.execPath, INJECT, `http://127.0.0.1:${ports[inc.pod]}`, inc.kind, ms]) });
          }, o.durationMs * inc.at),
        )
      : [];
    await sleep(o.durationMs);
    clearInterval(sampler);
    injections.forEach(clearTimeout);
    const secs = (performance.now() - t0) / 1000;
    const cpu1 = procs.map((p) => cpuMs(p.child.pid));
    const bytes1 = await o.net.monitoringBytes();
    const app1 = await o.net.appBytes();
    for (const p of procs) if (p.child.process.exitCode !== null) throw new Error(`${p.child.name} exited during the measurement: ${p.child.tail().split('\n').slice(-12).join(' | ')}`);

    const delta = (a: Map<string, NodeBytes>, b: Map<string, NodeBytes>, node: string, dir: 'tx' | 'rx') => (b.get(node)?.[dir] ?? 0) - (a.get(node)?.[dir] ?? 0);
    const podTx = BOOKINFO.reduce((n, s) => n + delta(bytes0, bytes1, podNode(s.name), 'tx'), 0);
    const central = delta(bytes0, bytes1, 'central', 'rx');
    const podAppTx = BOOKINFO.reduce((n, s) => n + delta(app0, app1, podNode(s.name), 'tx'), 0);
    const components = new Map<string, { cpu: number[]; rss: number[] }>();
    procs.forEach((p, i) => {
      if (p.component === 'load client' || p.component === 'cron tick') return;
      const c = components.get(p.component) ?? { cpu: [], rss: [] };
      c.cpu.push((cpu1[i] - cpu0[i]) / secs);
      c.rss.push(median(rss[i].filter((x) => !Number.isNaN(x))));
      components.set(p.component, c);
    });
    return {
      mode,
      seconds: secs,
      appBytesPerSec: podTx / secs,
      centralBytesPerSec: central / secs,
      podTotalTxBytesPerSec: o.net.kind === 'netns' ? (podTx + podAppTx) / secs : undefined,
      components: [...components].map(([component, c]) => ({ component, count: c.cpu.length, cpuMsPerSec: mean(c.cpu), rssMb: mean(c.rss) / 1e6 })),
    };
  } finally {
    await Promise.all(procs.map((p) => o.supervisor.stop(p.child, 3000)));
    await o.net.closeLinks();
  }
}

type Start = (component: string, node: string, name: string, argv: string[], env?: NodeJS.ProcessEnv) => Child;

async function startPrometheus(o: ModeOptions, dir: string, name: string, component: string, node: string, targets: { url: string; labels: Record<string, string> }[], port: number, start: Start): Promise<void> {
  const promDir = join(dir, `prometheus-${name}`);
  mkdirSync(join(promDir, 'data'), { recursive: true });
  writeFileSync(join(promDir, 'prometheus.yml'), buildPrometheusConfig(name, targets, o.intervalMs));
  const argv =
    o.prometheus === 'built-in'
      ? [process.execPath, MINI_PROM, '--port', String(port), '--job', name, '--interval-ms', String(o.intervalMs), ...targets.flatMap((t) => ['--target', `${t.labels.pod}=${t.url}`])]
      : [o.prometheus, `--config.file=${join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  start(component, node, `prometheus-${name}`, argv);
  await o.net.waitReady(node, [`http://127.0.0.1:${port}/-/ready`]);
  await o.net.waitReady(node, [`http://127.0.0.1:${port}/api/v1/targets`], 60_000);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
