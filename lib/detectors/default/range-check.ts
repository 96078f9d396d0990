// HTM's "spatial anomaly" rule (NAB numenta detector): a value beyond everything seen so far, by more
// than a small fraction of the range seen so far, is anomalous whatever the temporal model thinks.

export class RangeCheck {
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private last = NaN;
  private jitter = 0;
  private readonly tolerance: number;
  private readonly noise: number;

  constructor(tolerance: number, noise: number) {
    this.tolerance = tolerance;
    this.noise = noise;
  }

  /**
   * How far `value` lies outside the known range, in units of the allowance (score 1 = just beyond it);
   * then learns the value. The allowance is `tolerance` of the range, or `noise` times the typical
   * step between samples if that is larger: a noisy series sets records by chance.
   */
  score(value: number): number {
    const range = this.max - this.min;
    let excess = 0;
    if (range > 0) {
      if (value > this.max) excess = value - this.max;
      else if (value < this.min) excess = this.min - value;
    }
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const allowance = Math.max(this.tolerance * range, this.noise * this.jitter);
    if (!Number.isNaN(this.last)) this.jitter += 0.01 * (Math.abs(value - this.last) - this.jitter);
    this.last = value;
    if (excess === 0) return 0;
    return allowance > 0 ? excess / allowance : Number.POSITIVE_INFINITY;
  }

  /** The known range widened by `tolerance` of itself: values inside it are not range anomalies. */
  bounds(tolerance: number): { lower: number; upper: number } | undefined {
    const range = this.max - this.min;
    if (!(range > 0)) return undefined;
    return { lower: this.min - tolerance * range, upper: this.max + tolerance * range };
  }
}
