// Per-point labelling of one file, as NAB's sweeper does it (nab/sweeper.py): which window a point
// falls in, and its unweighted sigmoid score as a detection. Independent of the detector and profile,
// so it is computed once per file and reused by every detector and every threshold.
import type { NabFile } from './corpus.ts';

/** NAB's scaled sigmoid: 2·sigmoid(−5y) − 1, and −1 from y >= 3 on (a false positive far from any window). */
export function scaledSigmoid(y: number): number {
  return y >= 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

/** Score of the earliest possible detection (y = −1); true positives are divided by it so they weigh tpWeight. */
export const MAX_TP = scaledSigmoid(-1);

/** Rows at the start of a file that are not scored: min(floor(p·n), p·5000), as in NAB. */
export function probationaryLength(rows: number, percent = 0.15): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

export interface FileLabels {
  key: string;
  rows: number;
  /** First scored row (rows before it are probationary). */
  probation: number;
  /** Per row: index of the label window containing it, or −1. */
  windowOf: Int32Array;
  /** Per row: NAB's unweighted sweep score of a detection there (in-window: TP value; outside: FP value, ≤ 0). */
  unweighted: Float64Array;
  /** Rows [entered, left] of each window that has rows (window ids index this). */
  windowRows: Array<[number, number]>;
  /** Windows that have at least one scored (post-probation) row: what a missed detection costs. */
  scoredWindows: number;
  /** Windows in the label file for this file (NAB's "perfect" counts these). */
  labelledWindows: number;
}

/**
 * NAB walks rows in file order and enters a window at the first row whose timestamp equals the window
 * start, leaving it at the row equal to its end; the window's right edge is the FIRST row carrying the end
 * timestamp. This matters: several NAB files have repeated or backwards timestamps (DST changes).
 * Windows whose edges are not sample timestamps (other corpora) snap to the enclosed rows instead.
 */
export function labelFile(file: NabFile, probationPercent = 0.15): FileLabels {
  const ts = file.timestamps;
  const n = ts.length;
  const firstRow = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!firstRow.has(ts[i])) firstRow.set(ts[i], i);
  const windowOf = new Int32Array(n).fill(-1);
  const unweighted = new Float64Array(n);
  const windowRows: Array<[number, number]> = [];
  const probation = probationaryLength(n, probationPercent);
  let next = 0; // next label window to enter
  let cur = -1; // id of the window we are in
  let curEnd = 0;
  let right = 0;
  let width = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    if (cur < 0 && next < file.windows.length) {
      const [start, end] = file.windows[next];
      if (firstRow.has(start) ? t === start : t >= start && t <= end) {
        const left = firstRow.get(start) ?? i;
        right = firstRow.get(end) ?? lastRowAtOrBefore(ts, i, end);
        width = right - left + 1;
        cur = windowRows.length;
        curEnd = end;
        windowRows.push([i, i]);
        next++;
      } else if (!firstRow.has(start) && t > end) {
        next++; // a window between two samples: no row to score
      }
    }
    if (cur >= 0) {
      windowOf[i] = cur;
      // Runs from about −1 at the left edge to ~0 at the right edge.
      unweighted[i] = scaledSigmoid(-(right - i + 1) / width);
      windowRows[cur][1] = i;
      if (firstRow.has(curEnd) ? t === curEnd : i + 1 >= n || ts[i + 1] > curEnd) {
        prevRight = i;
        prevWidth = width;
        cur = -1;
      }
    } else if (prevRight < 0) {
      unweighted[i] = -1;
    } else {
      // FPs weigh by distance past the preceding window's right edge. NAB divides by (width − 1); a
      // one-row window would divide by zero there, so floor it at 1.
      unweighted[i] = scaledSigmoid(Math.abs(prevRight - i) / Math.max(prevWidth - 1, 1));
    }
  }
  const scored = new Uint8Array(windowRows.length);
  for (let i = Math.ceil(probation); i < n; i++) if (windowOf[i] >= 0) scored[windowOf[i]] = 1;
  const scoredWindows = scored.reduce((a, b) => a + b, 0);
  return { key: file.key, rows: n, probation, windowOf, unweighted, windowRows, scoredWindows, labelledWindows: file.windows.length };
}

function lastRowAtOrBefore(ts: Float64Array, from: number, end: number): number {
  let i = from;
  while (i + 1 < ts.length && ts[i + 1] <= end) i++;
  return i;
}
