// Window events are cut by series so none exceeds a point budget or an estimated byte budget (the
// function runtime refuses bodies over 8 MiB, platforms often less). A series is never split: a
// detector needs its whole history. A single series over budget travels alone.
import type { WindowSeries } from '../contracts/types.ts';

/** JSON bytes a point costs at most in practice: a 13-digit ms timestamp, a value, separators. */
export const BYTES_PER_POINT = 34;

export interface ChunkBudget {
  maxPoints: number;
  maxBytes: number;
  /** Bytes of everything in the event but the series (query text, params, envelope). */
  overheadBytes?: number;
}

export function estimateSeriesBytes(series: WindowSeries): number {
  let bytes = 40;
  for (const key in series.labels) bytes += key.length + series.labels[key].length + 6;
  return bytes + series.timestamps.length * BYTES_PER_POINT;
}

/** Consecutive groups of series, each within the budget (unless one series alone is over it). */
export function chunkSeries(series: WindowSeries[], budget: ChunkBudget): WindowSeries[][] {
  const chunks: WindowSeries[][] = [];
  let current: WindowSeries[] = [];
  let points = 0;
  let bytes = budget.overheadBytes ?? 0;
  for (const s of series) {
    const p = s.timestamps.length;
    const b = estimateSeriesBytes(s);
    if (current.length > 0 && (points + p > budget.maxPoints || bytes + b > budget.maxBytes)) {
      chunks.push(current);
      current = [];
      points = 0;
      bytes = budget.overheadBytes ?? 0;
    }
    current.push(s);
    points += p;
    bytes += b;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
