// Series from Prometheus onto the window's step grid: one timestamp per step from start to end, and
// NaN where Prometheus had no sample, so detectors see gaps as gaps instead of neighbouring points
// pulled together. NaN (and ±Inf) stay numbers here, in compact double arrays; JSON.stringify writes
// them as null, the wire form of a missing sample. All series of a window share one timestamps array.
import type { WindowSeries } from '../contracts/types.ts';
import type { RangeSeries } from '../prometheus/range.ts';

export function gridTimestamps(start: number, end: number, stepMs: number): number[] {
  const n = Math.floor((end - start) / stepMs) + 1;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = start + i * stepMs;
  return out;
}

/**
 * Place each series on the grid; NaN and ±Inf become NaN (null on the wire). Points off the grid
 * (another step's data) are dropped and counted.
 */
export function alignToGrid(series: RangeSeries[], grid: number[], stepMs: number): { series: WindowSeries[]; offGrid: number; points: number } {
  const n = grid.length;
  const start = grid[0];
  const out: WindowSeries[] = new Array(series.length);
  let offGrid = 0;
  let points = 0;
  for (let s = 0; s < series.length; s++) {
    const { timestamps, values } = series[s];
    const aligned = new Array<number>(n).fill(Number.NaN);
    for (let i = 0; i < timestamps.length; i++) {
      const index = (timestamps[i] - start) / stepMs;
      if (!Number.isInteger(index) || index < 0 || index >= n) {
        offGrid++;
        continue;
      }
      const v = values[i];
      if (Number.isFinite(v)) {
        aligned[index] = v;
        points++;
      }
    }
    out[s] = { labels: series[s].labels, timestamps: grid, values: aligned };
  }
  return { series: out, offGrid, points };
}
