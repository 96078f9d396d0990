/**
 * Robust z-score from the rolling median and median absolute deviation (MAD): insensitive to the
 * outliers it is looking for. Score 1 = `threshold` robust sigmas (1.4826 × MAD) from the median.
 */
import { defineDetector, param, median } from '../../sdk/index.ts';

const MAD_TO_SIGMA = 1.4826;

export const mad = defineDetector({
  name: 'mad',
  description: 'Rolling median / MAD robust z-score.',
  params: {
    threshold: param.number({ default: 5, min: 0, description: 'Robust sigmas from the median that count as anomalous.' }),
    window: param.integer({ default: 60, min: 3, max: 10_000, description: 'Samples in the rolling window.' }),
    warmup: param.integer({ default: 10, min: 3, description: 'Samples to see before scoring.' }),
  },
  online: ({ threshold, window, warmup }) => {
    const ring = new Float64Array(window);
    const scratch = new Float64Array(window);
    let start = 0;
    let count = 0;
    let center = NaN;
    let band = NaN;
    return {
      update(_t, value) {
        if (Number.isNaN(value)) return NaN;
        let score = NaN;
        if (count >= Math.min(warmup, window)) {
          for (let i = 0; i < count; i++) scratch[i] = ring[(start + i) % window];
          center = median(scratch, count);
          for (let i = 0; i < count; i++) scratch[i] = Math.abs(ring[(start + i) % window] - center);
          let spread = median(scratch, count);
          // More than half the window equal: fall back to the mean absolute deviation so a step is seen.
          if (spread === 0) {
            let sum = 0;
            for (let i = 0; i < count; i++) sum += scratch[i];
            spread = (sum / count) * 1.2533; // mean abs deviation → sigma for a normal distribution
          }
          band = threshold * MAD_TO_SIGMA * spread;
          const distance = Math.abs(value - center);
          score = band > 0 ? distance / band : distance === 0 ? 0 : Number.POSITIVE_INFINITY;
        }
        if (count === window) {
          ring[start] = value;
          start = (start + 1) % window;
        } else {
          ring[(start + count) % window] = value;
          count++;
        }
        return score;
      },
      expected: () => (Number.isNaN(band) ? undefined : { lower: center - band, upper: center + band }),
    };
  },
});
