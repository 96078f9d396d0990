import { describe, expect, it } from 'vitest';
import { labelFile, MAX_TP, probationaryLength, scaledSigmoid } from '../../lib/nab/label-points.ts';
import type { NabFile } from '../../lib/nab/corpus.ts';

function file(timestamps: number[], windows: Array<[number, number]>): NabFile {
  return { key: 'cat/f.csv', category: 'cat', name: 'f', timestamps: Float64Array.from(timestamps), values: new Float64Array(timestamps.length), windows };
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i * 1000);

describe('scaledSigmoid', () => {
  it.each([
    [-1, 0.98661],
    [-0.5, 0.84828],
    [0, 0],
    [1, -0.98661],
    [2.999, -0.9999994],
    [3, -1],
    [10, -1],
  ])('σ(%d) = %d', (y, expected) => {
    expect(scaledSigmoid(y)).toBeCloseTo(expected, 5);
  });
  it('MAX_TP is the score of the earliest detection', () => {
    expect(MAX_TP).toBeCloseTo(2 / (1 + Math.exp(-5)) - 1, 12);
  });
});

describe('probationaryLength', () => {
  it.each([
    [7, 1],
    [1000, 150],
    [4032, 604],
    [5000, 750],
    [22695, 750],
  ])('%d rows → %d', (rows, expected) => {
    expect(probationaryLength(rows)).toBe(expected);
  });
});

describe('labelFile', () => {
  it('assigns rows to windows and weighs by position', () => {
    // 20 rows, one window over rows 10..13 (width 4).
    const l = labelFile(file(range(20), [[10_000, 13_000]]));
    expect(l.probation).toBe(3);
    expect(Array.from(l.windowOf)).toEqual([...Array(10).fill(-1), 0, 0, 0, 0, ...Array(6).fill(-1)]);
    expect(l.windowRows).toEqual([[10, 13]]);
    expect(l.unweighted[10]).toBeCloseTo(scaledSigmoid(-1), 12); // left edge: best
    expect(l.unweighted[13]).toBeCloseTo(scaledSigmoid(-0.25), 12);
    expect(l.unweighted[5]).toBe(-1); // no window before: full FP
    // After the window: distance past the right edge over (width − 1).
    expect(l.unweighted[14]).toBeCloseTo(scaledSigmoid(1 / 3), 12);
    expect(l.unweighted[19]).toBeCloseTo(scaledSigmoid(6 / 3), 12);
    expect(l.scoredWindows).toBe(1);
  });

  it('follows NAB on repeated timestamps: the right edge is the first row with the end time', () => {
    // Rows 5 and 6 share a timestamp (a DST repeat); the window ends at that time.
    const ts = [0, 1, 2, 3, 4, 5, 5, 6, 7, 8].map((x) => x * 1000);
    const l = labelFile(file(ts, [[3000, 5000]]));
    expect(l.windowRows).toEqual([[3, 5]]);
    expect(l.windowOf[6]).toBe(-1);
  });

  it('does not count a window that lies entirely in the probationary period', () => {
    const l = labelFile(file(range(100), [[2000, 4000], [50_000, 60_000]]));
    expect(l.probation).toBe(15);
    expect(l.windowRows.length).toBe(2);
    expect(l.scoredWindows).toBe(1);
    expect(l.labelledWindows).toBe(2);
  });

  it('snaps windows whose edges fall between samples', () => {
    const l = labelFile(file(range(20), [[9_500, 12_500]]));
    expect(l.windowRows).toEqual([[10, 12]]);
  });
});
