// A user-written detector: flags a sample that jumps by more than `ratio` times the recent median.
// Serve it:  deucalion function examples/detectors/spike-ratio.ts --port 8080
// Try it:    deucalion invoke examples/detectors/spike-ratio.ts --data @examples/windows/spike.json
import { defineDetector, median, param } from 'deucalion';

export default defineDetector({
  name: 'spike-ratio',
  description: 'Anomalous when a value exceeds `ratio` × the median of the last `window` samples.',
  params: {
    ratio: param.number({ default: 3, min: 1, description: 'How many times the recent median counts as a spike.' }),
    window: param.integer({ default: 20, min: 3, description: 'Samples the median is taken over.' }),
  },
  online: ({ ratio, window }) => {
    const recent = new Float64Array(window);
    const scratch = new Float64Array(window);
    let count = 0;
    let next = 0;
    let center = NaN;
    return {
      update(_timestamp, value) {
        if (Number.isNaN(value)) return NaN;
        let score = NaN;
        if (count === window) {
          scratch.set(recent);
          center = median(scratch, count);
          score = center > 0 ? value / (ratio * center) : 0;
        }
        recent[next] = value;
        next = (next + 1) % window;
        count = Math.min(count + 1, window);
        return score;
      },
      expected: () => (Number.isNaN(center) ? undefined : { lower: 0, upper: ratio * center }),
    };
  },
});
