// HTM's "spatial anomaly" rule (NAB numenta detector), with a memory: a value beyond everything seen in
// the remembered past, by more than a small fraction of that range, is anomalous whatever the temporal
// model thinks. The past is kept as the maximum and minimum of each block of samples, for a fixed number
// of blocks, so an old extreme is forgotten after a while and memory stays fixed.

export interface RangeCheckOptions {
  /** Excess beyond the remembered range, as a fraction of it, that scores 1. */
  tolerance: number;
  /** Excess in typical sample-to-sample steps that scores 1, when that allowance is the larger one. */
  noise: number;
  /** Samples per block, and blocks remembered. */
  block: number;
  blocks: number;
}

export class RangeCheck {
  private readonly tolerance: number;
  private readonly noise: number;
  private readonly block: number;
  private readonly maxima: Float64Array;
  private readonly minima: Float64Array;
  private blocks = 0;
  private inBlock = 0;
  private blockMax = Number.NEGATIVE_INFINITY;
  private blockMin = Number.POSITIVE_INFINITY;
  /** Extremes of the completed blocks in memory. */
  private max = Number.NEGATIVE_INFINITY;
  private min = Number.POSITIVE_INFINITY;
  private last = NaN;
  private jitter = 0;

  constructor(options: RangeCheckOptions) {
    this.tolerance = options.tolerance;
    this.noise = options.noise;
    this.block = options.block;
    this.maxima = new Float64Array(options.blocks);
    this.minima = new Float64Array(options.blocks);
  }

  /** Score of `value` (0 inside the range, 1 just beyond the allowance), then learn it. */
  score(value: number): number {
    const upper = Math.max(this.max, this.blockMax);
    const lower = Math.min(this.min, this.blockMin);
    const range = upper - lower;
    const excess = range > 0 ? Math.max(value - upper, lower - value, 0) : 0;
    const allowance = Math.max(this.tolerance * range, this.noise * this.jitter);
    this.learn(value);
    if (excess === 0) return 0;
    return allowance > 0 ? excess / allowance : Number.POSITIVE_INFINITY;
  }

  /** The remembered range widened by the allowance: values inside it are not range anomalies. */
  bounds(): { lower: number; upper: number } | undefined {
    const upper = Math.max(this.max, this.blockMax);
    const lower = Math.min(this.min, this.blockMin);
    if (!(upper > lower)) return undefined;
    const allowance = Math.max(this.tolerance * (upper - lower), this.noise * this.jitter);
    return { lower: lower - allowance, upper: upper + allowance };
  }

  private learn(value: number): void {
    if (!Number.isNaN(this.last)) this.jitter += 0.01 * (Math.abs(value - this.last) - this.jitter);
    this.last = value;
    if (value > this.blockMax) this.blockMax = value;
    if (value < this.blockMin) this.blockMin = value;
    if (++this.inBlock < this.block) return;
    const capacity = this.maxima.length;
    const slot = this.blocks % capacity;
    const full = this.blocks >= capacity;
    const evictedMax = this.maxima[slot];
    const evictedMin = this.minima[slot];
    this.maxima[slot] = this.blockMax;
    this.minima[slot] = this.blockMin;
    this.blocks++;
    // Rescan only when the block that held an extreme leaves memory (rare); O(1) otherwise.
    if (this.blockMax >= this.max) this.max = this.blockMax;
    else if (full && evictedMax === this.max) this.max = extreme(this.maxima, Math.min(this.blocks, capacity), 1);
    if (this.blockMin <= this.min) this.min = this.blockMin;
    else if (full && evictedMin === this.min) this.min = extreme(this.minima, Math.min(this.blocks, capacity), -1);
    this.inBlock = 0;
    this.blockMax = Number.NEGATIVE_INFINITY;
    this.blockMin = Number.POSITIVE_INFINITY;
  }
}

/** Largest (sign 1) or smallest (sign -1) of the first n values. */
function extreme(values: Float64Array, n: number, sign: 1 | -1): number {
  let best = values[0];
  for (let i = 1; i < n; i++) if (sign * (values[i] - best) > 0) best = values[i];
  return best;
}
