/**
 * Static threshold: anomalous when the value leaves [lower, upper].
 * Score 1 at the bound, growing with the relative distance beyond it.
 *
 * @example
 * detectors: [{ name: threshold, match: '{__name__="queue_depth"}', params: { upper: 1000 } }]
 */
import { defineDetector, param } from '../../sdk/index.ts';

export const threshold = defineDetector({
  name: 'threshold',
  description: 'Static bounds: anomalous outside [lower, upper].',
  params: {
    upper: param.number({ default: Number.POSITIVE_INFINITY, description: 'Upper bound (inclusive).' }),
    lower: param.number({ default: Number.NEGATIVE_INFINITY, description: 'Lower bound (inclusive).' }),
  },
  online: ({ upper, lower }) => {
    const expected = { lower, upper };
    return {
      update(_t, value) {
        if (Number.isNaN(value)) return NaN;
        if (value > upper) return 1 + (value - upper) / (Math.abs(upper) || 1);
        if (value < lower) return 1 + (lower - value) / (Math.abs(lower) || 1);
        return 0;
      },
      expected: () => expected,
    };
  },
});
