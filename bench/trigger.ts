// Run: node_modules/.bin/node bench/trigger.ts [--json] [--real-prometheus] [--runs N] [--series N] [--cold-starts N]
//        [--concurrency N] [--max-bytes-per-event B]
//      (or: deucalion bench trigger [--json])
//
// Federated mode at scale (issue 5). The real `deucalion function scrape-trigger` and two real
// detector functions (detector-zscore, detector-ewma) run as their own processes; this process plays
// the federation's Prometheus and the sink.
// 1. One run over 10,000 series × 240 points (1 h at 15 s): time from the tick (a PingSource event
//    POSTed to the trigger) to the trigger's reply, which comes after the anomalies reached the sink;
//    peak RSS (VmHWM) of the trigger and of each detector process. Bar: <= 5 s.
//    The Prometheus side is a FAKE query_range server serving a PRECOMPUTED, pre-gzipped answer
//    (10,000 noisy series around a level, 1% with a spike at the last step): a real Prometheus cannot be filled
//    with 10k × 240 history quickly, and this way the figure is the trigger's and detectors' cost
//    only. Peer in the same run: the floor of just fetching and decoding that answer (our
//    Prometheus client in this process, two slices in parallel like the trigger's default). With
//    --real-prometheus the Debian Prometheus serves history that promtool backfilled (tsdb
//    create-blocks-from openmetrics): the end-to-end figure including
//    Prometheus' own query and encoding time. Every run uses a fresh federation (a PingSource override),
//    so each is a first run with the same work; median of the runs.
// 2. Cold start of a detector function: process start to first answered window (a small window,
//    examples/windows/spike.json, POSTed every 5 ms until answered), median of 10. Bar: <= 300 ms.
//    Peer: a bare node:http server started the same way (the floor of starting Node itself). Also
//    reported: the same start with Node's on-disk compile cache (NODE_COMPILE_CACHE) already filled.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudEvent } from 'cloudevents';
import { stringify } from 'yaml';
import { EVENT_TYPES, type AnomalyData } from '../lib/contracts/types.ts';
import { createPrometheusClient } from '../lib/prometheus/client.ts';
import { splitRange } from '../lib/prometheus/range.ts';
import { eventData, parseCloudEvent } from '../lib/runtime/cloudevent.ts';
import { sendCloudEvent } from '../lib/runtime/send.ts';
import type { RunReport } from '../lib/trigger/report.ts';
import { findFreePort as freePort } from '../lib/up/ports.ts';

export const TRIGGER_RUN_BAR_MS = 5000;
export const COLD_START_BAR_MS = 300;
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'cli', 'main.ts');
const STEP = 15_000;
const POINTS = 240;

export interface TriggerBenchOptions {
  json: boolean;
  runs?: number;
  series?: number;
  coldStarts?: number;
  /** The real Prometheus with promtool-backfilled history instead of the fake server. */
  realPrometheus?: boolean;
  /** Trigger knobs (default: the trigger's defaults, concurrency 4). */
  concurrency?: number;
  maxBytesPerEvent?: number;
  log?: (line: string) => void;
}

export interface TriggerBenchResult {
  series: number;
  points: number;
  runs: number;
  prometheus: 'fake' | 'real';
  run: { medianMs: number; allMs: number[]; peerFetchMs: number; ratio: number; anomaliesPerRun: number; windowsPerRun: number; answerBytes: number; gzipBytes: number; lastReport: Omit<RunReport, 'queries' | 'detectors'> };
  peakRssMb: { trigger: number; detectors: Record<string, number> };
  coldStart: { medianMs: number; allMs: number[]; peerMedianMs: number; ratio: number; compileCacheMedianMs: number };
  bars: { runMs: number; coldStartMs: number };
  passed: boolean;
  cores: number;
}

export async function runTriggerBench(options: TriggerBenchOptions): Promise<number> {
  const result = await measureTrigger(options);
  process.stdout.write(options.json ? JSON.stringify(result, null, 2) + '\n' : formatTriggerReport(result) + '\n');
  return result.passed ? 0 : 1;
}

