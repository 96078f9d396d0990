// Small fixed-size numeric buffers shared by the built-in detectors (allocation happens once).

/** Ring buffer with running sum and sum of squares: O(1) mean and variance over the last N values. */
export class RollingStats {
  readonly capacity: number;
  private readonly buffer: Float64Array;
  private start = 0;
  count = 0;
  // Sums are kept of (value - shift): shifting by a typical value avoids the cancellation that ruins
  // sum-of-squares variance on large values such as byte counters. Exact recompute every `capacity` pushes.
  private shift = NaN;
  private sum = 0;
  private sumSq = 0;
  private sinceRecompute = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.buffer = new Float64Array(capacity);
  }

  push(value: number): void {
    if (Number.isNaN(this.shift)) this.shift = value;
    if (this.count === this.capacity) {
      const old = this.buffer[this.start] - this.shift;
      this.sum -= old;
      this.sumSq -= old * old;
      this.buffer[this.start] = value;
      this.start = (this.start + 1) % this.capacity;
    } else {
      this.buffer[(this.start + this.count) % this.capacity] = value;
      this.count++;
    }
    const d = value - this.shift;
    this.sum += d;
    this.sumSq += d * d;
    if (++this.sinceRecompute >= this.capacity) this.recompute();
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    this.shift = this.mean();
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < this.count; i++) {
      const d = this.buffer[(this.start + i) % this.capacity] - this.shift;
      sum += d;
      sumSq += d * d;
    }
    this.sum = sum;
    this.sumSq = sumSq;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.shift + this.sum / this.count;
  }

  /** Sample standard deviation (n - 1). */
  std(): number {
    if (this.count < 2) return NaN;
    const m = this.sum / this.count;
    const variance = (this.sumSq - this.count * m * m) / (this.count - 1);
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  /** Copy the values, oldest first, into `out` (length >= count); returns count. */
  copyTo(out: Float64Array): number {
    for (let i = 0; i < this.count; i++) out[i] = this.buffer[(this.start + i) % this.capacity];
    return this.count;
  }
}

/** Median of the first n values of `scratch` (reordered in place). */
export function median(scratch: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const view = scratch.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? view[mid] : (view[mid - 1] + view[mid]) / 2;
}
