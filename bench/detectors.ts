// Run: node_modules/.bin/node bench/detectors.ts [--json] [--runs 5] [--corpus DIR] [--detectors a,b]
//
// Detection quality and cost of every built-in detector on the whole NAB corpus (58 series, 365,558
// samples): the NAB score under the three profiles (threshold optimised over the corpus per profile)
// and the cost of one online update() in nanoseconds, median over --runs passes (single thread;
// detectors interleaved pass by pass). The peer is NAB's windowed-Gaussian baseline reimplemented from
// NAB (nab-windowed-gaussian) on the same input in the same process; NAB's published result files
// (numenta HTM, windowedGaussian) are scored alongside as references (no cost: they are precomputed).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BUILTIN_DETECTORS, DEFAULT_DETECTOR } from '../lib/detectors/index.ts';
import { findEvalDetector } from '../lib/nab/eval-detectors.ts';
import { labelCorpus, loadCorpus, loadProfiles, loadResultScores, scoreDetector } from '../lib/nab/index.ts';
import { runDetectorOnSeries } from '../lib/nab/run-detector.ts';

const PEER = 'nab-windowed-gaussian';

export interface DetectorBenchRow {
  detector: string;
  kind: 'built-in' | 'default' | 'peer' | 'published';
  standard: number;
  reward_low_FP_rate: number;
  reward_low_FN_rate: number;
  /** Median ns per update() over the runs; undefined for published result files. */
  costPerSampleNs?: number;
  costRuns?: number[];
  /** Cost relative to the peer (nab-windowed-gaussian): < 1 is cheaper. */
  costVsPeer?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function benchDetectors(options: { corpusDir: string; runs?: number; detectors?: string[]; log?: (line: string) => void }): DetectorBenchRow[] {
  const runs = Math.max(1, options.runs ?? 5);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const corpus = loadCorpus(options.corpusDir);
  const labeled = labelCorpus(corpus);
  const profiles = loadProfiles(options.corpusDir);
  const samples = corpus.files.reduce((n, f) => n + f.timestamps.length, 0);
  const names = [...(options.detectors ?? BUILTIN_DETECTORS.keys())].filter((n) => n !== PEER).concat(PEER);
  const detectors = names.map((name) => {
    const detector = findEvalDetector(name);
    if (!detector) throw new Error(`unknown detector "${name}"`);
    return { name, detector, params: detector.resolveParams({}), costs: [] as number[], scores: [] as Float64Array[] };
  });

  for (let run = 0; run < runs; run++) {
    for (const d of detectors) {
      let ns = 0;
      d.scores = corpus.files.map((f) => {
        const r = runDetectorOnSeries(d.detector, d.params, f.timestamps, f.values);
        ns += r.elapsedNs;
        return r.scores;
      });
      d.costs.push(ns / samples);
    }
    log(`bench: pass ${run + 1}/${runs} done`);
  }

  const rows: DetectorBenchRow[] = [];
  const peerCost = median(detectors.find((d) => d.name === PEER)!.costs);
  for (const d of detectors) {
    const s = scoreDetector(labeled, d.scores, { profiles });
    const cost = median(d.costs);
    rows.push({
      detector: d.name,
      kind: d.name === PEER ? 'peer' : d.name === DEFAULT_DETECTOR ? 'default' : 'built-in',
      standard: s.standard.score,
      reward_low_FP_rate: s.reward_low_FP_rate.score,
      reward_low_FN_rate: s.reward_low_FN_rate.score,
      costPerSampleNs: cost,
      costRuns: d.costs,
      costVsPeer: cost / peerCost,
    });
  }
  for (const published of ['numenta', 'windowedGaussian']) {
    const root = join(options.corpusDir, 'results');
    if (!existsSync(join(root, published))) continue;
    const s = scoreDetector(labeled, loadResultScores(root, published, corpus), { profiles });
    rows.push({ detector: `${published} (NAB results)`, kind: 'published', standard: s.standard.score, reward_low_FP_rate: s.reward_low_FP_rate.score, reward_low_FN_rate: s.reward_low_FN_rate.score });
  }
  return rows.sort((a, b) => b.standard - a.standard);
}

export function formatBenchTable(rows: DetectorBenchRow[]): string {
  const header = ['detector', 'kind', 'standard', 'low FP', 'low FN', 'ns/sample', 'cost vs peer'];
  const cells = rows.map((r) => [
    r.detector,
    r.kind,
    r.standard.toFixed(2),
    r.reward_low_FP_rate.toFixed(2),
    r.reward_low_FN_rate.toFixed(2),
    r.costPerSampleNs === undefined ? '-' : r.costPerSampleNs.toFixed(0),
    r.costVsPeer === undefined ? '-' : `${r.costVsPeer.toFixed(2)}x`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, c) => (c < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.map(line)].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, runs: { type: 'string', default: '5' }, corpus: { type: 'string' }, detectors: { type: 'string' } },
  });
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const corpusDir = values.corpus ?? process.env.NAB_DIR ?? resolve(repoRoot, '../shared/datasets/nab');
  const rows = benchDetectors({ corpusDir, runs: Number(values.runs), detectors: values.detectors?.split(',') });
  process.stdout.write(values.json ? `${JSON.stringify({ corpus: corpusDir, runs: Number(values.runs), rows }, null, 2)}\n` : `${formatBenchTable(rows)}\n`);
}
