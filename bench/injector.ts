// Run: node_modules/.bin/node bench/injector.ts [--json] [--runs N] [--seconds S] [--rate R]
//      (or: deucalion bench injector [--json])
//
// Admission latency of the injector webhook over TLS with keep-alive, as the API server sees it:
// a SEPARATE load process (this file with --load, a child process) sends a real AdmissionReview
// (test/injector/fixtures/admission-review.json, unique uid each) open-loop at a fixed rate
// (default 500/s for 30 s) over a small keep-alive connection pool, and reports client-side
// latency from request start to full response. The injector runs in this process with real
// config, metrics and JSON logs (to /dev/null); owner/namespace lookups are cache hits.
// Peer in the same run: a "null webhook" on the same TLS/HTTP stack that parses the review and
// answers allowed without any work: the floor that TLS, HTTP and JSON cost on this machine.
// Runs alternate injector/peer; medians over runs are reported. Bar (issue 6): p99 <= 5 ms, 0 errors.
import { fork } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:https';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { resolveInjectorConfig } from '../lib/inject/config.ts';
import { createLogger } from '../lib/log.ts';
import { readBody } from '../lib/runtime/read-body.ts';
import { startInjectorServer } from '../injector/server.ts';
import { makeCert } from '../test/injector/tls.ts';

export const INJECTOR_P99_BAR_MS = 5;
const REVIEW_FILE = join(import.meta.dirname, '..', 'test', 'injector', 'fixtures', 'admission-review.json');

export interface InjectorBenchOptions {
  runs?: number;
  seconds?: number;
  rate?: number;
  connections?: number;
  /** Per server before the measured runs: JIT and TLS sessions settle. */
  warmupSeconds?: number;
  log?: (line: string) => void;
}

export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface InjectorBenchResult {
  rate: number;
  seconds: number;
  runs: number;
  injector: { p50: number; p90: number; p99: number; max: number; errors: number; cpuUsPerAdmission: number; runs: LoadResult[] };
  peer: { p50: number; p99: number; errors: number; cpuUsPerAdmission: number; runs: LoadResult[] };
  /** Median over runs of injector p99 / peer p99. */
  p99Ratio: number;
  /** 1-minute load average before and after: other work on the machine shows in every tail. */
  loadAverage: { before: number; after: number };
  passed: boolean;
}

export async function runInjectorBench(options: InjectorBenchOptions = {}): Promise<InjectorBenchResult> {
  const runs = options.runs ?? 5;
  const seconds = options.seconds ?? 30;
  const rate = options.rate ?? 500;
  const connections = options.connections ?? 4;
  const say = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const loadBefore = loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-bench-injector-'));
  const { certFile, keyFile } = makeCert(dir, 'localhost');
  const devNull = createWriteStream('/dev/null');
  const log = createLogger('injector', { level: 'info', write: (line) => devNull.write(line) });
  const config = resolveInjectorConfig({}, { POD_NAMESPACE: 'deucalion' });
  const lookups = {
    owner: async () => ({ kind: 'Deployment', name: 'checkout', annotations: { 'deucalion-sidecar-image': 'registry.example/deucalion:0.1.0' } }),
    namespace: async (name: string) => ({ name, labels: { 'deucalion-injection': 'enabled' } }),
  };
  const injector = await startInjectorServer({ port: 0, host: '127.0.0.1', certFile, keyFile, config, lookups, log });
  const peer = await startNullWebhook(certFile, keyFile);
  const mine: LoadResult[] = [];
  const theirs: LoadResult[] = [];
  const cpu: number[] = [];
  const peerCpu: number[] = [];
  try {
    await runLoad(`${injector.url}/mutate`, rate, options.warmupSeconds ?? 2, connections);
    await runLoad(`${peer.url}/mutate`, rate, options.warmupSeconds ?? 2, connections);
    for (let i = 0; i < runs; i++) {
      const before = process.cpuUsage();
      const result = await runLoad(`${injector.url}/mutate`, rate, seconds, connections);
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / Math.max(1, result.ok));
      mine.push(result);
      const beforePeer = process.cpuUsage();
      const peerResult = await runLoad(`${peer.url}/mutate`, rate, seconds, connections);
      const usedPeer = process.cpuUsage(beforePeer);
      peerCpu.push((usedPeer.user + usedPeer.system) / Math.max(1, peerResult.ok));
      theirs.push(peerResult);
      say(`run ${i + 1}/${runs}: injector p50 ${result.p50.toFixed(2)} ms p99 ${result.p99.toFixed(2)} ms errors ${result.errors} (${result.achievedRate.toFixed(0)}/s); null webhook p99 ${theirs[i].p99.toFixed(2)} ms`);
    }
  } finally {
    await injector.close();
    await new Promise<void>((r) => peer.server.close(() => r()));
    devNull.end();
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (xs: number[]) => median(xs);
  const errors = mine.reduce((s, r) => s + r.errors, 0);
  const p99 = med(mine.map((r) => r.p99));
  return {
    rate,
    seconds,
    runs,
    injector: { p50: med(mine.map((r) => r.p50)), p90: med(mine.map((r) => r.p90)), p99, max: Math.max(...mine.map((r) => r.max)), errors, cpuUsPerAdmission: med(cpu), runs: mine },
    peer: { p50: med(theirs.map((r) => r.p50)), p99: med(theirs.map((r) => r.p99)), errors: theirs.reduce((s, r) => s + r.errors, 0), cpuUsPerAdmission: med(peerCpu), runs: theirs },
    p99Ratio: med(mine.map((r, i) => r.p99 / theirs[i].p99)),
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    passed: p99 <= INJECTOR_P99_BAR_MS && errors === 0,
  };
}

