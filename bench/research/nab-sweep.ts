// Run: node_modules/.bin/node bench/research/nab-sweep.ts [--module lib/detectors/default/index.ts] [--export NAME]
//        [--grid '{"param":[a,b]}' | '[{...}, {...}]'] [--params '{...}'] [--only TEXT] [--files] [--categories] [--compare numenta]
//
// Research harness for the default detector: runs one detector module causally over the NAB corpus in
// this process (one thread), for every combination of a parameter grid, and prints the NAB scores
// (optimised threshold, and at the detector's own threshold, score >= 1). --categories breaks the raw
// standard score down by corpus folder; --files lists, per file, windows hit/missed and false positives
// at score >= 1 (and, with --compare, the same for a published NAB result such as numenta).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { expandGrid } from '../../lib/nab/evaluate.ts';
import { labelCorpus, loadCorpus, loadProfiles, loadResultScores, scoreDetector, type ProfileScore } from '../../lib/nab/index.ts';
import { runDetectorOnSeries, toNabScore } from '../../lib/nab/run-detector.ts';
import type { AnyDetector } from '../../lib/sdk/index.ts';

const { values: opts } = parseArgs({
  options: {
    module: { type: 'string', default: 'lib/detectors/default/index.ts' },
    export: { type: 'string' },
    grid: { type: 'string', default: '{}' },
    params: { type: 'string', default: '{}' },
    only: { type: 'string' },
    corpus: { type: 'string', default: process.env.NAB_DIR ?? resolve(import.meta.dirname, '../../../shared/datasets/nab') },
    files: { type: 'boolean', default: false },
    categories: { type: 'boolean', default: false },
    compare: { type: 'string' },
    shard: { type: 'string', default: '0/1' },
  },
});

const mod = (await import(pathToFileURL(resolve(opts.module!)).href)) as Record<string, AnyDetector>;
const detector = opts.export ? mod[opts.export] : Object.values(mod).find((d) => d && typeof d.createOnline === 'function');
if (!detector) throw new Error(`no detector exported by ${opts.module}`);

const only = opts.only;
const corpus = loadCorpus(opts.corpus!, only ? { only: (k) => k.includes(only) } : {});
const labeled = labelCorpus(corpus);
const profiles = loadProfiles(opts.corpus!);
const at1 = Object.fromEntries(Object.keys(profiles).map((p) => [p, toNabScore(1)]));
const fmt = (x: number) => x.toFixed(2).padStart(7);

function summarise(name: string, scores: Float64Array[], ns?: number): Record<string, ProfileScore> {
  const opt = scoreDetector(labeled, scores, { profiles });
  const dep = scoreDetector(labeled, scores, { profiles, thresholds: at1 });
  const thr = opt.standard.threshold;
  console.log(
    `${fmt(opt.standard.score)} ${fmt(opt.reward_low_FP_rate.score)} ${fmt(opt.reward_low_FN_rate.score)} | @1 ${fmt(dep.standard.score)} ${fmt(dep.reward_low_FP_rate.score)} ${fmt(dep.reward_low_FN_rate.score)} | thr ${(thr / (1 - thr)).toFixed(3).padStart(7)}${ns === undefined ? '' : ` | ${ns.toFixed(0)} ns`}  ${name}`,
  );
  if (opts.categories) {
    const byCat = new Map<string, { raw: number; hit: number; win: number; fp: number }>();
    for (const [f, file] of dep.standard.perFile.entries()) {
      const cat = corpus.files[f].category;
      const c = byCat.get(cat) ?? { raw: 0, hit: 0, win: 0, fp: 0 };
      c.raw += file.raw;
      c.hit += file.windowsDetected;
      c.win += file.windows;
      c.fp += file.fp;
      byCat.set(cat, c);
    }
    for (const [cat, c] of byCat) console.log(`    @1 ${cat.padEnd(22)} raw ${c.raw.toFixed(2).padStart(7)}  windows ${c.hit}/${c.win}  fp points ${c.fp}`);
  }
  return dep;
}

function firstHits(scores: Float64Array, f: number): string {
  const l = labeled.labels[f];
  const marks: string[] = [];
  for (const [w, [a, b]] of l.windowRows.entries()) {
    let hit = -1;
    for (let i = Math.max(a, Math.ceil(l.probation)); i <= b; i++) if (scores[i] >= 0.5) { hit = i; break; }
    marks.push(hit < 0 ? `w${w}:MISS` : `w${w}:${(((hit - a) / (b - a + 1)) * 100).toFixed(0)}%`);
  }
  let fps = 0;
  let run = false;
  for (let i = Math.ceil(l.probation); i < l.rows; i++) {
    const on = scores[i] >= 0.5 && l.windowOf[i] < 0;
    if (on && !run) fps++;
    run = on;
  }
  return `${marks.join(' ')} fpRuns ${fps}`;
}

const base = JSON.parse(opts.params!) as Record<string, unknown>;
const [shard, shards] = opts.shard!.split('/').map(Number);
const grid = JSON.parse(opts.grid!) as Record<string, unknown> | Array<Record<string, unknown>>;
// A grid is {"param": [values]} (every combination) or a list of parameter sets.
const combos = (Array.isArray(grid) ? grid : expandGrid(grid)).filter((_, i) => i % shards === shard);
const reference = opts.compare ? loadResultScores(resolve(opts.corpus!, 'results'), opts.compare, corpus) : undefined;
if (shard === 0) console.log(`  std   lowFP   lowFN  |    std@1  lowFP@1 lowFN@1 | (${corpus.files.length} files)`);
if (reference) {
  const ref = scoreDetector(labeled, reference, { profiles }).standard.threshold;
  reference.forEach((s) => s.forEach((v, i) => (s[i] = v >= ref ? 1 : 0)));
  summarise(`${opts.compare} (at its optimised threshold)`, reference);
}
for (const combo of combos) {
  const params = detector.resolveParams({ ...base, ...combo });
  let ns = 0;
  let n = 0;
  const scores = corpus.files.map((f) => {
    const r = runDetectorOnSeries(detector, params, f.timestamps, f.values);
    ns += r.elapsedNs;
    n += f.values.length;
    return r.scores;
  });
  const dep = summarise(JSON.stringify(combo), scores, ns / n);
  if (opts.files) {
    for (const [f, file] of dep.standard.perFile.entries()) {
      const ref = reference ? `   | ${opts.compare}: ${firstHits(reference[f], f)}` : '';
      console.log(`    ${file.raw.toFixed(2).padStart(6)} ${corpus.files[f].key.padEnd(58)} ${firstHits(scores[f], f)}${ref}`);
    }
  }
}
