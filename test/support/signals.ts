// Deterministic test signals where the right answer is known.

import { createRandom } from '../../bench/fixtures/random.ts';

/** A seeded PRNG (mulberry32, shared with the bench fixtures) so every test run sees the same noise. */
export const seededRandom = createRandom;

/** Standard normal noise from a seeded uniform source (Box-Muller). */
export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface Signal {
  timestamps: number[];
  values: number[];
}

export const T0 = Date.UTC(2026, 0, 1);

/** n samples every stepMs of f(i), starting at T0. */
export function makeSignal(n: number, stepMs: number, f: (i: number, t: number) => number): Signal {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = T0 + i * stepMs;
    timestamps.push(t);
    values.push(f(i, t));
  }
  return { timestamps, values };
}
