// Counters become per-second rates before detection, with Prometheus' reset rule: a drop means the
// counter restarted from zero, so the increase is the new value itself.

export interface CounterRate {
  /** Next raw counter sample; returns the per-second rate since the previous one, NaN for the first. */
  update(timestamp: number, value: number): number;
}

export function createCounterRate(): CounterRate {
  let lastT = NaN;
  let lastV = NaN;
  return {
    update(timestamp, value) {
      if (Number.isNaN(value)) return NaN;
      const prevT = lastT;
      const prevV = lastV;
      lastT = timestamp;
      lastV = value;
      if (Number.isNaN(prevT) || timestamp <= prevT) return NaN;
      const increase = value >= prevV ? value - prevV : value;
      return (increase * 1000) / (timestamp - prevT);
    },
  };
}
