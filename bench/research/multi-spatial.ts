// Research: HTM's "spatial anomaly" rule applied to several features (value, rolling means, rolling std).
import { defineDetector, param } from '../../lib/sdk/index.ts';

class Ring {
  readonly buf: Float64Array;
  n = 0;
  i = 0;
  sum = 0;
  sumSq = 0;
  constructor(size: number) {
    this.buf = new Float64Array(size);
  }
  push(x: number): void {
    if (this.n === this.buf.length) {
      const o = this.buf[this.i];
      this.sum -= o;
      this.sumSq -= o * o;
    } else this.n++;
    this.buf[this.i] = x;
    this.i = (this.i + 1) % this.buf.length;
    this.sum += x;
    this.sumSq += x * x;
  }
  full(): boolean {
    return this.n === this.buf.length;
  }
  mean(): number {
    return this.sum / this.n;
  }
  std(): number {
    const m = this.sum / this.n;
    return Math.sqrt(Math.max(0, this.sumSq / this.n - m * m));
  }
}

class Extremes {
  min = Infinity;
  max = -Infinity;
  seen = 0;
  /** Excess beyond the known range, in units of the range; then learn the value. */
  check(x: number, learn: number): number {
    let e = 0;
    const r = this.max - this.min;
    if (this.seen >= learn && r > 0) {
      if (x > this.max) e = (x - this.max) / r;
      else if (x < this.min) e = (this.min - x) / r;
    }
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.seen++;
    return e;
  }
}

export const multiSpatial = defineDetector({
  name: 'multi-spatial',
  description: 'research',
  params: {
    tol: param.number({ default: 0.05, min: 0, description: '' }),
    learn: param.integer({ default: 150, min: 1, description: '' }),
    suppress: param.integer({ default: 0, min: 0, description: '' }),
    w1: param.integer({ default: 0, min: 0, description: 'mean scale 1 (0 off)' }),
    w2: param.integer({ default: 0, min: 0, description: 'mean scale 2 (0 off)' }),
    sw: param.integer({ default: 0, min: 0, description: 'std scale (0 off)' }),
    useValue: param.boolean({ default: true, description: '' }),
  },
  online: ({ tol, learn, suppress, w1, w2, sw, useValue }) => {
    const ev = new Extremes();
    const r1 = w1 ? new Ring(w1) : undefined;
    const r2 = w2 ? new Ring(w2) : undefined;
    const rs = sw ? new Ring(sw) : undefined;
    const e1 = new Extremes();
    const e2 = new Extremes();
    const es = new Extremes();
    let seen = 0;
    let since = Infinity;
    return {
      update(_t, v) {
        if (!Number.isFinite(v)) return NaN;
        seen++;
        since++;
        let e = useValue ? ev.check(v, learn) : 0;
        if (r1) {
          r1.push(v);
          if (r1.full()) e = Math.max(e, e1.check(r1.mean(), learn));
        }
        if (r2) {
          r2.push(v);
          if (r2.full()) e = Math.max(e, e2.check(r2.mean(), learn));
        }
        if (rs) {
          rs.push(v);
          if (rs.full()) e = Math.max(e, es.check(rs.std(), learn));
        }
        let score = tol > 0 ? e / tol : e > 0 ? 2 : 0;
        if (seen <= learn) return NaN;
        if (score >= 1) {
          if (since <= suppress) score = Math.min(score, 0.5);
          else since = 0;
        }
        return score;
      },
    };
  },
});
