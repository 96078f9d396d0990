// Run: node_modules/.bin/node bench/parser.ts [--json] [--runs N] [--min-ms MS]
//
// Exposition parser throughput: our pull parser vs parse-prometheus-text-format (the most used npm
// parser) on the same generated payloads, in the same process. Each run times a batch of parses lasting
// at least --min-ms; parsers are interleaved run by run and the median of the runs is reported.
// Bar (issue 3): >= 10x the peer's throughput. Both our variants are reported: "keys only" is the
// dispatcher's steady state, "full labels" builds a label object per sample like the peer does.

import { Entry, ExpositionParser } from '../lib/expo/parser.ts';
import { generatePayloads, type Payload } from './fixtures/index.ts';
import { createDispatcherAdapter, fullAdapter, keysAdapter } from './peers/deucalion.ts';
import { peerAdapter } from './peers/parse-prometheus-text-format.ts';
import type { ParserAdapter } from './peers/types.ts';

export const PARSER_BAR = 10;

export interface ParserBenchOptions {
  runs?: number;
  minTimeMs?: number;
  payloads?: Payload[];
  /** Progress lines go here (stderr by default); pass () => {} for silence. */
  log?: (line: string) => void;
}

export interface ParserResult {
  parser: string;
  work: string;
  mbPerSec: number;
  samplesPerSec: number;
  /** Throughput of every run, MB/s. */
  runsMbPerSec: number[];
  /** Median over runs of (this parser / the peer in the same run): robust to load changing between runs. */
  ratio: number;
}

export interface PayloadResult {
  payload: string;
  bytes: number;
  samples: number;
  results: ParserResult[];
  /** Median per-run throughput ratio of our variant to the peer. */
  ratioKeysOnly: number;
  ratioDispatcher: number;
  ratioFullLabels: number;
}

export interface ParserBenchResult {
  bar: number;
  runs: number;
  minTimeMs: number;
  node: string;
  payloads: PayloadResult[];
  /** Every payload reaches the bar in the dispatcher variant (keys per sample, labels once per series). */
  pass: boolean;
  /** Every payload reaches the bar even with a label object built for every sample. */
  passFullLabels: boolean;
}


export function runParserBench(options: ParserBenchOptions = {}): ParserBenchResult {
  const runs = Math.max(5, options.runs ?? 7);
  const minTimeMs = options.minTimeMs ?? 250;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const payloads = options.payloads ?? generatePayloads();
  const out: PayloadResult[] = [];
  let sink = 0;
  for (const payload of payloads) {
    const bytes = Buffer.byteLength(payload.text);
    const samples = countSamples(payload.text);
    const ADAPTERS: ParserAdapter[] = [peerAdapter, keysAdapter, createDispatcherAdapter(), fullAdapter];
    const perRun = new Map<string, number[]>(ADAPTERS.map((a) => [a.name, []]));
    for (const a of ADAPTERS) sink += timeBatch(a, payload.text, minTimeMs).checksum; // warm up the JIT
    for (let r = 0; r < runs; r++) {
      for (const a of ADAPTERS) {
        const t = timeBatch(a, payload.text, minTimeMs);
        sink += t.checksum;
        perRun.get(a.name)!.push((bytes * t.iterations) / 1e6 / (t.ms / 1000));
      }
    }
    const peerRuns = perRun.get(ADAPTERS[0].name)!;
    const results = ADAPTERS.map((a): ParserResult => {
      const runsMb = perRun.get(a.name)!;
      const mb = median(runsMb);
      const ratio = median(runsMb.map((x, r) => x / peerRuns[r]));
      return { parser: a.name, work: a.work, mbPerSec: mb, samplesPerSec: (mb * 1e6 * samples) / bytes, runsMbPerSec: runsMb, ratio };
    });
    out.push({ payload: payload.name, bytes, samples, results, ratioKeysOnly: results[1].ratio, ratioDispatcher: results[2].ratio, ratioFullLabels: results[3].ratio });
    log(`parser bench: ${payload.name} done`);
  }
  if (sink === -1) log('unreachable'); // keeps checksums observable
  const pass = out.every((p) => p.ratioDispatcher >= PARSER_BAR);
  return { bar: PARSER_BAR, runs, minTimeMs, node: process.version, payloads: out, pass, passFullLabels: out.every((p) => p.ratioFullLabels >= PARSER_BAR) };
}

function timeBatch(a: ParserAdapter, text: string, minTimeMs: number): { iterations: number; ms: number; checksum: number } {
  let iterations = 0;
  let checksum = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    checksum += a.run(text);
    iterations++;
    elapsed = performance.now() - start;
  } while (elapsed < minTimeMs);
  return { iterations, ms: elapsed, checksum };
}

function countSamples(text: string): number {
  const p = new ExpositionParser(text, 'prometheus');
  let n = 0;
  for (let e = p.next(); e !== Entry.End; e = p.next()) if (e === Entry.Series) n++;
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function formatParserBench(r: ParserBenchResult): string {
  const lines = [`Parser throughput, median of ${r.runs} runs (>= ${r.minTimeMs} ms each), Node ${r.node}; "vs peer" is the median of per-run ratios`, ''];
  const header = ['payload', 'parser', 'MB/s', 'samples/s', 'vs peer'];
  const rows: string[][] = [];
  for (const p of r.payloads) {
    for (const res of p.results) {
      rows.push([`${p.payload} (${(p.bytes / 1024).toFixed(0)} KiB, ${p.samples} samples)`, res.parser, res.mbPerSec.toFixed(1), formatCount(res.samplesPerSec), `${res.ratio.toFixed(1)}x`]);
    }
  }
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k].length)));
  const fmt = (row: string[]) => row.map((c, k) => (k >= 2 ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ');
  lines.push(fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt), '');
  for (const p of r.payloads) {
    lines.push(`${p.payload}: keys only ${p.ratioKeysOnly.toFixed(1)}x, dispatcher ${p.ratioDispatcher.toFixed(1)}x, full labels ${p.ratioFullLabels.toFixed(1)}x the peer`);
  }
  lines.push('');
  lines.push('keys only:   series key, value, timestamp, family type per sample; label blocks checked lazily (not here)');
  lines.push('dispatcher:  steady state: SeriesCache per sample (hinted by the previous parse = scrape), value, metadata');
  lines.push('             lines remembered from the previous parse; labels once per new series');
  lines.push('full labels: name + label object (unescaped, detached) + value + type for every sample, blocks checked eagerly');
  lines.push(`bar >= ${r.bar}x, dispatcher variant (labels once per series): ${r.pass ? 'PASS' : 'FAIL'}`);
  lines.push(`bar >= ${r.bar}x, full labels on every sample: ${r.passFullLabels ? 'PASS' : 'FAIL'}`);
  return lines.join('\n');
}

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const k = args.indexOf(name);
    return k >= 0 ? Number(args[k + 1]) : undefined;
  };
  const result = runParserBench({ runs: flag('--runs'), minTimeMs: flag('--min-ms') });
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(result, null, 2)}\n` : `${formatParserBench(result)}\n`);
}
