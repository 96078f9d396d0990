import { describe, expect, it } from 'vitest';
import { median, RollingStats } from '../../lib/sdk/rolling.ts';
import { seededRandom } from '../support/signals.ts';

function sortedMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

describe('median', () => {
  it('equals the sorted middle on random arrays, odd and even, with ties', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 3000; trial++) {
      const n = 1 + Math.floor(random() * 70);
      const levels = 1 + Math.floor(random() * 8); // few levels: many ties
      const values = Array.from({ length: n }, () => (trial % 3 === 0 ? Math.floor(random() * levels) : random() * 1e6 - 5e5));
      const scratch = new Float64Array(n + 5).fill(99); // values past n must be ignored
      scratch.set(values);
      expect(median(scratch, n)).toBe(sortedMedian(values));
      expect([...scratch.subarray(0, n)].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b)); // a permutation
    }
  });

  it('handles sorted, reversed and constant input and n = 0', () => {
    const up = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(median(up, 100)).toBe(49.5);
    const down = Float64Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(median(down, 101)).toBe(50);
    expect(median(new Float64Array(10).fill(3), 10)).toBe(3);
    expect(median(new Float64Array(4), 0)).toBeNaN();
  });
});

describe('RollingStats', () => {
  it('matches a direct mean and sample std of the last N values, also for large offsets', () => {
    const random = seededRandom(3);
    const stats = new RollingStats(20);
    const all: number[] = [];
    for (let i = 0; i < 500; i++) {
      const v = 1e12 + random() * 1000; // a large counter-like level: cancellation would show
      stats.push(v);
      all.push(v);
      const window = all.slice(-20);
      const mean = window.reduce((a, b) => a + b, 0) / window.length;
      expect(stats.mean()).toBeCloseTo(mean, 3);
      if (window.length >= 2) {
        const std = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / (window.length - 1));
        expect(Math.abs(stats.std() - std)).toBeLessThan(1e-6 * std + 1e-9);
      }
    }
  });
});
