/**
 * Exponentially weighted moving average and variance: reacts to level shifts within ~1/alpha samples
 * and needs O(1) memory. Score 1 = `threshold` EW standard deviations from the EW mean.
 */
import { defineDetector, param } from '../../sdk/index.ts';

export const ewma = defineDetector({
  name: 'ewma',
  description: 'EWMA mean and variance; anomalous beyond threshold EW sigmas.',
  params: {
    alpha: param.number({ default: 0.1, min: 0.0001, max: 1, description: 'Smoothing factor (weight of the newest sample).' }),
    threshold: param.number({ default: 4, min: 0, description: 'EW sigmas from the EW mean that count as anomalous.' }),
    warmup: param.integer({ default: 10, min: 1, description: 'Samples to see before scoring.' }),
  },
  online: ({ alpha, threshold, warmup }) => {
    let mean = NaN;
    let variance = 0;
    let seen = 0;
    let band = NaN;
    let center = NaN;
    return {
      update(_t, value) {
        if (Number.isNaN(value)) return NaN;
        if (seen === 0) {
          mean = value;
          seen = 1;
          return NaN;
        }
        const diff = value - mean;
        let score = NaN;
        if (seen >= warmup) {
          // The EW variance starts from 0; divide by the weight it has gathered so far (as Adam does).
          const weight = 1 - (1 - alpha) ** (seen - 1);
          band = threshold * Math.sqrt(weight > 0 ? variance / weight : variance);
          center = mean;
          score = band > 0 ? Math.abs(diff) / band : diff === 0 ? 0 : Number.POSITIVE_INFINITY;
        }
        const increment = alpha * diff;
        mean += increment;
        variance = (1 - alpha) * (variance + diff * increment);
        seen++;
        return score;
      },
      expected: () => (Number.isNaN(band) ? undefined : { lower: center - band, upper: center + band }),
    };
  },
});
