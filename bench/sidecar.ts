// Run: node_modules/.bin/node bench/sidecar.ts [--json] [--runs 5] [--duration 60s] [--warmup 10s]
//      [--series 500] [--detectors zscore,ewma,stuck] [--no-parser] [--no-compile-cache] [--node-options "..."] [--gzip]
//   or: deucalion bench sidecar [--json] ...
//
// The sidecar's cost (issue 3). (1) The parser bench (bench/parser.ts: our parser vs
// parse-prometheus-text-format, bar >= 10x). (2) Side by side, same machine, same target, same interval:
// the dispatcher (`deucalion dispatcher`, 3 detectors on every series) and the real Prometheus
// (/usr/bin/prometheus, one scrape job, a temp TSDB) both scrape a 500-series target every 1 s. The
// target runs in its own process. After a warm-up, each process' CPU (on-CPU time of all its threads from /proc/PID/task/*/schedstat)
// and RSS (VmRSS, sampled every second; RssAnon too) are measured over --duration. Fresh processes per
// run; medians over runs, the CPU ratio as the median of per-run ratios.
// Bars: dispatcher CPU / Prometheus CPU <= 1.0 and dispatcher RSS <= 50 MB (paper sidecar: 3.03 ms/s, 70.6 MB).
// The dispatcher runs as its image runs it: with the image's node flags (lib/dispatcher/node-flags.ts;
// --node-options replaces them, --node-options "" runs plain node) and a NODE_COMPILE_CACHE filled by
// `dispatcher --check`, as the image build does (docs/dispatcher.md, "Memory"); --no-compile-cache
// shows the cost without.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DISPATCHER_NODE_FLAGS } from '../lib/dispatcher/node-flags.ts';
import { parseDuration } from '../lib/duration.ts';
import { findFreePort as freePort } from '../lib/up/ports.ts';
import { generateSidecarTarget, serveTarget } from './sidecar-target.ts';

export const BARS = { cpuRatio: 1.0, rssMb: 50 };
const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const PROMETHEUS = '/usr/bin/prometheus';

export interface SidecarBenchOptions {
  json: boolean;
  runs?: number;
  durationMs?: number;
  warmupMs?: number;
  series?: number;
  /** Comma-separated when a string (as from the CLI). */
  detectors?: string[] | string;
  parser?: boolean;
  compileCache?: boolean;
  /** Node flags of the dispatcher process instead of the image's (DISPATCHER_NODE_FLAGS); a string is split on spaces. */
  nodeOptions?: string[] | string;
  /** Make the dispatcher ask for gzip like Prometheus does (default: its loopback default, identity). */
  gzip?: boolean;
  log?: (line: string) => void;
}

export interface ProcessCost {
  cpuMsPerSec: number;
  rssMb: number;
  rssMaxMb: number;
  rssAnonMb: number;
  scrapes: number;
}

export interface SideBySideRun {
  dispatcher: ProcessCost;
  prometheus: ProcessCost;
  cpuRatio: number;
  seriesTracked: number;
  /** Anomalies the sink received per second during the measurement, and the events carrying them. */
  anomaliesPerSec: number;
  eventsSent: number;
}

export interface SidecarBenchResult {
  node: string;
  prometheus: string;
  series: number;
  detectors: string[];
  durationMs: number;
  compileCache: boolean;
  /** The dispatcher turns V8's TurboFan off unless DEUCALION_TURBOFAN=1 (cli/commands/dispatcher.ts). */
  turbofan: boolean;
  /** Whether the dispatcher asked for gzip (Prometheus always does). */
  gzip: boolean;
  nodeOptions: string[];
  runs: SideBySideRun[];
  median: { dispatcher: ProcessCost; prometheus: ProcessCost; cpuRatio: number };
  pass: { cpu: boolean; rss: boolean };
  parser?: unknown;
  parserPass?: boolean;
}

