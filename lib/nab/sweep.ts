// NAB's threshold sweep (nab/sweeper.py calcScoreByThreshold) over a whole corpus: sort every scored
// point by anomaly score, descending; lower the threshold one distinct score at a time; a window's
// value is its best detection (or −fnWeight while undetected), false positives add up. One sort per
// detector serves every profile; each profile is then one linear pass.
import type { CostMatrix } from './profiles.ts';
import { MAX_TP, type FileLabels } from './label-points.ts';

/** Threshold reported when detecting nothing is best (NAB starts its sweep at 1.1, above every score). */
export const NO_DETECTION_THRESHOLD = 1.1;

export interface SweepInput {
  score: Float64Array;
  unweighted: Float64Array;
  /** Corpus-wide window id, or −1 outside windows. */
  window: Int32Array;
  /** Point indices sorted by score, descending. */
  order: Uint32Array;
  windowCount: number;
}

export interface SweepResult {
  threshold: number;
  raw: number;
}

/** Flatten the scored (post-probation) points of every file; scores[f] is aligned with labels[f]. */
export function prepareSweep(labels: FileLabels[], scores: Float64Array[]): SweepInput {
  let total = 0;
  for (const l of labels) total += l.rows - Math.ceil(l.probation);
  const score = new Float64Array(total);
  const unweighted = new Float64Array(total);
  const window = new Int32Array(total);
  let p = 0;
  let windowBase = 0;
  labels.forEach((l, f) => {
    const s = scores[f];
    for (let i = Math.ceil(l.probation); i < l.rows; i++, p++) {
      score[p] = s[i];
      unweighted[p] = l.unweighted[i];
      window[p] = l.windowOf[i] < 0 ? -1 : windowBase + l.windowOf[i];
    }
    windowBase += l.windowRows.length;
  });
  return { score, unweighted, window, order: sortDescending(score), windowCount: windowBase };
}

/**
 * Indices of `score` sorted by value, descending. Sorting a Float64Array natively is far faster than an
 * index sort with a comparator, so sort values, then place indices by value rank (stable within ties).
 */
function sortDescending(score: Float64Array): Uint32Array {
  const n = score.length;
  const sorted = Float64Array.from(score).sort();
  const order = new Uint32Array(n);
  // Distinct values in descending order and where each one's run starts in `order`.
  const starts = new Map<number, number>();
  let at = 0;
  for (let i = n - 1; i >= 0; ) {
    const v = sorted[i];
    let j = i;
    while (j >= 0 && sorted[j] === v) j--;
    starts.set(v, at);
    at += i - j;
    i = j;
  }
  for (let k = 0; k < n; k++) {
    const slot = starts.get(score[k])!;
    order[slot] = k;
    starts.set(score[k], slot + 1);
  }
  return order;
}

/** The best corpus-wide threshold for one profile; ties go to the highest threshold, as NAB's max() does. */
export function sweepBest(input: SweepInput, cost: CostMatrix): SweepResult {
  const { score, unweighted, window, order, windowCount } = input;
  const best = new Float64Array(windowCount).fill(-cost.fnWeight);
  const seen = new Uint8Array(windowCount);
  for (let k = 0; k < window.length; k++) if (window[k] >= 0) seen[window[k]] = 1;
  let total = 0;
  for (let w = 0; w < windowCount; w++) if (seen[w]) total -= cost.fnWeight;
  const tpScale = cost.tpWeight / MAX_TP;
  let threshold = NO_DETECTION_THRESHOLD;
  let result: SweepResult = { threshold, raw: total };
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    const s = score[p];
    if (s !== threshold) {
      if (total > result.raw) result = { threshold, raw: total };
      threshold = s;
    }
    const w = window[p];
    if (w < 0) {
      total += unweighted[p] * cost.fpWeight;
    } else {
      const v = unweighted[p] * tpScale;
      if (v > best[w]) {
        total += v - best[w];
        best[w] = v;
      }
    }
  }
  if (total > result.raw) result = { threshold, raw: total };
  return result;
}
