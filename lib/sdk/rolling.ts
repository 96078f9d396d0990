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

/** Median of the first n values of `scratch` (reordered in place). Quickselect: O(n), no allocation
 *  (sorting a subarray view was ~3x slower and allocated per call; mad calls this twice per sample). */
export function median(scratch: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const mid = n >> 1;
  select(scratch, n - 1, mid);
  const upper = scratch[mid];
  if (n % 2 === 1) return upper;
  // Even n: the lower middle value is the largest of the part left of `mid`.
  let lower = scratch[0];
  for (let i = 1; i < mid; i++) if (scratch[i] > lower) lower = scratch[i];
  return (lower + upper) / 2;
}

/** Reorder a[0..last] so that a[k] holds the value a sort would put there, smaller ones before it. */
function select(a: Float64Array, last: number, k: number): void {
  let left = 0;
  let right = last;
  while (left < right) {
    const pivot = a[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return; // j < k < i: a[k] equals the pivot
  }
}
