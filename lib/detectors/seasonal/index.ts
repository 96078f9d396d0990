/**
 * Seasonal profile: the period (default a day; use 1w for weekly patterns) is cut into `bins` phase
 * bins, each with its own exponentially weighted mean and variance. A sample is compared with what
 * its phase looked like in earlier seasons, so a daily peak is normal but a spike at night is not.
 * Scores start once a whole period has been seen.
 *
 * Hand-written rather than @bsull/augurs: augurs' MSTL forecasters are batch (fit over the history),
 * while the dispatcher needs an O(1)-per-sample online form with a fixed memory budget.
 */
import { defineDetector, param } from '../../sdk/index.ts';

export const seasonal = defineDetector({
  name: 'seasonal',
  description: 'Per-phase EW mean/variance over a daily or weekly period.',
  params: {
    period: param.duration({ default: '1d', description: 'Length of one season (1d daily, 1w weekly).' }),
    bins: param.integer({ default: 96, min: 2, max: 10_080, description: 'Phase bins per period (96 = 15-minute bins over a day).' }),
    alpha: param.number({ default: 0.1, min: 0.0001, max: 1, description: 'EW weight of each new sample within its bin.' }),
    threshold: param.number({ default: 4, min: 0, description: 'Bin sigmas from the bin mean that count as anomalous.' }),
    minStdRatio: param.number({
      default: 0.05,
      min: 0,
      description: 'Floor on a bin sigma as a fraction of the mean absolute level (quiet bins are not hair-triggers).',
    }),
  },
  online: ({ period, bins, alpha, threshold, minStdRatio }) => {
    const means = new Float64Array(bins).fill(NaN);
    const variances = new Float64Array(bins);
    const binWidth = period / bins;
    let firstT = NaN;
    let level = NaN; // EW mean absolute level across all bins, for the sigma floor
    let center = NaN;
    let band = NaN;
    return {
      update(t, value) {
        if (Number.isNaN(value)) return NaN;
        if (Number.isNaN(firstT)) firstT = t;
        const bin = Math.floor((((t % period) + period) % period) / binWidth);
        const mean = means[bin];
        level = Number.isNaN(level) ? Math.abs(value) : level + 0.01 * (Math.abs(value) - level);
        let score = NaN;
        if (Number.isNaN(mean)) {
          means[bin] = value;
          return score;
        }
        const diff = value - mean;
        if (t - firstT >= period) {
          const sigma = Math.max(Math.sqrt(variances[bin]), minStdRatio * level);
          center = mean;
          band = threshold * sigma;
          score = band > 0 ? Math.abs(diff) / band : diff === 0 ? 0 : Number.POSITIVE_INFINITY;
        }
        const increment = alpha * diff;
        means[bin] = mean + increment;
        variances[bin] = (1 - alpha) * (variances[bin] + diff * increment);
        return score;
      },
      expected: () => (Number.isNaN(band) ? undefined : { lower: center - band, upper: center + band }),
    };
  },
});
