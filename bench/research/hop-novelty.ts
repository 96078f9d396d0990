// Research: the novelty detector with shape evaluated every `hop` samples (overlapping block means).
import { defineDetector, MAX_SCORE, param } from '../../lib/sdk/index.ts';
import { RangeCheck } from '../../lib/detectors/default/range-check.ts';

class HopNovelty {
  readonly block: number;
  readonly hop: number;
  readonly gap: number;
  readonly window: number;
  readonly memory: number;
  readonly raw: Float64Array;
  readonly means: Float64Array;
  readonly recent: Float64Array;
  rawCount = 0;
  rawSum = 0;
  entries = 0;
  recentCount = 0;
  n = 0;
  mean = 0;
  m2 = 0;
  rawZ = NaN;
  rn = 0;
  rmean = 0;
  rm2 = 0;
  calib = 'z';
  q = 0.95;
  hist = new Float64Array(1);
  histN = 0;
  scratch = new Float64Array(1);
  constructor(block: number, hop: number, window: number, memory: number, smooth: number) {
    this.block = block;
    this.hop = hop;
    this.gap = Math.max(1, Math.round(block / hop));
    this.window = window;
    this.memory = memory;
    this.raw = new Float64Array(block);
    this.means = new Float64Array(memory);
    this.recent = new Float64Array(smooth);
  }
  push(v: number): number {
    const i = this.rawCount % this.block;
    this.rawSum += v - (this.rawCount >= this.block ? this.raw[i] : 0);
    this.raw[i] = v;
    this.rawCount++;
    if (this.rawCount < this.block || (this.rawCount - this.block) % this.hop !== 0) return NaN;
    const { means, memory, window, gap } = this;
    means[this.entries % memory] = this.rawSum / this.block;
    const k = this.entries++;
    const span = (window - 1) * gap; // newest window: k - span .. k step gap
    if (k < span + window * gap + gap) return NaN;
    const first = Math.max(span, this.entries - memory + span);
    const last = k - window * gap;
    let best = Infinity;
    for (let j = first; j <= last; j++) {
      let sum = 0;
      for (let w = 0; w < window; w++) {
        const d = means[(j - span + w * gap) % memory] - means[(k - span + w * gap) % memory];
        sum += d * d;
        if (sum >= best) break;
      }
      if (sum < best) best = sum;
    }
    let d = Math.sqrt(best / window);
    {
      const sd = Math.sqrt(this.rm2 / Math.max(1, this.rn - 1));
      this.rawZ = this.rn > 1 ? (d - this.rmean) / Math.max(sd, 1e-12) : NaN;
      this.rn++;
      const delta = d - this.rmean;
      this.rmean += delta / this.rn;
      this.rm2 += delta * (d - this.rmean);
    }
    const s = this.recent.length;
    this.recent[this.recentCount++ % s] = d;
    const c = Math.min(this.recentCount, s);
    let acc = 0;
    for (let q = 0; q < c; q++) acc += this.recent[q];
    d = acc / c;
    const sd = Math.sqrt(this.m2 / Math.max(1, this.n - 1));
    let z = this.n > 1 ? (d - this.mean) / Math.max(sd, 1e-12) : NaN;
    if (this.calib === 'q') {
      const cap = this.hist.length;
      const c = Math.min(this.histN, cap);
      if (c >= 10) {
        this.scratch.set(this.hist.subarray(0, c));
        const sorted = this.scratch.subarray(0, c).sort();
        const qv = sorted[Math.min(c - 1, Math.floor(this.q * c))];
        z = d / Math.max(qv, 1e-12);
      } else z = NaN;
      this.hist[this.histN++ % cap] = d;
    } else if (this.calib === 'qz') {
      // median + spread from quantiles
      const cap = this.hist.length;
      const c = Math.min(this.histN, cap);
      if (c >= 10) {
        this.scratch.set(this.hist.subarray(0, c));
        const sorted = this.scratch.subarray(0, c).sort();
        const med = sorted[Math.floor(0.5 * c)];
        const qv = sorted[Math.min(c - 1, Math.floor(this.q * c))];
        z = (d - med) / Math.max(qv - med, 1e-12);
      } else z = NaN;
      this.hist[this.histN++ % cap] = d;
    }
    this.n++;
    const delta = d - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (d - this.mean);
    return z;
  }
}

