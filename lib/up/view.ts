// The live terminal view of `deucalion up`: on a TTY the screen is redrawn in place (ANSI) with
// services, federations, functions, cron runs and the latest anomalies; otherwise (a pipe, CI, a
// test) every event is one plain log line, so the output stays greppable.
import type { AnomalyEvent, ComponentEvent, RunEvent, UpBus } from './events.ts';
import { median, type Recorder } from './recorder.ts';

export interface ViewOptions {
  out: NodeJS.WriteStream | NodeJS.WritableStream;
  tty: boolean;
  title: string;
  /** Extra panel lines (the demo's incidents). */
  extra?: () => string[];
  /** Plain mode: extra lines printed once when they change. */
  refreshMs?: number;
}

export interface View {
  stop(): void;
}

const CLEAR = '\x1b[H\x1b[2J';
const BOLD = (s: string) => `\x1b[1m${s}\x1b[0m`;
const DIM = (s: string) => `\x1b[2m${s}\x1b[0m`;
const RED = (s: string) => `\x1b[31m${s}\x1b[0m`;
const GREEN = (s: string) => `\x1b[32m${s}\x1b[0m`;

export function startView(bus: UpBus, recorder: Recorder, options: ViewOptions): View {
  const write = (s: string) => options.out.write(s);
  if (!options.tty) return startPlain(bus, write);
  const draw = () => write(CLEAR + render(recorder, options).join('\n') + '\n');
  const timer = setInterval(draw, options.refreshMs ?? 500);
  draw();
  return {
    stop() {
      clearInterval(timer);
      draw();
    },
  };
}

function startPlain(bus: UpBus, write: (s: string) => void): View {
  const line = (text: string) => write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
  const handlers = {
    component: (e: ComponentEvent) => {
      const cold = e.coldStartMs !== undefined ? ` (cold start ${Math.round(e.coldStartMs)} ms)` : '';
      const where = e.url ? ` at ${e.url}` : '';
      const pid = e.pid ? ` pid ${e.pid}` : '';
      line(`${e.kind} ${e.name} ${e.state}${pid}${where}${cold}${e.detail ? `: ${e.detail.split('\n')[0]}` : ''}`);
    },
    run: (e: RunEvent) => line(`cron ${e.function} (${e.schedule}) → ${e.status || 'error'} in ${Math.round(e.ms)} ms${e.error ? `: ${e.error.split('\n')[0].slice(0, 200)}` : ''}`),
    anomaly: (e: AnomalyEvent) => {
      for (const a of e.anomalies.slice(0, 5)) line(`anomaly ${describeSource(e)} ${describeSeries(a.labels)} ${a.detector} score ${a.score.toFixed(2)}`);
      if (e.anomalies.length > 5) line(`anomaly ${describeSource(e)} … and ${e.anomalies.length - 5} more`);
    },
    notice: (e: { level: string; msg: string }) => line(`${e.level === 'info' ? '' : `${e.level}: `}${e.msg}`),
  };
  bus.on('component', handlers.component);
  bus.on('run', handlers.run);
  bus.on('anomaly', handlers.anomaly);
  bus.on('notice', handlers.notice);
  return {
    stop() {
      bus.off('component', handlers.component);
      bus.off('run', handlers.run);
      bus.off('anomaly', handlers.anomaly);
      bus.off('notice', handlers.notice);
    },
  };
}

export function describeSource(e: AnomalyEvent): string {
  return e.mode === 'sidecar' ? `[sidecar ${e.namespace}/${e.pod}]` : e.mode === 'federated' ? `[federation ${e.federation}]` : `[${e.source}]`;
}

export function describeSeries(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const keep = Object.entries(rest).filter(([k]) => !['instance', 'job', 'namespace'].includes(k));
  return `${name ?? ''}{${keep.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

function render(r: Recorder, options: ViewOptions): string[] {
  const up = Math.round((Date.now() - r.startedAt) / 1000);
  const out = [BOLD(`${options.title}`) + DIM(`  up ${up}s · Ctrl-C to stop`), ''];
  const kinds: [string, string][] = [
    ['app', 'services'],
    ['dispatcher', 'sidecar dispatchers'],
    ['prometheus', 'federations'],
    ['alertmanager', 'alerting'],
    ['gateway', 'gateway'],
  ];
  for (const [kind, title] of kinds) {
    const list = [...r.components.values()].filter((c) => c.kind === kind);
    if (!list.length) continue;
    out.push(BOLD(title));
    for (const c of list) out.push(`  ${stateMark(c.state)} ${c.name.padEnd(26)} ${(c.pid ? `pid ${c.pid}` : '').padEnd(10)} ${c.url ?? ''} ${DIM(c.detail?.split('\n')[0] ?? '')}`);
  }
  const fns = [...r.components.values()].filter((c) => c.kind === 'function');
  if (fns.length) {
    out.push(BOLD('functions') + DIM('  (replicas · invocations · cold start last/median)'));
    for (const c of fns) {
      const cold = c.coldStartsMs.length ? `${Math.round(c.coldStartsMs[c.coldStartsMs.length - 1])}/${Math.round(median(c.coldStartsMs))} ms` : '-';
      const replicas = c.state === 'running' ? GREEN('1') : DIM('0');
      out.push(`  ${stateMark(c.state)} ${c.name.padEnd(26)} ${replicas}  ${String(c.invocations).padStart(5)}  ${cold}${c.errors ? RED(`  ${c.errors} failed`) : ''}`);
    }
  }
  if (r.runs.size) {
    out.push(BOLD('cron runs'));
    for (const run of r.runs.values()) {
      const last = run.last ? `last ${run.last.status || 'error'} in ${Math.round(run.last.ms)} ms` : '';
      out.push(`  ${run.function.padEnd(28)} ${run.schedule.padEnd(12)} ${run.ok} ok ${run.failed ? RED(`${run.failed} failed`) : ''} ${DIM(last)}`);
    }
  }
  const extra = options.extra?.() ?? [];
  if (extra.length) out.push(...extra);
  out.push(BOLD(`anomalies`) + DIM(`  ${r.anomalyCount} total, ${r.anomalyBytes} bytes to the sink`));
  for (const e of r.anomalies.slice(-8)) {
    const a = e.anomalies[0];
    const time = new Date(e.receivedAt).toISOString().slice(11, 19);
    out.push(`  ${DIM(time)} ${describeSource(e)} ${a ? `${describeSeries(a.labels)} ${a.detector} ${a.score.toFixed(1)}` : ''}${e.anomalies.length > 1 ? DIM(` +${e.anomalies.length - 1}`) : ''}`);
  }
  for (const n of r.notices.slice(-3)) out.push(n.level === 'info' ? DIM(n.msg) : RED(n.msg));
  return out;
}

function stateMark(state: string): string {
  return state === 'running' ? GREEN('●') : state === 'failed' ? RED('✖') : state === 'starting' ? '◌' : DIM('○');
}
