// NAB result files: <dir>/<detector>/<category>/<detector>_<file>.csv with at least `timestamp` and
// `anomaly_score` columns (NAB's own files have more; columns are found by header name).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Corpus, NabFile } from './corpus.ts';
import { readNumericCsv } from './csv.ts';
import { formatNabTimestamp } from './timestamp.ts';

export function resultPath(root: string, detector: string, file: NabFile): string {
  return join(root, detector, file.category, `${detector}_${file.name}.csv`);
}

/**
 * Which detectors a --scores directory holds: either one detector's directory (it contains the corpus
 * categories) or a results root with one directory per detector.
 */
export function listResultDetectors(dir: string, corpus: Corpus): Array<{ name: string; root: string }> {
  if (!existsSync(dir)) throw new Error(`${dir}: no such scores directory`);
  const categories = new Set(corpus.files.map((f) => f.category));
  const subdirs = readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory());
  if (subdirs.some((d) => categories.has(d))) return [{ name: basename(dir), root: join(dir, '..') }];
  return subdirs.sort().map((name) => ({ name, root: dir }));
}

/** Anomaly scores of one detector, row-aligned with each corpus file (by timestamp when lengths differ). */
export function loadResultScores(root: string, detector: string, corpus: Corpus): Float64Array[] {
  return corpus.files.map((file) => {
    const path = resultPath(root, detector, file);
    if (!existsSync(path)) throw new Error(`${path}: missing result file for ${file.key}`);
    const { timestamps, columns } = readNumericCsv(readFileSync(path, 'utf8'), ['anomaly_score'], path);
    const scores = columns.anomaly_score;
    if (timestamps.length === file.timestamps.length) return scores;
    // Different row count: align by timestamp; rows the detector did not report count as score 0.
    const byTime = new Map<number, number>();
    for (let i = 0; i < timestamps.length; i++) byTime.set(timestamps[i], scores[i]);
    return Float64Array.from(file.timestamps, (t) => byTime.get(t) ?? 0);
  });
}

/** Write scores in NAB's layout (timestamp,value,anomaly_score,label) so NAB's own tooling can re-score them. */
export function writeResultScores(root: string, detector: string, corpus: Corpus, scores: Float64Array[]): void {
  corpus.files.forEach((file, f) => {
    const path = resultPath(root, detector, file);
    mkdirSync(join(root, detector, file.category), { recursive: true });
    const lines = ['timestamp,value,anomaly_score,label'];
    let w = 0;
    for (let i = 0; i < file.timestamps.length; i++) {
      const t = file.timestamps[i];
      while (w < file.windows.length && file.windows[w][1] < t) w++;
      const label = w < file.windows.length && file.windows[w][0] <= t ? 1 : 0;
      lines.push(`${formatNabTimestamp(t)},${file.values[i]},${scores[f][i]},${label}`);
    }
    writeFileSync(path, lines.join('\n') + '\n');
  });
}