export async function measureTrigger(options: TriggerBenchOptions): Promise<TriggerBenchResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const seriesCount = options.series ?? 10_000;
  const runs = options.runs ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'bench-trigger-'));
  const children: ChildProcess[] = [];
  const servers: Server[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    log(`precomputing ${seriesCount} series × ${POINTS} points…`);
    const prom: PrometheusSide = options.realPrometheus ? await startBackfilledPrometheus(seriesCount, dir, log) : await startFakePrometheus(seriesCount);
    closers.push(prom.close);
    const sink = await startSink();
    servers.push(sink.server);

    const detectorNames = ['detector-zscore', 'detector-ewma'];
    const detectors: Record<string, { url: string; child: ChildProcess }> = {};
    for (const name of detectorNames) {
      const d = await startFunction(name, []);
      children.push(d.child);
      detectors[name] = d;
    }
    const config = join(dir, 'scrape-trigger.yaml');
    writeFileSync(
      config,
      stringify({
        federation: 'bench',
        prometheus: { url: prom.url },
        window: '1h',
        step: '15s',
        queries: [{ expr: 'bench_requests_rate', detectors: detectorNames }],
        detectors: { urls: Object.fromEntries(detectorNames.map((n) => [n, detectors[n].url])), concurrency: options.concurrency ?? 4, ...(options.maxBytesPerEvent ? { maxBytesPerEvent: options.maxBytesPerEvent } : {}) },
        sink: { url: sink.url },
      }),
    );
    const trigger = await startFunction('scrape-trigger', ['--config', config], 'health/readiness');
    children.push(trigger.child);

    const client = createPrometheusClient({ url: prom.url });
    const times: number[] = [];
    const peer: number[] = [];
    let last: RunReport | undefined;
    for (let i = 0; i < runs + 1; i++) {
      // Precompute the answer for the window the trigger will ask for, and tick well before the
      // next step boundary so that the trigger asks for exactly that window.
      let end = 0;
      for (;;) {
        if (STEP - (Date.now() % STEP) < 9000) await sleep(STEP - (Date.now() % STEP) + 100);
        end = Math.floor(Date.now() / STEP) * STEP;
        prom.prepare(end - (POINTS - 1) * STEP, end);
        if (Math.floor(Date.now() / STEP) * STEP === end && STEP - (Date.now() % STEP) > 5000) break;
      }
      const fetchBegan = performance.now();
      await client.queryRange({ query: 'bench_requests_rate', start: end - (POINTS - 1) * STEP, end, step: STEP, parallel: 2 });
      const fetchMs = performance.now() - fetchBegan;
      sink.reset();
      const began = performance.now();
      const reply = await sendCloudEvent(trigger.url, new CloudEvent({ type: EVENT_TYPES.ping, source: '/bench', datacontenttype: 'application/json', data: { federation: `bench-${i}` } }), { timeoutMs: 120_000 });
      const ms = performance.now() - began;
      last = JSON.parse(reply.body) as RunReport;
      if (last.status !== 'ok') throw new Error(`run ${i}: ${reply.body.slice(0, 2000)}`);
      if (prom.kind === 'fake' && last.end !== end) log(`run ${i}: the trigger's window ended at ${last.end}, not the prepared ${end}: the answer was built during the run`);
      if (sink.anomalies !== last.forwarded) throw new Error(`run ${i}: sink got ${sink.anomalies} findings, report says ${last.forwarded}`);
      // The first run warms up the processes' JIT; it is reported apart from the median.
      log(`run ${i}${i === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms tick → forwarded (fetch floor ${fetchMs.toFixed(0)} ms), ${last.windows} windows, ${last.anomalies} anomalies`);
      if (i === 0) continue;
      times.push(ms);
      peer.push(fetchMs);
    }
    const peakRssMb = { trigger: peakRss(trigger.child.pid!), detectors: Object.fromEntries(detectorNames.map((n) => [n, peakRss(detectors[n].child.pid!)])) };
    for (const child of children.splice(0)) await stop(child);

    log('cold starts…');
    const cold = await measureColdStarts(options.coldStarts ?? 10, log);
    const runMs = median(times);
    const peerFetchMs = median(peer);
    const { queries: _q, detectors: _d, ...lastReport } = last!;
    return {
      series: seriesCount,
      points: POINTS,
      prometheus: prom.kind,
      runs,
      run: { medianMs: runMs, allMs: times, peerFetchMs, ratio: runMs / peerFetchMs, anomaliesPerRun: last!.anomalies, windowsPerRun: last!.windows, answerBytes: prom.bytes(), gzipBytes: prom.gzipBytes(), lastReport },
      peakRssMb,
      coldStart: cold,
      bars: { runMs: TRIGGER_RUN_BAR_MS, coldStartMs: COLD_START_BAR_MS },
      passed: runMs <= TRIGGER_RUN_BAR_MS && cold.medianMs <= COLD_START_BAR_MS,
      cores: availableParallelism(),
    };
  } finally {
    for (const child of children) await stop(child);
    await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
    for (const close of closers) await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PrometheusSide {
  url: string;
  kind: 'fake' | 'real';
  /** Get the answer for [start, end] ready before the tick (the fake server precomputes it). */
  prepare(start: number, end: number): void;
  bytes(): number;
  gzipBytes(): number;
  close(): Promise<void>;
}

/**
 * The real Prometheus over backfilled history: `promtool tsdb create-blocks-from openmetrics` writes
 * n series at 15 s from 70 min ago to 10 min ahead (~5 s for 10,000 series), then Prometheus serves it.
 */
async function startBackfilledPrometheus(n: number, dir: string, log: (line: string) => void): Promise<PrometheusSide> {
  const { startPrometheus } = await import('../test/support/prometheus.ts');
  const { BINARIES, findBinary } = await import('../test/support/binaries.ts');
  const promtool = findBinary(BINARIES.promtool.names);
  if (!promtool) throw new Error(`--real-prometheus needs promtool: ${BINARIES.promtool.install}`);
  const prom = await startPrometheus({ config: 'global: {scrape_interval: 15s}\nscrape_configs: []\n' });
  await prom.stop();
  const file = join(dir, 'backfill.om');
  const from = Math.floor(Date.now() / STEP) * STEP - 70 * 60_000;
  const to = from + 80 * 60_000;
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines: string[] = ['# TYPE bench_requests_rate gauge'];
  for (let s = 0; s < n; s++) {
    const labels = `bench_requests_rate{namespace="bench",pod="bench-${String(s).padStart(5, '0')}"} `;
    const level = 100 + random() * 50;
    // 1% of the series spike every 10 minutes, so some runs end on a spike.
    for (let t = from; t <= to; t += STEP) lines.push(`${labels}${(s % 100 === 0 && (t / STEP) % 40 === 0 ? level * 20 : level + (random() - 0.5) * 2).toFixed(3)} ${t / 1000}`);
  }
  lines.push('# EOF\n');
  writeFileSync(file, lines.join('\n'));
  lines.length = 0;
  const began = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, join(prom.dir, 'data')], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`promtool exited with ${code}`))));
  });
  rmSync(file);
  log(`backfilled ${n} series × ${(to - from) / STEP + 1} points with promtool in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  await prom.start();
  return { url: prom.url, kind: 'real', prepare: () => {}, bytes: () => 0, gzipBytes: () => 0, close: () => prom.close() };
}

/** query_range answers for `n` noisy series around a level; 1% of them spike at the last step. */
async function startFakePrometheus(n: number): Promise<PrometheusSide> {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values: string[][] = [];
  const metrics: string[] = [];
  for (let s = 0; s < n; s++) {
    const level = 100 + random() * 50;
    const row: string[] = [];
    for (let i = 0; i < POINTS; i++) {
      const v = level + (random() - 0.5) * 2;
      row.push(s % 100 === 0 && i === POINTS - 1 ? (v * 20).toFixed(3) : v.toFixed(3));
    }
    values.push(row);
    metrics.push(JSON.stringify({ __name__: 'bench_requests_rate', namespace: 'bench', job: 'bench', instance: `10.0.${(s >> 8) & 255}.${s & 255}:8080`, pod: `bench-${String(s).padStart(5, '0')}` }));
  }
  // Answers by "start/end/step" as the client sends them (seconds); point i of a row sits at windowStart + i·step.
  const prepared = new Map<string, { body: string; gzip: Buffer }>();
  let windowStart = 0;
  const keyOf = (start: string, end: string, step: string) => `${start}/${end}/${step}`;
  const build = (from: number, to: number): string => {
    const parts: string[] = [];
    for (let s = 0; s < n; s++) {
      const row = values[s];
      let points = '';
      for (let t = from; t <= to; t += STEP) {
        const i = (t - windowStart) / STEP;
        if (i >= 0 && i < POINTS) points += `${points ? ',' : ''}[${t / 1000},"${row[i]}"]`;
      }
      parts.push(`{"metric":${metrics[s]},"values":[${points}]}`);
    }
    return `{"status":"success","data":{"resultType":"matrix","result":[${parts.join(',')}]}}`;
  };
  let biggest = { body: '', gzip: Buffer.alloc(0) };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if ((req.url ?? '').startsWith('/-/ready')) return void res.writeHead(200).end('ready');
      const form = new URLSearchParams(body);
      const key = keyOf(form.get('start') ?? '', form.get('end') ?? '', form.get('step') ?? '');
      let answer = prepared.get(key);
      // Not prepared (a step boundary passed): build it now; the bench avoids this.
      if (!answer) {
        const text = build(Math.round(Number(form.get('start')) * 1000), Math.round(Number(form.get('end')) * 1000));
        answer = { body: text, gzip: gzipSync(text) };
      }
      const gzip = /gzip/.test(String(req.headers['accept-encoding'] ?? ''));
      res.writeHead(200, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      res.end(gzip ? answer.gzip : answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    kind: 'fake',
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Build the answers for [start, end] ahead of the tick: whole, and as the slices the client asks for. */
    prepare(start: number, end: number) {
      prepared.clear();
      windowStart = start;
      const slices = [{ start, end }, ...splitRange(start, end, STEP, Math.ceil(POINTS / 2))];
      for (const slice of slices) {
        const text = build(slice.start, slice.end);
        const answer = { body: text, gzip: gzipSync(text) };
        prepared.set(keyOf(String(slice.start / 1000), String(slice.end / 1000), String(STEP / 1000)), answer);
        if (slice.start === start && slice.end === end) biggest = answer;
      }
    },
    bytes: () => Buffer.byteLength(biggest.body),
    gzipBytes: () => biggest.gzip.length,
  };
}

async function startSink() {
  const state = { anomalies: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const data = eventData(parseCloudEvent(req.headers, body)) as AnomalyData;
      state.anomalies += data.anomalies.length + (data.resolved?.length ?? 0);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get anomalies() {
      return state.anomalies;
    },
    reset: () => (state.anomalies = 0),
  };
}

async function startFunction(name: string, args: string[], ready = 'health/readiness'): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'function', name, '--port', String(port), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url + ready, { signal: AbortSignal.timeout(1000) })).ok) return { url, child };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready`);
    await sleep(50);
  }
}