/** The peer: same TLS + HTTP + JSON work, no decision, no patch. */
async function startNullWebhook(certFile: string, keyFile: string) {
  const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, async (req, res) => {
    const review = JSON.parse(await readBody(req, 6 * 1024 * 1024));
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Start the load child, wait for its one JSON line. */
function runLoad(url: string, rate: number, seconds: number, connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, ['--load', JSON.stringify({ url, rate, seconds, connections })], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load process exited with ${code}`))));
  });
}

/** The load process: open loop (requests start on schedule, not when earlier ones finish). */
async function loadMain(spec: { url: string; rate: number; seconds: number; connections: number }): Promise<void> {
  const template = JSON.parse(readFileSync(REVIEW_FILE, 'utf8'));
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections, rejectUnauthorized: false });
  const total = Math.round(spec.rate * spec.seconds);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let sent = 0;
  const start = performance.now();
  const one = (i: number) =>
    new Promise<void>((done) => {
      const body = JSON.stringify({ ...template, request: { ...template.request, uid: `bench-${process.pid}-${i}` } });
      const t0 = performance.now();
      const fail = (why: string) => ((errors++, (firstError ??= why)), done());
      const req = request(spec.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          const reply = res.statusCode === 200 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
          if (reply?.response?.uid !== `bench-${process.pid}-${i}` || reply.response.allowed !== true) return fail(`status ${res.statusCode}`);
          latencies.push(ms);
          done();
        });
      });
      req.on('error', (err) => fail(err.message));
      req.end(body);
    });
  const pending: Promise<void>[] = [];
  await new Promise<void>((finished) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * spec.rate) + 1);
      while (sent < due) pending.push(one(sent++));
      if (sent >= total) return finished();
      setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] : NaN);
  const result: LoadResult = { sent, ok: latencies.length, errors, firstError, achievedRate: sent / elapsed, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: latencies[latencies.length - 1] ?? NaN };
  agent.destroy();
  process.stdout.write(JSON.stringify(result) + '\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function formatReport(r: InjectorBenchResult): string {
  const f = (x: number) => x.toFixed(2);
  return [
    `injector admission latency over TLS, keep-alive, ${r.rate} req/s for ${r.seconds} s from a separate process, median of ${r.runs} runs`,
    `  injector      p50 ${f(r.injector.p50)} ms  p90 ${f(r.injector.p90)} ms  p99 ${f(r.injector.p99)} ms  max ${f(r.injector.max)} ms  errors ${r.injector.errors}  CPU ${r.injector.cpuUsPerAdmission.toFixed(0)} µs/admission`,
    `  null webhook  p50 ${f(r.peer.p50)} ms  p99 ${f(r.peer.p99)} ms  errors ${r.peer.errors}  CPU ${r.peer.cpuUsPerAdmission.toFixed(0)} µs/admission`,
    `  p99 ratio injector/null webhook: ${r.p99Ratio.toFixed(2)}  (load average ${r.loadAverage.before.toFixed(2)} → ${r.loadAverage.after.toFixed(2)} on ${availableParallelism()} cores)`,
    `  bar: p99 <= ${INJECTOR_P99_BAR_MS} ms and 0 errors: ${r.passed ? 'PASS' : 'FAIL'}`,
  ].join('\n');
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args[0] === '--load') {
    await loadMain(JSON.parse(args[1]));
  } else {
    const value = (name: string) => {
      const i = args.indexOf(name);
      return i >= 0 ? Number(args[i + 1]) : undefined;
    };
    const result = await runInjectorBench({ runs: value('--runs'), seconds: value('--seconds'), rate: value('--rate') });
    process.stdout.write(args.includes('--json') ? JSON.stringify(result, null, 2) + '\n' : formatReport(result) + '\n');
    process.exitCode = result.passed ? 0 : 1;
  }
}

export { formatReport as formatInjectorReport };
