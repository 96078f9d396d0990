// Range arithmetic for /api/v1/query_range: Prometheus refuses more than 11,000 points per series
// ((end - start) / step > 11000 → 400 bad_data), so long ranges are split into sub-ranges on the same
// step grid and the pieces of each series are joined again by label set.
import type { Labels } from '../contracts/types.ts';

/** Prometheus' own limit (web/api/v1/api.go): (end - start) / step must not exceed it. */
export const MAX_RESOLUTION = 11_000;

export interface TimeRange {
  /** Unix ms, inclusive. */
  start: number;
  /** Unix ms, inclusive. */
  end: number;
}

/** A series of a range result; times in Unix ms, values NaN where Prometheus sent "NaN". */
export interface RangeSeries {
  labels: Labels;
  timestamps: number[];
  values: number[];
}

/**
 * Split [start, end] at `step` into contiguous sub-ranges of at most `maxPoints` evaluation points
 * each. Every sub-range starts on the grid of the first, and the next one starts one step after the
 * previous end, so no point is asked twice.
 */
export function splitRange(start: number, end: number, step: number, maxPoints = MAX_RESOLUTION): TimeRange[] {
  if (!(step > 0)) throw new RangeError(`step must be positive, got ${step}`);
  if (end < start) throw new RangeError(`end ${end} is before start ${start}`);
  if (!(maxPoints >= 1)) throw new RangeError(`maxPoints must be at least 1, got ${maxPoints}`);
  const span = (Math.floor(maxPoints) - 1) * step;
  const ranges: TimeRange[] = [];
  for (let from = start; from <= end; from += span + step) ranges.push({ start: from, end: Math.min(from + span, end) });
  return ranges;
}

/** Key of a label set, independent of the order Prometheus lists the labels in. */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}

/** Join the results of consecutive sub-ranges: each series' points end to end, in range order. */
export function mergeRangeResults(parts: RangeSeries[][]): RangeSeries[] {
  if (parts.length === 1) return parts[0];
  const byKey = new Map<string, RangeSeries>();
  for (const part of parts) {
    for (const series of part) {
      const key = labelsKey(series.labels);
      const seen = byKey.get(key);
      if (!seen) {
        byKey.set(key, { labels: series.labels, timestamps: [...series.timestamps], values: [...series.values] });
        continue;
      }
      for (let i = 0; i < series.timestamps.length; i++) {
        seen.timestamps.push(series.timestamps[i]);
        seen.values.push(series.values[i]);
      }
    }
  }
  return [...byKey.values()];
}

/** A sample value as Prometheus writes it: a decimal, "NaN", "+Inf" or "-Inf". */
export function parseSampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
