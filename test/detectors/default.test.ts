// The default detector (`novelty`) on signals with a known answer. The shared conformance suite
// (causal, window = online, NaN and gaps, determinism) runs for it in builtins.test.ts.
import { describe, expect, it } from 'vitest';
import { novelty } from '../../lib/detectors/default/index.ts';
import { gaussian, seededRandom } from '../support/signals.ts';

const MINUTE = 60_000;

function scores(values: number[], params: Record<string, unknown> = {}): number[] {
  const online = novelty.createOnline(novelty.resolveParams(params));
  return values.map((v, i) => online.update(i * MINUTE, v));
}

const alerts = (s: number[]) => s.flatMap((score, i) => (score >= 1 ? [i] : []));

/** A daily-like square wave: `period` samples, high half with noise, low half with noise. */
function squareWave(n: number, period: number, seed: number, override?: (i: number) => number | undefined): number[] {
  const noise = gaussian(seededRandom(seed));
  return Array.from({ length: n }, (_, i) => override?.(i) ?? (i % period < period / 2 ? 80 : 20) + 2 * noise());
}

describe('novelty detector', () => {
  it('says nothing during warm-up, then scores every finite sample', () => {
    const s = scores(Array.from({ length: 300 }, (_, i) => Math.sin(i / 10)));
    expect(s.slice(0, 150).every(Number.isNaN)).toBe(true);
    expect(s.slice(150).every(Number.isFinite)).toBe(true);
  });

  it('flags the spike in gaussian noise, once', () => {
    const noise = gaussian(seededRandom(42));
    const values = Array.from({ length: 2000 }, (_, i) => 100 + 2 * noise() + (i === 1500 ? 40 : 0));
    expect(alerts(scores(values)).filter((i) => i >= 1400 && i < 1600)).toEqual([1500]);
  });

  it('is quiet on flat and periodic series it has learnt', () => {
    const cases: Record<string, [number[], Record<string, unknown>]> = {
      flat: [Array.from({ length: 3000 }, () => 7), {}],
      sine: [Array.from({ length: 3000 }, (_, i) => 10 * Math.sin((2 * Math.PI * i) / 100)), {}],
      square: [Array.from({ length: 4000 }, (_, i) => (i % 288 < 144 ? 80 : 20)), {}],
      // With noise, records of the noise itself exceed the range by a hair: `noise` allows for them.
      noisySquare: [squareWave(4000, 288, 5), { noise: 1 }],
    };
    for (const [name, [values, params]] of Object.entries(cases)) {
      // After a learning stretch as long as NAB's probation, nothing is anomalous.
      expect({ name, alerts: alerts(scores(values, params)).filter((i) => i >= 750) }).toEqual({ name, alerts: [] });
    }
  });

  it('alerts rarely on white noise, and more rarely with stricter parameters', () => {
    const noise = gaussian(seededRandom(3));
    const white = Array.from({ length: 20_000 }, () => 50 + 5 * noise());
    const byDefault = alerts(scores(white)).length;
    const strict = alerts(scores(white, { noise: 1, sigmas: 3 })).length;
    expect(byDefault).toBeLessThan(20_000 / 500);
    expect(strict).toBeLessThan(byDefault);
    expect(strict).toBeLessThanOrEqual(5);
  });

  it('flags a shape never seen before inside the known range: a plateau at mid level', () => {
    // The level 50 lies between the usual levels 20 and 80: no range alert can see it, only the shape.
    const from = 3000;
    const values = squareWave(4000, 288, 11, (i) => (i >= from && i < from + 100 ? 50 + 2 * Math.sin(i) : undefined));
    const found = alerts(scores(values)).filter((i) => i >= from - 200 && i < from + 100);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toBeGreaterThanOrEqual(from);
    expect(found[0]).toBeLessThan(from + 60);
    // The same series without the plateau: no alert there.
    expect(alerts(scores(squareWave(4000, 288, 11))).filter((i) => i >= from - 200 && i < from + 100)).toEqual([]);
  });

  it('alerts once per incident: a second spike right after the first is damped, a much larger one is not', () => {
    const noise = gaussian(seededRandom(8));
    const base = Array.from({ length: 2000 }, () => 100 + 2 * noise());
    const near = (s: number[]) => alerts(s).filter((i) => i >= 1400 && i < 1600);
    // The second spike sets a new record by a hair: anomalous on its own, but part of the same incident.
    const twice = base.map((v, i) => (i === 1500 ? v + 40 : i === 1510 ? base[1500] + 40.5 : v));
    expect(near(scores(twice))).toEqual([1500]);
    const escalating = base.map((v, i) => v + (i === 1500 ? 40 : i === 1510 ? 400 : 0));
    expect(near(scores(escalating)).slice(0, 2)).toEqual([1500, 1510]);
    // Without a refractory period both spikes alert, and so do the shapes that carry them.
    expect(near(scores(twice, { refractory: 0 }))).toEqual(expect.arrayContaining([1500, 1510]));
    expect(near(scores(twice, { refractory: 0 })).length).toBeGreaterThan(2);
  });

  it('does not depend on the unit or offset of the series', () => {
    const noise = gaussian(seededRandom(21));
    const values = squareWave(3000, 200, 4).map((v, i) => v + (i === 2500 ? 300 : 0) + noise());
    const scaled = values.map((v) => 1e6 + 1e3 * v);
    expect(alerts(scores(scaled))).toEqual(alerts(scores(values)));
    expect(alerts(scores(values))).toContain(2500);
  });

  it('skips missing samples without changing its state', () => {
    const noise = gaussian(seededRandom(5));
    const values = Array.from({ length: 1500 }, (_, i) => 10 + noise() + (i === 1200 ? 30 : 0));
    const withGaps = values.flatMap((v, i) => (i % 97 === 0 ? [NaN, v] : [v]));
    const gapScores = scores(withGaps);
    expect(gapScores.filter((_, i) => Number.isNaN(withGaps[i]))).toSatisfy((xs: number[]) => xs.every(Number.isNaN));
    expect(gapScores.filter((_, i) => !Number.isNaN(withGaps[i]))).toEqual(scores(values));
  });

  it('takes the parameter set from config and rejects bad values by name', () => {
    expect(novelty.resolveParams({}).block).toBe(12);
    expect(() => novelty.resolveParams({ block: 0 })).toThrow(/params\.block/);
    expect(() => novelty.resolveParams({ damp: 0.5 })).toThrow(/params\.damp/);
  });
});