export async function runSidecarBench(options: SidecarBenchOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let parser: { pass: boolean } | undefined;
  let parserText = '';
  if (options.parser !== false) {
    log('sidecar bench (1/2): parser throughput');
    const { runParserBench, formatParserBench } = await import('./parser.ts');
    const r = runParserBench({ log });
    parser = r;
    parserText = formatParserBench(r);
  }
  log('sidecar bench (2/2): dispatcher vs Prometheus, side by side');
  const result = await runSideBySide(options, log);
  if (parser) {
    result.parser = parser;
    result.parserPass = parser.pass;
  }
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${parserText ? `${parserText}\n\n` : ''}${formatSidecarBench(result)}\n`);
  return result.pass.cpu && result.pass.rss && result.parserPass !== false ? 0 : 1;
}

export async function runSideBySide(options: SidecarBenchOptions, log: (line: string) => void): Promise<SidecarBenchResult> {
  const runs = options.runs ?? 5;
  const durationMs = options.durationMs ?? 60_000;
  const warmupMs = options.warmupMs ?? Math.min(10_000, Math.max(3000, durationMs / 4));
  const series = options.series ?? 500;
  const detectors = typeof options.detectors === 'string' ? options.detectors.split(',') : (options.detectors ?? ['zscore', 'ewma', 'stuck']);
  const gzip = options.gzip === true;
  const compileCache = options.compileCache !== false;
  const given: unknown = options.nodeOptions;
  const nodeOptions = typeof given === 'string' ? given.split(' ').filter(Boolean) : Array.isArray(given) ? (given as string[]) : [...DISPATCHER_NODE_FLAGS];
  const work = mkdtempSync(join(tmpdir(), 'deucalion-bench-sidecar-'));
  const sink = await startCountingSink();
  const target = await startTargetProcess(series);
  const promVersion = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'not found';
  const config = join(work, 'dispatcher.yaml');
  const metricsPort = await freePort();
  writeFileSync(config, [`target: { url: "${target.url}", interval: 1s, timeout: 1s${gzip ? ', gzip: true' : ''} }`, 'detectors:', ...detectors.map((d) => `  - name: ${d}`), `sink: { url: "${sink.url}" }`, `listen: "127.0.0.1:${metricsPort}"`, ''].join('\n'));
  const env = { ...process.env, LOG_LEVEL: 'warn', POD_NAME: 'bench', POD_NAMESPACE: 'bench', ...(compileCache ? { NODE_COMPILE_CACHE: join(work, 'compile-cache') } : {}) };
  const startDispatcher = () => spawn(process.execPath, [...nodeOptions, CLI, 'dispatcher', '--config', config], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    if (compileCache) {
      // As the image build does (docker/dispatcher.Dockerfile): --check imports every module of the dispatcher.
      const check = spawnSync(process.execPath, [...nodeOptions, CLI, 'dispatcher', '--check', '--config', config], { env, encoding: 'utf8' });
      if (check.status !== 0) throw new Error(`dispatcher --check failed: ${check.stderr}`);
    }
    const results: SideBySideRun[] = [];
    for (let run = 0; run < runs; run++) {
      const promDir = join(work, `prometheus-${run}`);
      const promConfig = join(work, 'prometheus.yml');
      writeFileSync(promConfig, `global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1m }\nscrape_configs:\n  - job_name: bench\n    static_configs: [{ targets: ["${new URL(target.url).host}"] }]\n`);
      const prom = spawn(PROMETHEUS, [`--config.file=${promConfig}`, `--storage.tsdb.path=${promDir}`, `--web.listen-address=127.0.0.1:${await freePort()}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
      const dispatcher = startDispatcher();
      await sleep(warmupMs);
      const before = { d: cpuMs(dispatcher.pid!), p: cpuMs(prom.pid!), scrapes: await target.counts(), ...sink.counts };
      const rss = { d: [] as number[], p: [] as number[], dAnon: [] as number[], pAnon: [] as number[] };
      const start = Date.now();
      while (Date.now() - start < durationMs) {
        await sleep(Math.min(1000, durationMs - (Date.now() - start)));
        const d = memory(dispatcher.pid!);
        const p = memory(prom.pid!);
        rss.d.push(d.rss);
        rss.dAnon.push(d.anon);
        rss.p.push(p.rss);
        rss.pAnon.push(p.anon);
      }
      const seconds = (Date.now() - start) / 1000;
      const after = { d: cpuMs(dispatcher.pid!), p: cpuMs(prom.pid!), scrapes: await target.counts(), ...sink.counts };
      const seriesTracked = await scrapeGauge(`http://127.0.0.1:${metricsPort}/metrics`, 'deucalion_dispatcher_series');
      await Promise.all([stop(dispatcher), stop(prom)]);
      rmSync(promDir, { recursive: true, force: true });
      const cost = (cpu: number, r: number[], anon: number[], scrapes: number): ProcessCost => ({
        cpuMsPerSec: cpu / seconds,
        rssMb: median(r),
        rssMaxMb: Math.max(...r),
        rssAnonMb: median(anon),
        scrapes,
      });
      const d = cost(after.d - before.d, rss.d, rss.dAnon, after.scrapes.dispatcher - before.scrapes.dispatcher);
      const p = cost(after.p - before.p, rss.p, rss.pAnon, after.scrapes.prometheus - before.scrapes.prometheus);
      const anomaliesPerSec = (after.anomalies - before.anomalies) / seconds;
      results.push({ dispatcher: d, prometheus: p, cpuRatio: d.cpuMsPerSec / p.cpuMsPerSec, seriesTracked, anomaliesPerSec, eventsSent: after.events - before.events });
      log(`run ${run + 1}/${runs}: dispatcher ${d.cpuMsPerSec.toFixed(2)} ms/s ${d.rssMb.toFixed(1)} MB (${d.scrapes} scrapes, ${seriesTracked} series, ${anomaliesPerSec.toFixed(2)} anomalies/s) | prometheus ${p.cpuMsPerSec.toFixed(2)} ms/s ${p.rssMb.toFixed(1)} MB (${p.scrapes} scrapes) | ratio ${(d.cpuMsPerSec / p.cpuMsPerSec).toFixed(2)}`);
    }
    const med = (pick: (r: SideBySideRun) => ProcessCost): ProcessCost => ({
      cpuMsPerSec: median(results.map((r) => pick(r).cpuMsPerSec)),
      rssMb: median(results.map((r) => pick(r).rssMb)),
      rssMaxMb: median(results.map((r) => pick(r).rssMaxMb)),
      rssAnonMb: median(results.map((r) => pick(r).rssAnonMb)),
      scrapes: median(results.map((r) => pick(r).scrapes)),
    });
    const m = { dispatcher: med((r) => r.dispatcher), prometheus: med((r) => r.prometheus), cpuRatio: median(results.map((r) => r.cpuRatio)) };
    return {
      node: process.version,
      prometheus: promVersion,
      series,
      detectors,
      durationMs,
      compileCache,
      turbofan: process.env.DEUCALION_TURBOFAN === '1',
      gzip,
      nodeOptions,
      runs: results,
      median: m,
      pass: { cpu: m.cpuRatio <= BARS.cpuRatio, rss: m.dispatcher.rssMb <= BARS.rssMb },
    };
  } finally {
    await target.close();
    await new Promise((r) => sink.server.close(r));
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatSidecarBench(r: SidecarBenchResult): string {
  const m = r.median;
  const row = (name: string, c: ProcessCost) =>
    `  ${name.padEnd(11)} ${c.cpuMsPerSec.toFixed(2).padStart(8)} ms/s   RSS ${c.rssMb.toFixed(1).padStart(6)} MB (peak ${c.rssMaxMb.toFixed(1)}, anon ${c.rssAnonMb.toFixed(1)})   ${c.scrapes} scrapes`;
  return [
    `Sidecar cost: ${r.series}-series target scraped every 1 s by both, ${r.durationMs / 1000} s measured, median of ${r.runs.length} runs`,
    `  dispatcher: ${r.detectors.length} detectors on every series (${r.detectors.join(', ')}), Node ${r.node}${r.compileCache ? ', compile cache' : ''}${r.turbofan ? ', TurboFan on' : ', TurboFan off (default)'}${r.gzip ? ', gzip (as Prometheus)' : ', no gzip (loopback default)'}${r.nodeOptions.length ? `, ${r.nodeOptions.join(' ')}` : ''}`,
    `  peer: ${r.prometheus}`,
    row('dispatcher', m.dispatcher),
    row('prometheus', m.prometheus),
    `  CPU ratio dispatcher/Prometheus: ${m.cpuRatio.toFixed(2)} (median of per-run ratios: ${r.runs.map((x) => x.cpuRatio.toFixed(2)).join(', ')})`,
    `  bar CPU ratio <= ${BARS.cpuRatio}: ${r.pass.cpu ? 'PASS' : 'FAIL'}; bar dispatcher RSS <= ${BARS.rssMb} MB: ${r.pass.rss ? 'PASS' : 'FAIL'} (paper sidecar: 3.03 ms/s, 70.6 MB)`,
  ].join('\n');
}

// ---- processes and /proc ----

// CPU time in ms, to the nanosecond: the sum of every thread's on-CPU time (/proc/PID/task/TID/schedstat,
// first field). utime+stime from /proc/PID/stat count whole clock ticks (10 ms here), too coarse for
// processes that use 1-3 ms per second: a 60 s window would hold only a dozen ticks.
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between readdir and read
    }
  }
  return ns / 1e6;
}

