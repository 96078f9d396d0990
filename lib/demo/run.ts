// `deucalion demo`: Bookinfo under load with incidents on a schedule, monitored by Deucalion through
// `deucalion up` (half sidecar, half two federations), for a bounded time; ends with which incidents
// were detected, by what, how fast, and the monitoring bytes that left the pods.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUp, type RunningUp } from '../up/index.ts';
import { findFreePort } from '../up/ports.ts';
import { IncidentScorer, INCIDENT_LABEL, planIncidents, type Incident } from './incidents.ts';
import { startLoad } from './load.ts';
import { writeDemoStack, type DemoPorts } from './stack.ts';
import { BOOKINFO, FEDERATIONS } from './topology.ts';

export interface DemoOptions {
  durationMs: number;
  rps: number;
  scrapeIntervalMs: number;
  triggerSchedule: string;
  prometheus: 'auto' | 'built-in';
  alertmanager: 'auto' | 'embedded';
  out: NodeJS.WritableStream;
  tty: boolean;
  /** Resolves when the user wants to stop early (Ctrl-C). */
  interrupted?: Promise<unknown>;
  keepWorkDir?: boolean;
}

export interface DemoResult {
  durationMs: number;
  incidents: Incident[];
  detected: number;
  knockOnAnomalies: Record<string, number>;
  falseAlarms: Record<string, number>;
  prometheus: 'prometheus' | 'built-in' | 'mixed';
  alertmanager: boolean;
  network: { sidecarBytesPerSec: number; federatedBytesPerSec: number; centralScrapeBytesPerSec: number; sidecarAnomalyEvents: number; federatedAnomalyEvents: number };
  requests: { sent: number; failed: number };
  summary: string;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-demo-'));
  const ports: DemoPorts = { gateway: await findFreePort(), services: {}, prometheus: {} };
  for (const s of BOOKINFO) ports.services[s.name] = await findFreePort();
  for (const f of FEDERATIONS) ports.prometheus[f] = await findFreePort();
  const file = writeDemoStack({ dir, ports, scrapeIntervalMs: options.scrapeIntervalMs, triggerSchedule: options.triggerSchedule, idle: '20s' });
  const scorer = new IncidentScorer(planIncidents(options.durationMs));
  const startedAt = Date.now();
  const say = (line: string) => options.out.write(`${line}\n`);

  let up: RunningUp;
  try {
    up = await startUp({
      file,
      workDir: join(dir, 'up'),
      prometheus: options.prometheus,
      alertmanager: options.alertmanager,
      out: options.out,
      tty: options.tty,
      title: `deucalion demo: Bookinfo, ${Math.round(options.durationMs / 1000)}s, scrape every ${options.scrapeIntervalMs / 1000}s`,
      extraView: () => ['\x1b[1mincidents\x1b[0m', ...scorer.lines(Date.now(), startedAt)],
    });
  } catch (err) {
    if (!options.keepWorkDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  up.bus.on('anomaly', (e) => scorer.observe(e));
  const kinds = new Set([...up.federations.values()].map((f) => f.kind));
  const promKind = kinds.size === 1 ? [...kinds][0] : 'mixed';
  if (kinds.has('built-in')) up.bus.emit('notice', { level: 'warn', msg: 'prometheus is not on PATH: each federation uses the built-in stand-in (it scrapes its pods and answers a minimal query_range). Install prometheus for the real thing.' });
  if (!up.alertmanager) up.bus.emit('notice', { level: 'warn', msg: 'alertmanager is not on PATH: the alert-forwarder writes alerts to its embedded sink instead.' });

  const load = startLoad(`http://127.0.0.1:${ports.services.productpage}/productpage`, options.rps);
  const timers = scorer.incidents.map((incident) =>
    setTimeout(() => void inject(incident, ports, load, up), Math.max(0, incident.offsetMs - (Date.now() - startedAt))),
  );
  const payloadBefore = await measurePayloads(ports);
  let endTimer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise((r) => (endTimer = setTimeout(r, Math.max(0, options.durationMs - (Date.now() - startedAt))))), options.interrupted ?? new Promise(() => {})]);
  clearTimeout(endTimer);
  for (const t of timers) clearTimeout(t);
  const payloadAfter = await measurePayloads(ports);
  await load.stop();
  const elapsedMs = Date.now() - startedAt;

