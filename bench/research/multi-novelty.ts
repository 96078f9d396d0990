// Research: spatial rule + shape novelty at one or two downsampling scales + refractory period.
import { defineDetector, param } from '../../lib/sdk/index.ts';

/** Nearest-neighbour distance of the newest m-point window (block means) among older windows; z-scored. */
class Novelty {
  private readonly seq: Float64Array;
  private count = 0;
  private blockSum = 0;
  private blockN = 0;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private readonly recent: Float64Array;
  private ri = 0;
  readonly step: number;
  readonly m: number;
  readonly memory: number;
  readonly smooth: number;
  winsor = Infinity;
  warm = 0;
  constructor(step: number, m: number, memory: number, smooth: number) {
    this.step = step;
    this.m = m;
    this.memory = memory;
    this.smooth = smooth;
    this.seq = new Float64Array(memory * 2);
    this.recent = new Float64Array(Math.max(1, smooth));
  }
  feat = 'mean';
  private bMax = -Infinity;
  private bMin = Infinity;
  private bSq = 0;
  /** Returns the z-score of the novelty at block ends, NaN otherwise. */
  push(v: number): number {
    this.blockSum += v;
    this.bSq += v * v;
    if (v > this.bMax) this.bMax = v;
    if (v < this.bMin) this.bMin = v;
    if (++this.blockN < this.step) return NaN;
    const mean = this.blockSum / this.blockN;
    const f = this.feat === 'mean' ? 1 : 2;
    let a = mean;
    let b = 0;
    if (this.feat === 'minmax') (a = this.bMin), (b = this.bMax);
    else if (this.feat === 'meanstd') b = Math.sqrt(Math.max(0, this.bSq / this.blockN - mean * mean));
    else if (this.feat === 'meanrange') b = this.bMax - this.bMin;
    this.blockSum = 0;
    this.bSq = 0;
    this.blockN = 0;
    this.bMax = -Infinity;
    this.bMin = Infinity;
    const { seq, memory, m } = this;
    seq[(this.count % memory) * 2] = a;
    seq[(this.count % memory) * 2 + 1] = b;
    const count = ++this.count;
    if (count < 2 * m + 1) return NaN;
    let best = Infinity;
    const first = Math.max(0, count - memory);
    for (let s = first; s + m - 1 <= count - 1 - m; s++) {
      let acc = 0;
      for (let i = 0; i < m; i++) {
        const p = ((s + i) % memory) * 2;
        const q = ((count - m + i) % memory) * 2;
        const d = seq[p] - seq[q];
        acc += d * d;
        if (f === 2) {
          const e = seq[p + 1] - seq[q + 1];
          acc += e * e;
        }
        if (acc >= best) break;
      }
      if (acc < best) best = acc;
    }
    let d = Math.sqrt(best / m);
    if (this.smooth > 1) {
      this.recent[this.ri++ % this.smooth] = d;
      let s = 0;
      const k = Math.min(this.ri, this.smooth);
      for (let i = 0; i < k; i++) s += this.recent[i];
      d = s / k;
    }
    const sd = Math.sqrt(this.m2 / Math.max(1, this.n - 1));
    const z = this.n > 1 ? (d - this.mean) / Math.max(sd, 1e-12) : 0;
    if (count < this.warm) return NaN;
    if (this.winsor < 1e8 && this.n > 10 && sd > 0 && d > this.mean + this.winsor * sd) d = this.mean + this.winsor * sd;
    this.n++;
    const delta = d - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (d - this.mean);
    return z;
  }
}