function memory(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startTargetProcess(series: number): Promise<{ url: string; counts(): Promise<{ dispatcher: number; prometheus: number }>; close(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-target', String(series)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(String((m as { url: string }).url)));
    child.once('exit', (code) => reject(new Error(`target exited with ${code}`)));
  });
  return {
    url,
    counts: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { dispatcher: number; prometheus: number }));
        child.send('counts');
      }),
    close: () => stop(child),
  };
}

async function startCountingSink(): Promise<{ url: string; server: Server; counts: { events: number; anomalies: number } }> {
  const counts = { events: 0, anomalies: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.events++;
      try {
        counts.anomalies += (JSON.parse(Buffer.concat(chunks).toString()) as { anomalies: unknown[] }).anomalies.length;
      } catch {
        // counted as an event only
      }
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server, counts };
}

async function scrapeGauge(url: string, name: string): Promise<number> {
  try {
    const text = await (await fetch(url)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(xs: number[]): number {
  const s = [...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args[0] === '--serve-target') {
    await serveTarget(generateSidecarTarget(Number(args[1])));
  } else {
    const value = (name: string) => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    };
    process.exitCode = await runSidecarBench({
      json: args.includes('--json'),
      runs: value('--runs') ? Number(value('--runs')) : undefined,
      durationMs: value('--duration') ? parseDuration(value('--duration')!) : undefined,
      warmupMs: value('--warmup') ? parseDuration(value('--warmup')!) : undefined,
      series: value('--series') ? Number(value('--series')) : undefined,
      detectors: value('--detectors'),
      parser: !args.includes('--no-parser'),
      compileCache: !args.includes('--no-compile-cache'),
      nodeOptions: value('--node-options'),
      gzip: args.includes('--gzip'),
    });
  }
}
