import { describe, expect, it } from 'vitest';
import type { WindowSeries } from '../../lib/contracts/types.ts';
import { BYTES_PER_POINT, chunkSeries, estimateSeriesBytes } from '../../lib/trigger/chunk.ts';
import { alignToGrid, gridTimestamps } from '../../lib/trigger/grid.ts';

describe('alignToGrid', () => {
  it('fills missing steps with NaN (null on the wire), NaN/Inf too, drops off-grid points, shares the grid', () => {
    const grid = gridTimestamps(1000, 5000, 1000);
    expect(grid).toEqual([1000, 2000, 3000, 4000, 5000]);
    const { series, offGrid, points } = alignToGrid(
      [
        { labels: { a: '1' }, timestamps: [1000, 3000, 5000], values: [1, 3, 5] },
        { labels: { a: '2' }, timestamps: [2000, 2500, 4000, 6000], values: [Number.NaN, 9, Number.POSITIVE_INFINITY, 7] },
      ],
      grid,
      1000,
    );
    expect(JSON.parse(JSON.stringify(series[0]))).toEqual({ labels: { a: '1' }, timestamps: grid, values: [1, null, 3, null, 5] });
    expect(series[1].values.every((v) => Number.isNaN(v))).toBe(true);
    expect(series[1].timestamps).toBe(series[0].timestamps);
    expect(offGrid).toBe(2);
    expect(points).toBe(3);
  });
});

describe('chunkSeries', () => {
  const make = (n: number, points: number): WindowSeries[] =>
    Array.from({ length: n }, (_, i) => ({ labels: { pod: `p${i}` }, timestamps: new Array(points).fill(0), values: new Array(points).fill(1) }));

  const cases = [
    { name: 'all fit', n: 10, points: 10, maxPoints: 1000, maxBytes: 1e9, want: [10] },
    { name: 'points budget', n: 10, points: 10, maxPoints: 30, maxBytes: 1e9, want: [3, 3, 3, 1] },
    { name: 'a series over budget travels alone', n: 3, points: 50, maxPoints: 30, maxBytes: 1e9, want: [1, 1, 1] },
    { name: 'byte budget', n: 4, points: 10, maxPoints: 1e9, maxBytes: 2 * (40 + 11 + 10 * BYTES_PER_POINT), want: [2, 2] },
    { name: 'no series', n: 0, points: 10, maxPoints: 10, maxBytes: 1e9, want: [] },
  ];
  it.each(cases)('$name', ({ n, points, maxPoints, maxBytes, want }) => {
    const series = make(n, points);
    const chunks = chunkSeries(series, { maxPoints, maxBytes });
    expect(chunks.map((c) => c.length)).toEqual(want);
    expect(chunks.flat()).toEqual(series);
  });

  it('estimates at least the real JSON size of a series of 13-digit timestamps and ordinary values', () => {
    const s: WindowSeries = { labels: { __name__: 'http_requests_total', pod: 'reviews-v1-abc' }, timestamps: Array.from({ length: 240 }, (_, i) => 1_700_000_000_000 + i * 15_000), values: Array.from({ length: 240 }, (_, i) => 1234.5678 + i / 7) };
    expect(estimateSeriesBytes(s)).toBeGreaterThanOrEqual(JSON.stringify(s).length);
  });
});
