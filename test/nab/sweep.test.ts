import { describe, expect, it } from 'vitest';
import type { NabFile } from '../../lib/nab/corpus.ts';
import { labelFile } from '../../lib/nab/label-points.ts';
import { NAB_PROFILES } from '../../lib/nab/profiles.ts';
import { scoreFile } from '../../lib/nab/score-file.ts';
import { prepareSweep, sweepBest, NO_DETECTION_THRESHOLD } from '../../lib/nab/sweep.ts';

function file(n: number, windows: Array<[number, number]>): NabFile {
  const timestamps = Float64Array.from({ length: n }, (_, i) => i * 1000);
  return { key: `c/${n}.csv`, category: 'c', name: String(n), timestamps, values: new Float64Array(n), windows };
}

// Deterministic pseudo-random scores, quantised so that ties occur.
function scoresFor(n: number, seed: number): Float64Array {
  let x = seed;
  return Float64Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.round((x / 2147483648) * 40) / 40;
  });
}

describe('scoreFile', () => {
  const labels = labelFile(file(40, [[20_000, 27_000]]));
  const cost = NAB_PROFILES.standard;
  it.each([
    ['nothing detected: one missed window', [], -1],
    ['detection at the window start: +tpWeight', [20], 1],
    ['only the earliest detection in a window counts', [22, 20, 25], 1],
    ['a far false positive costs fpWeight', [10], -1 - 0.11],
    ['TP plus an FP right after the window', [20, 28], 1 + 0.11 * (2 / (1 + Math.exp(5 / 7)) - 1)],
    ['detections in the probationary period are ignored', [2], -1],
  ])('%s', (_name, hits, expected) => {
    const scores = new Float64Array(40);
    for (const i of hits as number[]) scores[i] = 1;
    expect(scoreFile(labels, scores, cost, 0.5).raw).toBeCloseTo(expected as number, 10);
  });
});

describe('sweepBest', () => {
  it.each(Object.entries(NAB_PROFILES))('finds the best corpus-wide threshold (%s), matching brute force', (_name, cost) => {
    const files = [file(200, [[60_000, 80_000], [150_000, 170_000]]), file(120, []), file(300, [[250_000, 270_000]])];
    const labels = files.map((f) => labelFile(f));
    const scores = files.map((f, i) => scoresFor(f.timestamps.length, i + 7));
    const best = sweepBest(prepareSweep(labels, scores), cost);
    const candidates = [NO_DETECTION_THRESHOLD, ...new Set(scores.flatMap((s) => Array.from(s)))];
    const brute = Math.max(...candidates.map((t) => labels.reduce((sum, l, f) => sum + scoreFile(l, scores[f], cost, t).raw, 0)));
    expect(best.raw).toBeCloseTo(brute, 10);
    const atBest = labels.reduce((sum, l, f) => sum + scoreFile(l, scores[f], cost, best.threshold).raw, 0);
    expect(atBest).toBeCloseTo(best.raw, 10);
  });

  it('prefers detecting nothing when every detection is a false positive', () => {
    const f = file(100, [[50_000, 60_000]]);
    const scores = new Float64Array(100);
    scores[90] = 0.9;
    const best = sweepBest(prepareSweep([labelFile(f)], [scores]), NAB_PROFILES.standard);
    expect(best.threshold).toBe(NO_DETECTION_THRESHOLD);
    expect(best.raw).toBe(-1);
  });
});