/** Spawn → first 2xx answer to a window event, for the detector function and a bare node:http peer. */
async function measureColdStarts(n: number, log: (line: string) => void): Promise<TriggerBenchResult['coldStart']> {
  const window = JSON.parse(readFileSync(join(ROOT, 'examples', 'windows', 'spike.json'), 'utf8')) as unknown;
  const event = new CloudEvent({ type: EVENT_TYPES.window, source: '/bench', datacontenttype: 'application/json', data: window });
  const peerScript = "require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>s.writeHead(204).end())}).listen(Number(process.argv[1]),'127.0.0.1')";
  const cacheDir = mkdtempSync(join(tmpdir(), 'bench-compile-cache-'));
  const once = async (argv: (port: number) => string[], extraEnv: Record<string, string> = {}): Promise<number> => {
    const port = await freePort();
    const began = performance.now();
    const child = spawn(process.execPath, argv(port), { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...extraEnv }, stdio: 'ignore' });
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`cold start process exited with ${child.exitCode}`);
        try {
          await sendCloudEvent(`http://127.0.0.1:${port}/`, event, { timeoutMs: 5000 });
          return performance.now() - began;
        } catch {
          await sleep(5);
        }
      }
    } finally {
      await stop(child);
    }
  };
  const detector = (port: number) => [CLI, 'function', 'detector-zscore', '--port', String(port)];
  // Node's on-disk compile cache, filled once the way an image build could ship it.
  const cached = { NODE_COMPILE_CACHE: cacheDir };
  await once(detector, cached);
  const ours: number[] = [];
  const peer: number[] = [];
  const withCache: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      ours.push(await once(detector));
      peer.push(await once((port) => ['-e', peerScript, String(port)]));
      withCache.push(await once(detector, cached));
      log(`cold start ${i + 1}/${n}: detector-zscore ${ours[i].toFixed(0)} ms (with compile cache ${withCache[i].toFixed(0)} ms), bare node:http ${peer[i].toFixed(0)} ms`);
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const medianMs = median(ours);
  const peerMedianMs = median(peer);
  return { medianMs, allMs: ours, peerMedianMs, ratio: medianMs / peerMedianMs, compileCacheMedianMs: median(withCache) };
}

