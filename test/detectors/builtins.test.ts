import { describe, expect, it } from 'vitest';
import { BUILTIN_DETECTORS, ewma, mad, seasonal, stuck, threshold, zscore } from '../../lib/detectors/index.ts';
import type { AnyDetector } from '../../lib/sdk/index.ts';
import { runConformance } from './conformance.ts';
import { gaussian, makeSignal, seededRandom } from '../support/signals.ts';

const DAY = 86_400_000;
const CONFORMANCE_PARAMS: Record<string, { params?: Record<string, unknown>; stepMs?: number; samples?: number }> = {
  seasonal: { params: { period: '1h', bins: 12 }, stepMs: 60_000, samples: 600 },
  threshold: { params: { upper: 100 } },
};

for (const detector of BUILTIN_DETECTORS.values()) runConformance({ detector, ...CONFORMANCE_PARAMS[detector.name] });

function scores(detector: AnyDetector, params: Record<string, unknown>, t: number[], v: number[]): number[] {
  return Array.from(detector.scoreWindow(detector.resolveParams(params), t, Float64Array.from(v)).scores);
}

function anomalousIndices(s: number[]): number[] {
  return s.flatMap((score, i) => (score >= 1 ? [i] : []));
}

describe('built-in detectors on signals with a known answer', () => {
  const noise = gaussian(seededRandom(42));
  const spikeAt = 300;
  const spiky = makeSignal(400, 15_000, (i) => 100 + 2 * noise() + (i === spikeAt ? 40 : 0));
  const flat = makeSignal(400, 15_000, () => 7);

  for (const detector of [zscore, mad, ewma] as AnyDetector[]) {
    it(`${detector.name} flags exactly the spike in gaussian noise`, () => {
      expect(anomalousIndices(scores(detector, {}, spiky.timestamps, spiky.values))).toEqual([spikeAt]);
    });
    it(`${detector.name} is quiet on a flat series`, () => {
      expect(anomalousIndices(scores(detector, {}, flat.timestamps, flat.values))).toEqual([]);
    });
    it(`${detector.name} gives an expected range around the normal level`, () => {
      const { lower, upper } = detector.scoreWindow(detector.resolveParams({}), spiky.timestamps, Float64Array.from(spiky.values));
      expect(lower![spikeAt]).toBeLessThan(100);
      expect(upper![spikeAt]).toBeGreaterThan(100);
      expect(upper![spikeAt]).toBeLessThan(140);
    });
  }

  it('threshold flags values outside the bounds only, with score 1 at the bound', () => {
    const s = scores(threshold, { upper: 10, lower: 0 }, [1, 2, 3, 4, 5], [5, 10, 11, -1, 0]);
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(0);
    expect(s[2]).toBeCloseTo(1.1);
    expect(s[3]).toBeCloseTo(2);
    expect(anomalousIndices(s)).toEqual([2, 3]);
  });

  it('seasonal learns a daily peak and flags a night-time spike that zscore cannot tell from the peak', () => {
    const stepMs = 5 * 60_000;
    const daily = (t: number) => 100 + 80 * Math.max(0, Math.sin((2 * Math.PI * (t % DAY)) / DAY));
    const n = (4 * DAY) / stepMs;
    const nightSpike = Math.floor(3.75 * (DAY / stepMs)); // 18:00 on day 4: the quiet half of the cycle
    const sig = makeSignal(n, stepMs, (i, t) => daily(t) + noise() + (i === nightSpike ? 60 : 0));
    const found = anomalousIndices(scores(seasonal, {}, sig.timestamps, sig.values));
    expect(found).toEqual([nightSpike]);
    // The spike's value (≈160) is within the daily peak's normal range, which a plain z-score learns too.
    expect(anomalousIndices(scores(zscore, { window: 288 }, sig.timestamps, sig.values))).not.toContain(nightSpike);
  });

  it('stuck flags a series that stops changing after flatline, not a constant one', () => {
    const moving = makeSignal(100, 60_000, (i) => (i < 50 ? i : 49));
    const s = scores(stuck, { flatline: '10m' }, moving.timestamps, moving.values);
    expect(anomalousIndices(s)[0]).toBe(59); // flat since i = 49, 10 minutes later
    expect(anomalousIndices(scores(stuck, {}, flat.timestamps, flat.values))).toEqual([]);
  });

  it('stuck flags an absent series (NaN samples) after `absent`, and a gap in timestamps', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i >= 10 ? NaN : i));
    const timestamps = values.map((_, i) => i * 60_000);
    expect(anomalousIndices(scores(stuck, { absent: '5m' }, timestamps, values))[0]).toBe(14); // last seen at 9
    const gap = scores(stuck, { absent: '5m' }, [0, 60_000, 120_000, 900_000], [1, 2, 3, 4]);
    expect(anomalousIndices(gap)).toEqual([3]);
  });

  it('stuck does not mistake a counter reset (fed as a rate) for a flatline', async () => {
    const { createCounterRate } = await import('../../lib/sdk/index.ts');
    const rate = createCounterRate();
    const raw = [0, 10, 20, 30, 5, 15, 25];
    const rates = raw.map((v, i) => rate.update(i * 1000, v));
    expect(rates.slice(1)).toEqual([10, 10, 10, 5, 10, 10]);
    expect(anomalousIndices(scores(stuck, { flatline: '1m' }, raw.map((_, i) => i * 1000), rates))).toEqual([]);
  });
});
