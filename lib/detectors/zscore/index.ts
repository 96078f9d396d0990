/**
 * Rolling z-score: how many standard deviations the value lies from the mean of the previous
 * `window` samples, divided by `threshold` (so score 1 = exactly `threshold` sigmas).
 * The sample is scored against the past only, then added to the window (causal).
 */
import { defineDetector, param, RollingStats } from '../../sdk/index.ts';

export const zscore = defineDetector({
  name: 'zscore',
  description: 'Rolling z-score over the last `window` samples.',
  params: {
    threshold: param.number({ default: 4, min: 0, description: 'Sigmas from the rolling mean that count as anomalous.' }),
    window: param.integer({ default: 60, min: 2, max: 100_000, description: 'Samples in the rolling window.' }),
    warmup: param.integer({ default: 10, min: 2, description: 'Samples to see before scoring.' }),
    minStd: param.number({ default: 0, min: 0, description: 'Floor for the standard deviation (ignore tiny jitter).' }),
  },
  online: ({ threshold, window, warmup, minStd }) => {
    const stats = new RollingStats(window);
    let mean = NaN;
    let band = NaN;
    return {
      update(_t, value) {
        if (Number.isNaN(value)) return NaN;
        let score = NaN;
        if (stats.count >= Math.min(warmup, window)) {
          mean = stats.mean();
          const sigma = Math.max(stats.std(), minStd);
          band = threshold * sigma;
          const distance = Math.abs(value - mean);
          score = band > 0 ? distance / band : distance === 0 ? 0 : Number.POSITIVE_INFINITY;
        }
        stats.push(value);
        return score;
      },
      expected: () => (Number.isNaN(band) ? undefined : { lower: mean - band, upper: mean + band }),
    };
  },
});