/** Peak resident set (VmHWM) of a process, MB. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function formatTriggerReport(r: TriggerBenchResult): string {
  const f = (x: number) => x.toFixed(0);
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  return [
    `scrape-trigger run: ${r.series} series × ${r.points} points (1 h at 15 s), detector-zscore + detector-ewma as processes, median of ${r.runs} runs (${r.cores} cores)`,
    r.prometheus === 'fake'
      ? `  Prometheus side: fake query_range server with a precomputed answer (${mb(r.run.answerBytes)} MB JSON, ${mb(r.run.gzipBytes)} MB gzip)`
      : '  Prometheus side: the real Prometheus over promtool-backfilled history',
    `  tick → anomalies forwarded   ${f(r.run.medianMs)} ms  (runs: ${r.run.allMs.map(f).join(', ')} ms)   bar <= ${r.bars.runMs} ms: ${r.run.medianMs <= r.bars.runMs ? 'PASS' : 'FAIL'}`,
    `  peer: fetch + decode alone   ${f(r.run.peerFetchMs)} ms  → run/fetch ratio ${r.run.ratio.toFixed(2)}`,
    `  per run: ${r.run.windowsPerRun} window events, ${r.run.anomaliesPerRun} anomalies; per series ${((r.run.medianMs * 1000) / r.series).toFixed(0)} µs`,
    `  last run: prometheus ${r.run.lastReport.timings.prometheusMs} ms, detectors ${r.run.lastReport.timings.detectorsMs} ms, sink ${r.run.lastReport.timings.sinkMs} ms`,
    `  peak RSS: trigger ${r.peakRssMb.trigger} MB, ${Object.entries(r.peakRssMb.detectors).map(([n, v]) => `${n} ${v} MB`).join(', ')}`,
    `detector cold start (process start → first answered window), median of ${r.coldStart.allMs.length}`,
    `  detector-zscore ${f(r.coldStart.medianMs)} ms, bare node:http peer ${f(r.coldStart.peerMedianMs)} ms → ratio ${r.coldStart.ratio.toFixed(2)}   bar <= ${r.bars.coldStartMs} ms: ${r.coldStart.medianMs <= r.bars.coldStartMs ? 'PASS' : 'FAIL'}`,
    `  with a warm NODE_COMPILE_CACHE (as an image could ship it): ${f(r.coldStart.compileCacheMedianMs)} ms`,
  ].join('\n');
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  process.exitCode = await runTriggerBench({
    json: args.includes('--json'),
    realPrometheus: args.includes('--real-prometheus'),
    runs: value('--runs'),
    series: value('--series'),
    coldStarts: value('--cold-starts'),
    concurrency: value('--concurrency'),
    maxBytesPerEvent: value('--max-bytes-per-event'),
  });
}
