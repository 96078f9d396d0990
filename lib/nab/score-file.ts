// Score one file at a fixed threshold (NAB scorer.py / sweeper.scoreDataSet): a detection is a scored
// row with anomaly score >= threshold; each window counts only its best (earliest) detection.
import type { CostMatrix } from './profiles.ts';
import { MAX_TP, type FileLabels } from './label-points.ts';

export interface FileScore {
  key: string;
  /** Raw NAB score of the file under the profile. */
  raw: number;
  /** Point counts, as NAB reports them. */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Windows with at least one detection, and scored windows in all. */
  windowsDetected: number;
  windows: number;
}

export function scoreFile(labels: FileLabels, scores: Float64Array, cost: CostMatrix, threshold: number): FileScore {
  const nWin = labels.windowRows.length;
  const best = new Float64Array(nWin).fill(Number.NEGATIVE_INFINITY);
  const counted = new Uint8Array(nWin);
  const tpScale = cost.tpWeight / MAX_TP;
  let fpSum = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = Math.ceil(labels.probation); i < labels.rows; i++) {
    const w = labels.windowOf[i];
    const hit = scores[i] >= threshold;
    if (w >= 0) counted[w] = 1;
    if (!hit) {
      if (w >= 0) fn++;
      else tn++;
      continue;
    }
    if (w < 0) {
      fp++;
      fpSum += labels.unweighted[i] * cost.fpWeight;
    } else {
      tp++;
      const v = labels.unweighted[i] * tpScale;
      if (v > best[w]) best[w] = v;
    }
  }
  let raw = fpSum;
  let windows = 0;
  let windowsDetected = 0;
  for (let w = 0; w < nWin; w++) {
    if (!counted[w]) continue;
    windows++;
    if (best[w] === Number.NEGATIVE_INFINITY) raw -= cost.fnWeight;
    else {
      raw += best[w];
      windowsDetected++;
    }
  }
  return { key: labels.key, raw, tp, fp, fn, tn, windowsDetected, windows };
}

/** NAB's normalisation: 100 × (raw − null) / (perfect − null); null misses every window, perfect hits each at its start. */
export function normaliseScore(raw: number, nullRaw: number, perfectRaw: number): number {
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}