  const events = up.recorder.anomalies;
  const bytes = (mode: string) => events.filter((e) => e.mode === mode).reduce((n, e) => n + e.bytes, 0);
  const network = {
    sidecarBytesPerSec: bytes('sidecar') / (elapsedMs / 1000),
    federatedBytesPerSec: bytes('federated') / (elapsedMs / 1000),
    centralScrapeBytesPerSec: (payloadBefore + payloadAfter) / 2 / (options.scrapeIntervalMs / 1000),
    sidecarAnomalyEvents: events.filter((e) => e.mode === 'sidecar').length,
    federatedAnomalyEvents: events.filter((e) => e.mode === 'federated').length,
  };
  const lines = [
    '',
    `incidents: ${scorer.detected()} of ${scorer.incidents.length} detected`,
    ...scorer.lines(Date.now() + 3_600_000, startedAt),
    `knock-on anomalies (other services, during an incident): ${[...scorer.knockOn].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `false alarms (no incident running): ${[...scorer.other].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `network: sidecar pods sent ${network.sidecarBytesPerSec.toFixed(0)} B/s of anomaly events (${network.sidecarAnomalyEvents} events); federations sent ${network.federatedBytesPerSec.toFixed(0)} B/s to the sink (${network.federatedAnomalyEvents} events);`,
    `         a central Prometheus scraping all ${BOOKINFO.length} pods every ${options.scrapeIntervalMs / 1000}s would pull ${network.centralScrapeBytesPerSec.toFixed(0)} B/s. Full comparison: deucalion bench network`,
    `load: ${load.sent} requests to productpage, ${load.failed} failed (errors are injected)`,
    `prometheus: ${promKind === 'built-in' ? 'built-in stand-in (prometheus not on PATH)' : promKind}; alertmanager: ${up.alertmanager ? 'real' : 'embedded sink (alertmanager not on PATH)'}`,
  ];
  const summary = await up.stop(lines);
  if (!options.keepWorkDir) rmSync(dir, { recursive: true, force: true });
  return {
    durationMs: elapsedMs,
    incidents: scorer.incidents,
    detected: scorer.detected(),
    knockOnAnomalies: Object.fromEntries(scorer.knockOn),
    falseAlarms: Object.fromEntries(scorer.other),
    prometheus: promKind,
    alertmanager: up.alertmanager !== undefined,
    network,
    requests: { sent: load.sent, failed: load.failed },
    summary,
  };
}

async function inject(incident: Incident, ports: DemoPorts, load: ReturnType<typeof startLoad>, up: RunningUp): Promise<void> {
  incident.startedAt = Date.now();
  up.bus.emit('notice', { level: 'info', msg: `injecting ${INCIDENT_LABEL[incident.kind]} into ${incident.service} for ${Math.round(incident.durationMs / 1000)}s` });
  if (incident.kind === 'traffic-drop') {
    load.setFactor(0.15);
    setTimeout(() => load.setFactor(1), incident.durationMs).unref();
    return;
  }
  try {
    const res = await fetch(`http://127.0.0.1:${ports.services[incident.service]}/admin/incident`, { method: 'POST', body: JSON.stringify({ kind: incident.kind, ms: incident.durationMs }) });
    await res.arrayBuffer();
  } catch (err) {
    up.bus.emit('notice', { level: 'error', msg: `could not inject into ${incident.service}: ${(err as Error).message}` });
  }
}

/** Bytes one scrape of every pod's /metrics returns right now. */
async function measurePayloads(ports: DemoPorts): Promise<number> {
  let total = 0;
  for (const s of BOOKINFO) {
    try {
      const res = await fetch(`http://127.0.0.1:${ports.services[s.name]}/metrics`);
      total += (await res.arrayBuffer()).byteLength;
    } catch {
      // service gone
    }
  }
  return total;
}