/** Range check over the last `blocks` blocks of `size` samples (plus the current partial block). */
class WindowedRange {
  readonly size: number;
  readonly maxs: Float64Array;
  readonly mins: Float64Array;
  count = 0;
  n = 0;
  curMax = -Infinity;
  curMin = Infinity;
  max = -Infinity;
  min = Infinity;
  tolerance: number;
  constructor(size: number, blocks: number, tolerance: number) {
    this.size = size;
    this.maxs = new Float64Array(blocks);
    this.mins = new Float64Array(blocks);
    this.tolerance = tolerance;
  }
  score(v: number): number {
    const hi = Math.max(this.max, this.curMax);
    const lo = Math.min(this.min, this.curMin);
    const range = hi - lo;
    let excess = 0;
    if (range > 0) {
      if (v > hi) excess = v - hi;
      else if (v < lo) excess = lo - v;
    }
    if (v > this.curMax) this.curMax = v;
    if (v < this.curMin) this.curMin = v;
    if (++this.n === this.size) {
      const cap = this.maxs.length;
      this.maxs[this.count % cap] = this.curMax;
      this.mins[this.count % cap] = this.curMin;
      this.count++;
      this.n = 0;
      this.curMax = -Infinity;
      this.curMin = Infinity;
      let mx = -Infinity;
      let mn = Infinity;
      for (let i = 0; i < Math.min(this.count, cap); i++) {
        if (this.maxs[i] > mx) mx = this.maxs[i];
        if (this.mins[i] < mn) mn = this.mins[i];
      }
      this.max = mx;
      this.min = mn;
    }
    if (excess === 0) return 0;
    const allowance = this.tolerance * range;
    return allowance > 0 ? excess / allowance : Infinity;
  }
}

export const hopNovelty = defineDetector({
  name: 'hop-novelty',
  description: 'research',
  params: {
    tolerance: param.number({ default: 0.005, min: 0, description: '' }),
    noise: param.number({ default: 0, min: 0, description: '' }),
    block: param.integer({ default: 12, min: 1, description: '' }),
    hop: param.integer({ default: 12, min: 1, description: '' }),
    window: param.integer({ default: 3, min: 1, description: '' }),
    memory: param.integer({ default: 500, min: 8, description: 'entries (hops)' }),
    smooth: param.integer({ default: 3, min: 1, description: 'evaluations averaged' }),
    sigmas: param.number({ default: 2, min: 0, description: '' }),
    warmup: param.integer({ default: 150, min: 1, description: '' }),
    refractory: param.integer({ default: 72, min: 0, description: '' }),
    damp: param.number({ default: 10, min: 1, description: '' }),
    calib: param.string({ default: 'z', oneOf: ['z', 'q', 'qz'], description: '' }),
    q: param.number({ default: 0.95, min: 0, max: 1, description: '' }),
    rangeMem: param.integer({ default: 0, min: 0, description: 'blocks of range memory (0: all history)' }),
    extend: param.number({ default: 0, min: 0, description: 'undamped score that extends the refractory period (0 off)' }),
    sigmasRaw: param.number({ default: 0, min: 0, description: '0 off' }),
    histSize: param.integer({ default: 500, min: 10, description: '' }),
  },
  online: (p) => {
    const range = p.rangeMem > 0 ? new WindowedRange(p.block, p.rangeMem, p.tolerance) : new RangeCheck({ tolerance: p.tolerance, noise: p.noise, block: p.block, blocks: 4096 });
    const shape = new HopNovelty(p.block, p.hop, p.window, p.memory, p.smooth);
    shape.calib = p.calib;
    shape.q = p.q;
    shape.hist = new Float64Array(p.histSize);
    shape.scratch = new Float64Array(p.histSize);
    let seen = 0;
    let lastAlert = -Infinity;
    return {
      update(_t, value) {
        if (!Number.isFinite(value)) return NaN;
        seen++;
        let score = range.score(value);
        const z = shape.push(value);
        if (seen <= p.warmup) return NaN;
        if (z / p.sigmas > score) score = z / p.sigmas;
        if (p.sigmasRaw > 0 && !Number.isNaN(z) && shape.rawZ / p.sigmasRaw > score) score = shape.rawZ / p.sigmasRaw;
        const undamped = score;
        let damped = false;
        if (seen - lastAlert <= p.refractory) {
          score /= p.damp;
          damped = true;
        }
        if (score >= 1 || (damped && p.extend > 0 && undamped >= p.extend)) lastAlert = seen;
        return Math.min(score, MAX_SCORE);
      },
    };
  },
});
