// Run a detector causally over one series, exactly as the dispatcher would: a fresh online instance,
// one sample at a time, in file order; it never sees a later sample before scoring an earlier one.
import type { AnyDetector } from '../sdk/detector.ts';

/**
 * Detector scores are ≥ 0 with 1 = "anomalous" and NaN = "no opinion yet"; NAB wants [0, 1]. s/(1+s) is
 * monotonic, so the corpus-wide threshold the optimiser picks maps back to a detector score exactly.
 */
export function toNabScore(score: number): number {
  if (!(score > 0)) return 0; // NaN, 0, negatives
  if (score === Number.POSITIVE_INFINITY) return 1;
  return score / (1 + score);
}

/** The detector score that a NAB threshold t in [0, 1) stands for (the inverse of toNabScore). */
export function fromNabThreshold(threshold: number): number {
  return threshold >= 1 ? Number.POSITIVE_INFINITY : threshold / (1 - threshold);
}

export interface FileRun {
  /** NAB anomaly scores in [0, 1], row-aligned with the input. */
  scores: Float64Array;
  /** Wall time spent in update() calls, nanoseconds. */
  elapsedNs: number;
}

export function runDetectorOnSeries(detector: AnyDetector, params: unknown, timestamps: Float64Array, values: Float64Array): FileRun {
  const online = detector.createOnline(params as Parameters<AnyDetector["createOnline"]>[0]);
  const n = timestamps.length;
  const raw = new Float64Array(n);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) raw[i] = online.update(timestamps[i], values[i]);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = toNabScore(raw[i]);
  return { scores, elapsedNs };
}