/** Short-window mean absolute first difference, z-scored against all its history (volatility bursts). */
class Volatility {
  private readonly ring: Float64Array;
  private i = 0;
  private sum = 0;
  private prev = NaN;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private filled = 0;
  constructor(w: number) {
    this.ring = new Float64Array(w);
  }
  push(v: number): number {
    const prev = this.prev;
    this.prev = v;
    if (Number.isNaN(prev)) return NaN;
    const e = Math.abs(v - prev);
    const w = this.ring.length;
    this.sum += e - this.ring[this.i];
    this.ring[this.i] = e;
    this.i = (this.i + 1) % w;
    if (this.filled < w) {
      this.filled++;
      return NaN;
    }
    const a = this.sum / w;
    const sd = Math.sqrt(this.m2 / Math.max(1, this.n - 1));
    const z = this.n > w ? (a - this.mean) / Math.max(sd, 1e-12) : NaN;
    this.n++;
    const delta = a - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (a - this.mean);
    return z;
  }
}

export const multiNovelty = defineDetector({
  name: 'multi-novelty',
  description: 'research',
  params: {
    tol: param.number({ default: 0.005, min: 0, description: 'spatial tolerance (fraction of range) for score 1' }),
    learn: param.integer({ default: 150, min: 1, description: 'samples before scoring' }),
    step1: param.integer({ default: 12, min: 1, description: '' }),
    m1: param.integer({ default: 3, min: 1, description: '' }),
    mem1: param.integer({ default: 500, min: 10, description: '' }),
    k1: param.number({ default: 2.4, min: 0, description: 'z for score 1' }),
    step2: param.integer({ default: 0, min: 0, description: '0 = off' }),
    m2: param.integer({ default: 3, min: 1, description: '' }),
    mem2: param.integer({ default: 500, min: 10, description: '' }),
    k2: param.number({ default: 2.4, min: 0, description: '' }),
    smooth: param.integer({ default: 1, min: 1, description: 'average of the last novelties' }),
    feat: param.string({ default: 'mean', oneOf: ['mean', 'minmax', 'meanstd', 'meanrange'], description: '' }),
    fatigue: param.number({ default: 0, min: 0, description: 'added to the damping on each alert' }),
    halfLife: param.number({ default: 1000, min: 1, description: 'fatigue half-life, samples' }),
    volW: param.integer({ default: 0, min: 0, description: 'volatility window (0 off)' }),
    kv: param.number({ default: 6, min: 0, description: '' }),
    winsor: param.number({ default: 1e9, min: 0, description: '' }),
    warm: param.integer({ default: 0, min: 0, description: 'blocks before novelty stats' }),
    refractory: param.integer({ default: 50, min: 0, description: '' }),
    damp: param.number({ default: 4, min: 1, description: '' }),
  },
  online: (p) => {
    let min = Infinity;
    let max = -Infinity;
    let seen = 0;
    let lastAlert = -Infinity;
    let fat = 0;
    const decay = Math.pow(0.5, 1 / p.halfLife);
    const n1 = new Novelty(p.step1, p.m1, p.mem1, p.smooth);
    const n2 = p.step2 > 0 ? new Novelty(p.step2, p.m2, p.mem2, p.smooth) : undefined;
    const vol = p.volW > 0 ? new Volatility(p.volW) : undefined;
    for (const n of [n1, n2]) if (n) (n.winsor = p.winsor), (n.warm = p.warm), (n.feat = p.feat);
    return {
      update(_t, v) {
        if (!Number.isFinite(v)) return NaN;
        seen++;
        let spatial = 0;
        const range = max - min;
        if (range > 0) {
          if (v > max) spatial = (v - max) / range;
          else if (v < min) spatial = (min - v) / range;
        }
        if (v < min) min = v;
        if (v > max) max = v;
        const z1 = n1.push(v);
        const z2 = n2 ? n2.push(v) : NaN;
        const zv = vol ? vol.push(v) : NaN;
        if (seen <= p.learn) return NaN;
        let score = spatial / p.tol;
        if (z1 / p.k1 > score) score = z1 / p.k1;
        if (z2 / p.k2 > score) score = z2 / p.k2;
        if (zv / p.kv > score) score = zv / p.kv;
        fat *= decay;
        score /= 1 + fat;
        if (seen - lastAlert <= p.refractory) score /= p.damp;
        if (score >= 1) {
          lastAlert = seen;
          fat += p.fatigue;
        }
        return score;
      },
    };
  },
});
