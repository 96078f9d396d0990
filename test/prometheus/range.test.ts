import { describe, expect, it } from 'vitest';
import { MAX_RESOLUTION, labelsKey, mergeRangeResults, parseSampleValue, splitRange } from '../../lib/prometheus/range.ts';

describe('splitRange', () => {
  const cases: { name: string; start: number; end: number; step: number; max?: number; want: [number, number][] }[] = [
    { name: 'one point', start: 0, end: 0, step: 15, want: [[0, 0]] },
    { name: 'fits in one request', start: 0, end: 150, step: 15, want: [[0, 150]] },
    { name: 'exactly max points', start: 0, end: 4 * 10, step: 10, max: 5, want: [[0, 40]] },
    { name: 'one point over', start: 0, end: 5 * 10, step: 10, max: 5, want: [[0, 40], [50, 50]] },
    { name: 'several, last partial', start: 100, end: 100 + 11 * 10, step: 10, max: 4, want: [[100, 130], [140, 170], [180, 210]] },
    { name: 'end not on the grid', start: 0, end: 95, step: 10, max: 5, want: [[0, 40], [50, 90]] },
  ];
  it.each(cases)('$name', ({ start, end, step, max, want }) => {
    expect(splitRange(start, end, step, max).map((r) => [r.start, r.end])).toEqual(want);
  });

  it('keeps every request within Prometheus’ 11,000 points and covers every grid point once', () => {
    const step = 1000;
    const end = 30_000 * step;
    const ranges = splitRange(0, end, step);
    const points = ranges.map((r) => (r.end - r.start) / step + 1);
    expect(points.every((p) => p <= MAX_RESOLUTION)).toBe(true);
    expect(points.reduce((a, b) => a + b, 0)).toBe(30_001);
    ranges.slice(1).forEach((r, i) => expect(r.start).toBe(ranges[i].end + step));
  });

  it.each([
    [0, 10, 0, /step must be positive/],
    [10, 0, 1, /end 0 is before start 10/],
  ])('rejects start=%s end=%s step=%s', (start, end, step, message) => {
    expect(() => splitRange(start, end, step)).toThrow(message);
  });
});

describe('mergeRangeResults', () => {
  it('joins the pieces of a series by label set, whatever the label order, and keeps new series', () => {
    const merged = mergeRangeResults([
      [{ labels: { a: '1', b: '2' }, timestamps: [0, 10], values: [1, 2] }],
      [
        { labels: { b: '2', a: '1' }, timestamps: [20], values: [3] },
        { labels: { a: '9' }, timestamps: [20], values: [7] },
      ],
    ]);
    expect(merged).toEqual([
      { labels: { a: '1', b: '2' }, timestamps: [0, 10, 20], values: [1, 2, 3] },
      { labels: { a: '9' }, timestamps: [20], values: [7] },
    ]);
  });

  it('distinguishes label sets that would collide if joined naively', () => {
    expect(labelsKey({ a: 'b,c' })).not.toBe(labelsKey({ a: 'b', c: '' }));
  });
});

describe('parseSampleValue', () => {
  it.each([
    ['1.5', 1.5],
    ['-3e2', -300],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
  ])('%s', (text, want) => expect(parseSampleValue(text)).toBe(want));
  it('NaN', () => expect(parseSampleValue('NaN')).toBeNaN());
});
