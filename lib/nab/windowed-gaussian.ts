// NAB's "windowed Gaussian" baseline (nab/detectors/gaussian/windowedGaussian_detector.py), rewritten as
// a Deucalion detector: a reference peer for `deucalion eval` and bench/detectors.ts. It is causal: each
// value is scored against the mean/std of up to 6,400 earlier values, refreshed every 100 samples.
// Its score is NAB's: 1 − Q(|z|), the Gaussian tail probability, so it lies in [0, 1].
import { defineDetector, erfc, param } from '../sdk/index.ts';

export const windowedGaussian = defineDetector({
  name: 'nab-windowed-gaussian',
  description: "NAB's windowed Gaussian baseline: 1 − Gaussian tail probability against a sliding window.",
  params: {
    windowSize: param.integer({ default: 6400, min: 2, description: 'Values in the window.' }),
    stepSize: param.integer({ default: 100, min: 1, description: 'The window slides (and refreshes) every stepSize values.' }),
  },
  online: ({ windowSize, stepSize }) => {
    const data = new Float64Array(windowSize); // ring buffer of the window
    let count = 0;
    let head = 0; // index of the oldest value once full
    const buffer = new Float64Array(stepSize);
    let buffered = 0;
    let mean = 0;
    let m2 = 0; // Welford's running sum of squared deviations while the window fills
    let std = 1;
    const refresh = () => {
      // Two passes over the window, like numpy.mean / numpy.std (population std).
      let sum = 0;
      for (let i = 0; i < count; i++) sum += data[i];
      mean = sum / count;
      let sq = 0;
      for (let i = 0; i < count; i++) sq += (data[i] - mean) ** 2;
      std = Math.sqrt(sq / count) || 0.000001;
    };
    return {
      update(_t, value) {
        if (Number.isNaN(value)) return NaN;
        const score = count > 0 ? 1 - 0.5 * erfc(Math.abs(value - mean) / std / Math.SQRT2) : 0;
        if (count < windowSize) {
          data[count++] = value;
          const delta = value - mean;
          mean += delta / count;
          m2 += delta * (value - mean);
          std = Math.sqrt(m2 / count) || 0.000001;
        } else {
          buffer[buffered++] = value;
          if (buffered === stepSize) {
            // Slide by stepSize: the oldest stepSize values make room for the buffered ones.
            for (let i = 0; i < stepSize; i++) {
              data[head] = buffer[i];
              head = (head + 1) % windowSize;
            }
            buffered = 0;
            refresh();
          }
        }
        // NAB's result files carry 12 decimals, and its published scores were computed from them.
        return Math.round(score * 1e12) / 1e12;
      },
    };
  },
});
