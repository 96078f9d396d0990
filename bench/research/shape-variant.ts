// Novelty of the recent shape of a series: the series is cut into blocks of `block` samples, each block
// becomes its mean, and the newest `window` block means are compared with every older run of `window`
// block means still in memory (nearest neighbour, RMS distance in the series' own units). A shape the
// series has shown before is close to some past run; a new level, a new waveform or a missing peak is
// far from all of them. The distance is averaged over the last `smooth` blocks and turned into a z-score
// against the history of distances, so a noisy series needs a proportionally larger surprise.
// Fixed memory: `memory` block means plus a few counters.

export interface ShapeVariantOptions {
  block: number;
  window: number;
  memory: number;
  smooth: number;
  /** Blocks after which the distance statistics turn from a plain average into an exponential one. */
  horizon: number;
}

export class ShapeVariant {
  private readonly block: number;
  private readonly window: number;
  private readonly memory: number;
  private readonly means: Float64Array;
  private readonly recent: Float64Array;
  private readonly horizon: number;
  private blocks = 0;
  private blockSum = 0;
  private blockCount = 0;
  private recentCount = 0;
  private statsCount = 0;
  private statsMean = 0;
  private statsVar = 0;
  private m2 = 0;

  constructor(options: ShapeVariantOptions) {
    this.block = options.block;
    this.window = options.window;
    this.memory = Math.max(options.memory, 2 * options.window + 1);
    this.means = new Float64Array(this.memory);
    this.recent = new Float64Array(options.smooth);
    this.horizon = options.horizon;
  }

  /** Feed one sample; at the end of a block returns the novelty z-score, otherwise NaN. */
  rel = 'none';
  private sq = 0;
  private readonly sds = new Float64Array(64);
  push(value: number): number {
    this.blockSum += value;
    this.sq += value * value;
    if (++this.blockCount < this.block) return NaN;
    const mean = this.blockSum / this.blockCount;
    const sdw = Math.sqrt(Math.max(0, this.sq / this.blockCount - mean * mean));
    this.sq = 0;
    this.blockSum = 0;
    this.blockCount = 0;
    this.means[this.blocks % this.memory] = mean;
    this.sds[this.blocks % 64] = sdw;
    this.blocks++;
    if (this.blocks < 2 * this.window + 1) return NaN;
    let raw = this.nearest();
    if (this.rel !== 'none') {
      let lvl = 0;
      let noise = 0;
      for (let i = 1; i <= this.window; i++) {
        lvl += Math.abs(this.means[(this.blocks - i) % this.memory]);
        noise += this.sds[(this.blocks - i) % 64];
      }
      lvl /= this.window;
      noise /= this.window;
      if (this.rel === 'level') raw /= lvl + 1e-9;
      else if (this.rel === 'sqrt') raw /= Math.sqrt(lvl) + 1e-9;
      else if (this.rel === 'noise') raw /= noise / Math.sqrt(this.block) + 1e-9;
      else if (this.rel === 'lognoise') raw = Math.log1p(raw / (noise / Math.sqrt(this.block) + 1e-9));
    }
    const distance = this.smoothed(raw);
    const sd = Math.sqrt(this.statsVar);
    const z = this.statsCount > 1 ? (distance - this.statsMean) / Math.max(sd, 1e-12) : NaN;
    this.learn(distance);
    return z;
  }

  /** RMS distance from the newest window to the closest older, non-overlapping window in memory. */
  private nearest(): number {
    const { means, memory, window } = this;
    const newest = this.blocks - window;
    const first = Math.max(0, this.blocks - memory);
    let best = Number.POSITIVE_INFINITY;
    for (let start = first; start + window <= newest; start++) {
      let sum = 0;
      for (let i = 0; i < window; i++) {
        const d = means[(start + i) % memory] - means[(newest + i) % memory];
        sum += d * d;
        if (sum >= best) break; // cannot beat the best any more
      }
      if (sum < best) best = sum;
    }
    return Math.sqrt(best / window);
  }

  private smoothed(distance: number): number {
    const n = this.recent.length;
    this.recent[this.recentCount % n] = distance;
    this.recentCount++;
    const k = Math.min(this.recentCount, n);
    let sum = 0;
    for (let i = 0; i < k; i++) sum += this.recent[i];
    return sum / k;
  }

  /** Mean and variance of the distances: the plain running ones, exponential past `horizon` blocks. */
  private learn(distance: number): void {
    this.statsCount++;
    const weight = 1 / Math.min(this.statsCount, this.horizon);
    const delta = distance - this.statsMean;
    this.statsMean += weight * delta;
    // Welford for the plain average (sample variance), its exponential analogue afterwards.
    if (this.statsCount <= this.horizon) {
      this.m2 += delta * (distance - this.statsMean);
      this.statsVar = this.statsCount > 1 ? this.m2 / (this.statsCount - 1) : 0;
    } else {
      this.statsVar = (1 - weight) * (this.statsVar + weight * delta * delta);
    }
  }
}
