// Research: novelty of the recent shape (nearest neighbour among past downsampled windows) + spatial rule.
import { defineDetector, param } from '../../lib/sdk/index.ts';

export const patternNovelty = defineDetector({
  name: 'pattern-novelty',
  description: 'research',
  params: {
    tol: param.number({ default: 0.005, min: 0, description: 'spatial tolerance; 0 disables spatial' }),
    spatialOn: param.boolean({ default: true, description: '' }),
    step: param.integer({ default: 4, min: 1, description: 'downsampling step' }),
    m: param.integer({ default: 8, min: 1, description: 'window length in downsampled points' }),
    memory: param.integer({ default: 500, min: 10, description: 'downsampled points kept' }),
    learn: param.integer({ default: 150, min: 1, description: 'samples before scoring' }),
    calib: param.string({ default: 'max', oneOf: ['max', 'z', 'zlog', 'raw'], description: '' }),
    k: param.number({ default: 1, min: 0, description: 'novelty scale: score = d / (k · ref)' }),
    decay: param.number({ default: 0, min: 0, description: 'per-block decay of the max reference' }),
    agg: param.string({ default: 'mean', oneOf: ['mean', 'extreme'], description: '' }),
    dist: param.string({ default: 'rms', oneOf: ['rms', 'max'], description: '' }),
    novelOn: param.boolean({ default: true, description: '' }),
    norm: param.string({ default: 'range', oneOf: ['range', 'none'], description: '' }),
    ew: param.number({ default: 0, min: 0, max: 1, description: 'EW weight of the d statistics (0: all history)' }),
    refractory: param.integer({ default: 0, min: 0, description: 'samples after an alert with damped scores' }),
    damp: param.number({ default: 4, min: 1, description: 'divisor of scores in the refractory period' }),
  },
  online: ({ tol, spatialOn, step, m, memory, learn, calib, k, decay, agg, dist, novelOn, norm, ew, refractory, damp }) => {
    let min = Infinity;
    let max = -Infinity;
    let seen = 0;
    const seq = new Float64Array(memory);
    let count = 0; // downsampled points written
    let blockSum = 0;
    let blockN = 0;
    let blockMax = -Infinity;
    let blockMin = Infinity;
    let ma = NaN;
    let ref = 0;
    let refN = 0;
    let dMean = 0;
    let dM2 = 0;
    const at = (j: number) => seq[j % memory];
    let lastAlert = -Infinity;
    return {
      update(_t, v) {
        if (!Number.isFinite(v)) return NaN;
        seen++;
        let spatial = 0;
        const range0 = max - min;
        if (range0 > 0) {
          if (v > max) spatial = (v - max) / range0;
          else if (v < min) spatial = (min - v) / range0;
        }
        if (v < min) min = v;
        if (v > max) max = v;
        blockSum += v;
        blockN++;
        if (v > blockMax) blockMax = v;
        if (v < blockMin) blockMin = v;
        let novel = 0;
        if (blockN === step) {
          const mean = blockSum / blockN;
          let x = mean;
          if (agg === 'extreme') {
            ma = Number.isNaN(ma) ? mean : (ma + mean) / 2;
            x = Math.abs(blockMax - ma) >= Math.abs(blockMin - ma) ? blockMax : blockMin;
          }
          blockSum = 0;
          blockN = 0;
          blockMax = -Infinity;
          blockMin = Infinity;
          seq[count % memory] = x;
          count++;
          const range = max - min;
          // current window: points count-m .. count-1; candidates end at most at count-1-m
          if (count >= 2 * m + 1 && range > 0) {
            const first = Math.max(0, count - memory);
            let best = Infinity;
            for (let s = first; s + m - 1 <= count - 1 - m; s++) {
              let acc = 0;
              for (let i = 0; i < m; i++) {
                const d = at(s + i) - at(count - m + i);
                if (dist === 'rms') acc += d * d;
                else if (Math.abs(d) > acc) acc = Math.abs(d);
                if (acc >= best) break;
              }
              if (acc < best) best = acc;
            }
            let d = (dist === 'rms' ? Math.sqrt(best / m) : best) / (norm === 'range' ? range : 1);
            if (calib === 'zlog') d = Math.log(d + 1e-9 * range);
            if (seen > learn) {
              if (calib === 'max') novel = refN > 0 ? d / (k * Math.max(ref, 1e-9)) : 0;
              else if (calib === 'z' || calib === 'zlog') {
                const sd = Math.sqrt(dM2 / Math.max(1, refN - 1));
                novel = refN > 1 ? (d - dMean) / (k * Math.max(sd, 1e-6)) : 0;
              } else novel = d / k;
            }
            ref = Math.max(ref * (1 - decay), d);
            refN++;
            if (ew > 0 && refN > 1 / ew) {
              const delta = d - dMean;
              dMean += ew * delta;
              dM2 = (1 - ew) * (dM2 + ew * delta * delta * (refN - 1));
            } else {
              const delta = d - dMean;
              dMean += delta / refN;
              dM2 += delta * (d - dMean);
            }
          }
        }
        if (seen <= learn) return NaN;
        let score = 0;
        if (spatialOn) score = tol > 0 ? spatial / tol : spatial > 0 ? 2 : 0;
        if (novelOn && novel > score) score = novel;
        if (seen - lastAlert <= refractory) score /= damp;
        if (score >= 1) lastAlert = seen;
        return score;
      },
    };
  },
});
