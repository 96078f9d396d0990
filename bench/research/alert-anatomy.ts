// Run: node_modules/.bin/node bench/research/alert-anatomy.ts [--params JSON]
// Research aid: every alert (score >= 1) after probation, classified as first-in-window (TP), later in
// a window, or false positive, with the component that raised it (range or shape) and its score.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { novelty } from '../../lib/detectors/default/index.ts';
import { labelCorpus, loadCorpus } from '../../lib/nab/index.ts';

const { values: opts } = parseArgs({ options: { params: { type: 'string', default: '{}' } } });
const corpus = loadCorpus(process.env.NAB_DIR ?? resolve(import.meta.dirname, '../../../shared/datasets/nab'));
const labeled = labelCorpus(corpus);
const base = JSON.parse(opts.params!);
const rows: Array<{ kind: string; comp: string; score: number; key: string; i: number }> = [];
for (const [f, file] of corpus.files.entries()) {
  const a = novelty.createOnline(novelty.resolveParams(base));
  const rangeOnly = novelty.createOnline(novelty.resolveParams({ ...base, sigmas: 1e300, refractory: 0 }));
  const l = labeled.labels[f];
  const seen = new Set<number>();
  for (let i = 0; i < file.values.length; i++) {
    const s = a.update(file.timestamps[i], file.values[i]);
    const r = rangeOnly.update(file.timestamps[i], file.values[i]);
    if (!(s >= 1) || i < l.probation) continue;
    const w = l.windowOf[i];
    const kind = w < 0 ? 'FP' : seen.has(w) ? 'late' : 'TP';
    if (w >= 0) seen.add(w);
    rows.push({ kind, comp: r >= s ? 'range' : 'shape', score: s, key: file.name, i });
  }
}
for (const kind of ['TP', 'FP', 'late']) {
  for (const comp of ['range', 'shape']) {
    const xs = rows.filter((r) => r.kind === kind && r.comp === comp).map((r) => r.score).sort((a, b) => a - b);
    const q = (p: number) => (xs.length ? xs[Math.floor(p * (xs.length - 1))].toFixed(1) : '-');
    console.log(`${kind.padEnd(5)} ${comp.padEnd(6)} n=${String(xs.length).padStart(4)}  p10 ${q(0.1)}  p50 ${q(0.5)}  p90 ${q(0.9)}`);
  }
}
const byFile = new Map<string, string[]>();
for (const r of rows) if (r.kind === 'FP') byFile.set(r.key, [...(byFile.get(r.key) ?? []), `${r.comp[0]}${r.score.toFixed(1)}@${r.i}`]);
for (const [k, v] of [...byFile].sort((a, b) => b[1].length - a[1].length)) console.log(`${k.padEnd(45)} ${v.join(' ')}`);
