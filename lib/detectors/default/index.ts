/**
 * The default detector, `novelty`: one parameter set for every series, online and causal, fixed memory.
 *
 * Two views of "never seen before", each scaled so that 1 means anomalous, and the larger one wins:
 * - range: the value lies beyond everything in memory by more than `tolerance` of that range
 *   (HTM's spatial anomaly rule, range-check.ts);
 * - shape: the recent shape (block means) is far from every older stretch in memory, relative to how
 *   far such distances usually are (shape-novelty.ts).
 * After an alert, scores are divided by `damp` for `refractory` samples, a period that goes on while the
 * novelty does (`sustain`): one incident, one alert, unless something much stronger follows.
 * Memory per series is fixed: 4 × `memory` numbers. See docs/default-detector.md (design, NAB scores, cost).
 */
import { defineDetector, MAX_SCORE, param } from '../../sdk/index.ts';
import { RangeCheck } from './range-check.ts';
import { ShapeNovelty } from './shape-novelty.ts';

export const novelty = defineDetector({
  name: 'novelty',
  description: 'Range and shape novelty with one parameter set for all series (the default detector).',
  params: {
    tolerance: param.number({ default: 0.005, min: 0, description: 'Excess beyond the range seen so far, as a fraction of it, that scores 1.' }),
    noise: param.number({ default: 0, min: 0, description: 'Excess beyond the range, in typical sample-to-sample steps, that scores 1 (if more than tolerance).' }),
    block: param.integer({ default: 12, min: 1, max: 10_000, description: 'Samples averaged into one block mean.' }),
    window: param.integer({ default: 3, min: 1, max: 100, description: 'Block means that make up a shape.' }),
    memory: param.integer({ default: 500, min: 8, max: 100_000, description: 'Blocks remembered: shapes are compared with these, and the range is theirs.' }),
    smooth: param.integer({ default: 3, min: 1, max: 100, description: 'Shape distances averaged before scoring.' }),
    sigmas: param.number({ default: 2, min: 0.01, description: 'Standard deviations above the usual shape distance that score 1.' }),
    warmup: param.integer({ default: 150, min: 1, description: 'Samples learnt before the first score.' }),
    refractory: param.integer({ default: 72, min: 0, description: 'Samples after an alert during which scores are damped.' }),
    damp: param.number({ default: 10, min: 1, description: 'Divisor of the scores during the refractory period.' }),
    sustain: param.number({ default: 0.5, min: 0, description: 'Undamped score that prolongs the refractory period while novelty goes on (0: never).' }),
  },
  online: (p) => {
    const range = new RangeCheck({ tolerance: p.tolerance, noise: p.noise, block: p.block, blocks: p.memory });
    const shape = new ShapeNovelty({ block: p.block, window: p.window, memory: p.memory, smooth: p.smooth, horizon: 10_000 });
    let seen = 0;
    let lastAlert = Number.NEGATIVE_INFINITY;
    return {
      update(_t, value) {
        if (!Number.isFinite(value)) return NaN;
        seen++;
        const rangeScore = range.score(value);
        const z = shape.push(value);
        if (seen <= p.warmup) return NaN;
        let score = rangeScore;
        if (z / p.sigmas > score) score = z / p.sigmas;
        if (seen - lastAlert <= p.refractory) {
          // Still the same incident while the novelty goes on: only a much stronger signal alerts again.
          if (p.sustain > 0 && score >= p.sustain) lastAlert = seen;
          score /= p.damp;
        }
        if (score >= 1) lastAlert = seen;
        return Math.min(score, MAX_SCORE);
      },
      expected: () => range.bounds(),
    };
  },
});
