// The detector SDK: a detector is written once, in its online form (one sample in, a score out, state
// kept) or, for an inherently batch algorithm, in its window form. The SDK derives the other form, so
// the dispatcher (online) and detector functions (window) run the same code.
//
// Score convention, shared by every detector: a non-negative number; >= 1 means anomalous, larger is
// more anomalous; NaN means "no opinion yet" (warming up, or the sample is missing and the detector
// does not judge absence). Scores are capped at MAX_SCORE so they always fit in JSON.
import type { Expected } from '../contracts/types.ts';
import { resolveParams, type ParamSpecs, type ParamValues } from './params.ts';

export const MAX_SCORE = 1e6;

export interface OnlineDetector {
  /** Feed one sample (value NaN = missing sample); returns its score. Samples arrive in time order. */
  update(timestamp: number, value: number): number;
  /** Expected range for the most recent sample, where the algorithm has one. */
  expected?(): Expected | undefined;
}

/** Scores of every point of a window; lower/upper hold the expected range (NaN where unknown). */
export interface WindowScores {
  scores: Float64Array;
  lower?: Float64Array;
  upper?: Float64Array;
}

export type WindowFn<P> = (params: P, timestamps: ArrayLike<number>, values: ArrayLike<number>) => WindowScores;

export interface DetectorSpec<S extends ParamSpecs> {
  /** DNS-label style name; served as the function `detector-<name>`. */
  name: string;
  description: string;
  params: S;
  /** The online form. Preferred: the SDK derives the window form from it. */
  online?: (params: ParamValues<S>) => OnlineDetector;
  /** The window form, only for algorithms that are inherently batch. */
  window?: WindowFn<ParamValues<S>>;
  /** Trailing samples a window-only detector needs when run online (default 120). */
  history?: (params: ParamValues<S>) => number;
}

export interface Detector<S extends ParamSpecs = ParamSpecs> {
  readonly name: string;
  readonly description: string;
  readonly params: S;
  /** Validate raw parameters (from config or an event); throws ParamError naming the field. */
  resolveParams(raw?: unknown, path?: string): ParamValues<S>;
  createOnline(params: ParamValues<S>): OnlineDetector;
  scoreWindow(params: ParamValues<S>, timestamps: ArrayLike<number>, values: ArrayLike<number>): WindowScores;
}

/** Any detector, whatever its parameters: what registries and runners hold. */
export type AnyDetector = Detector<any>;

const NAME = /^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/;

export function defineDetector<S extends ParamSpecs>(spec: DetectorSpec<S>): Detector<S> {
  if (!NAME.test(spec.name)) throw new Error(`defineDetector: name "${spec.name}" must be lowercase letters, digits and dashes`);
  if (!spec.online && !spec.window) throw new Error(`defineDetector(${spec.name}): provide an online or a window form`);
  const online = spec.online;
  const window = spec.window;
  return Object.freeze({
    name: spec.name,
    description: spec.description,
    params: spec.params,
    resolveParams: (raw?: unknown, path = 'params') => resolveParams(spec.params, raw, path),
    createOnline: online
      ? (params: ParamValues<S>) => online(params)
      : (params: ParamValues<S>) => onlineFromWindow(window!, params, spec.history?.(params) ?? 120),
    scoreWindow: window
      ? (params: ParamValues<S>, t: ArrayLike<number>, v: ArrayLike<number>) => window(params, t, v)
      : (params: ParamValues<S>, t: ArrayLike<number>, v: ArrayLike<number>) => windowFromOnline(online!(params), t, v),
  });
}

/** Run a fresh online detector over a window, sample by sample: exactly what the dispatcher computes. */
function windowFromOnline(detector: OnlineDetector, timestamps: ArrayLike<number>, values: ArrayLike<number>): WindowScores {
  const n = timestamps.length;
  const scores = new Float64Array(n);
  let lower: Float64Array | undefined;
  let upper: Float64Array | undefined;
  for (let i = 0; i < n; i++) {
    const score = clampScore(detector.update(timestamps[i], values[i]));
    scores[i] = score;
    if (score >= 1 && detector.expected) {
      const range = detector.expected();
      if (range) {
        lower ??= new Float64Array(n).fill(NaN);
        upper ??= new Float64Array(n).fill(NaN);
        lower[i] = range.lower;
        upper[i] = range.upper;
      }
    }
  }
  return { scores, lower, upper };
}

/** Run a batch algorithm online over its trailing history; the score of the newest point is the answer. */
function onlineFromWindow<P>(window: WindowFn<P>, params: P, history: number): OnlineDetector {
  const times = new Float64Array(history);
  const values = new Float64Array(history);
  let count = 0;
  let last: Expected | undefined;
  return {
    update(timestamp, value) {
      if (count === history) {
        times.copyWithin(0, 1);
        values.copyWithin(0, 1);
        count--;
      }
      times[count] = timestamp;
      values[count] = value;
      count++;
      const result = window(params, times.subarray(0, count), values.subarray(0, count));
      const i = count - 1;
      last = result.lower && result.upper && !Number.isNaN(result.lower[i]) ? { lower: result.lower[i], upper: result.upper[i] } : undefined;
      return clampScore(result.scores[i]);
    },
    expected: () => last,
  };
}

export function clampScore(score: number): number {
  if (Number.isNaN(score)) return NaN;
  if (score < 0) return 0;
  return score > MAX_SCORE ? MAX_SCORE : score;
}
