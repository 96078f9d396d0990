// Everything `deucalion up` has seen, folded from the bus: the state the terminal view draws and the
// summary printed at the end.
import type { AnomalyEvent, ComponentEvent, ComponentKind, RunEvent, UpBus } from './events.ts';

export interface ComponentState {
  name: string;
  kind: ComponentKind;
  state: ComponentEvent['state'];
  pid?: number;
  url?: string;
  detail?: string;
  starts: number;
  coldStartsMs: number[];
  invocations: number;
  errors: number;
}

export interface RunStats {
  function: string;
  schedule: string;
  ok: number;
  failed: number;
  last?: RunEvent;
}

export class Recorder {
  readonly startedAt = Date.now();
  readonly components = new Map<string, ComponentState>();
  readonly runs = new Map<string, RunStats>();
  readonly anomalies: AnomalyEvent[] = [];
  readonly notices: { at: number; level: string; msg: string }[] = [];
  anomalyCount = 0;
  anomalyBytes = 0;

  constructor(bus: UpBus) {
    bus.on('component', (e) => {
      const c = this.component(e.name, e.kind);
      c.state = e.state;
      c.pid = e.pid ?? (e.state === 'running' ? c.pid : undefined);
      c.url = e.url ?? c.url;
      c.detail = e.detail;
      if (e.state === 'running') c.starts++;
      if (e.coldStartMs !== undefined) c.coldStartsMs.push(e.coldStartMs);
    });
    bus.on('invocation', (e) => {
      const c = this.component(e.function, 'function');
      c.invocations++;
      if (e.status >= 500 || e.status === 0) c.errors++;
    });
    bus.on('run', (e) => {
      const r = this.runs.get(e.function) ?? { function: e.function, schedule: e.schedule, ok: 0, failed: 0 };
      if (e.status >= 200 && e.status < 300) r.ok++;
      else r.failed++;
      r.last = e;
      this.runs.set(e.function, r);
    });
    bus.on('anomaly', (e) => {
      this.anomalies.push(e);
      if (this.anomalies.length > 500) this.anomalies.shift();
      this.anomalyCount += e.anomalies.length;
      this.anomalyBytes += e.bytes;
    });
    bus.on('notice', (e) => {
      this.notices.push({ at: Date.now(), ...e });
      if (this.notices.length > 50) this.notices.shift();
    });
  }

  private component(name: string, kind: ComponentKind): ComponentState {
    let c = this.components.get(name);
    if (!c) {
      c = { name, kind, state: 'stopped', starts: 0, coldStartsMs: [], invocations: 0, errors: 0 };
      this.components.set(name, c);
    }
    return c;
  }

  /** Anomaly counts per pod (sidecar) or federation. */
  anomaliesBySource(): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.anomalies) {
      const key = e.mode === 'sidecar' ? `pod ${e.namespace}/${e.pod}` : e.mode === 'federated' ? `federation ${e.federation}` : e.source;
      out.set(key, (out.get(key) ?? 0) + e.anomalies.length);
    }
    return out;
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The summary printed when `up` stops. */
export function formatSummary(r: Recorder, extra: string[] = []): string {
  const lines = [`deucalion up ran for ${Math.round((Date.now() - r.startedAt) / 1000)}s`];
  const fns = [...r.components.values()].filter((c) => c.kind === 'function');
  if (fns.length) {
    lines.push('functions (scale to zero):');
    for (const c of fns) {
      const cold = c.coldStartsMs.length ? `, ${c.coldStartsMs.length} cold start(s), median ${Math.round(median(c.coldStartsMs))} ms` : '';
      lines.push(`  ${c.name.padEnd(28)} ${c.invocations} invocation(s)${c.errors ? `, ${c.errors} failed` : ''}${cold}`);
    }
  }
  if (r.runs.size) {
    lines.push('cron runs:');
    for (const run of r.runs.values()) lines.push(`  ${run.function.padEnd(28)} ${run.schedule.padEnd(14)} ${run.ok} ok, ${run.failed} failed${run.last?.error ? ` (last error: ${run.last.error.split('\n')[0].slice(0, 120)})` : ''}`);
  }
  lines.push(`anomalies: ${r.anomalyCount} in ${r.anomalies.length} event(s), ${r.anomalyBytes} bytes to the sink`);
  for (const [source, n] of r.anomaliesBySource()) lines.push(`  ${source.padEnd(36)} ${n}`);
  const failed = [...r.components.values()].filter((c) => c.state === 'failed');
  for (const c of failed) lines.push(`failed: ${c.kind} ${c.name}: ${(c.detail ?? '').split('\n')[0]}`);
  return [...lines, ...extra].join('\n');
}
