// The suite every detector must pass (built-in or user-written), after Hono's shared router suite:
// causal, window form = online form, survives gaps and NaN, deterministic, scores follow the convention.
import { describe, expect, it } from 'vitest';
import type { AnyDetector } from '../../lib/sdk/index.ts';
import { gaussian, makeSignal, seededRandom } from '../support/signals.ts';

export interface ConformanceOptions {
  detector: AnyDetector;
  params?: Record<string, unknown>;
  /** Sampling interval of the test signal (seasonal detectors need a period's worth). */
  stepMs?: number;
  samples?: number;
}

function scoresOnline(detector: AnyDetector, params: unknown, t: number[], v: number[]): number[] {
  const online = detector.createOnline(detector.resolveParams(params));
  return t.map((ti, i) => online.update(ti, v[i]));
}

export function runConformance({ detector, params = {}, stepMs = 15_000, samples = 600 }: ConformanceOptions): void {
  describe(`detector conformance: ${detector.name}`, () => {
    const noise = gaussian(seededRandom(7));
    const signal = makeSignal(samples, stepMs, (i) => 50 + 5 * Math.sin(i / 20) + noise() + (i === Math.floor(samples * 0.8) ? 80 : 0));
    const resolved = detector.resolveParams(params);

    it('window form equals the online form, sample by sample', () => {
      const online = scoresOnline(detector, params, signal.timestamps, signal.values);
      const window = Array.from(detector.scoreWindow(resolved, signal.timestamps, Float64Array.from(signal.values)).scores);
      expect(window).toEqual(online.map((s) => (Number.isNaN(s) ? NaN : Math.min(s, 1e6))));
    });

    it('is causal: scores of a prefix do not change when the future is appended', () => {
      const cut = Math.floor(samples / 2);
      const prefix = scoresOnline(detector, params, signal.timestamps.slice(0, cut), signal.values.slice(0, cut));
      const full = scoresOnline(detector, params, signal.timestamps, signal.values).slice(0, cut);
      expect(prefix).toEqual(full);
    });

    it('is deterministic', () => {
      expect(scoresOnline(detector, params, signal.timestamps, signal.values)).toEqual(
        scoresOnline(detector, params, signal.timestamps, signal.values),
      );
    });

    it('scores are NaN or non-negative numbers', () => {
      for (const s of scoresOnline(detector, params, signal.timestamps, signal.values)) {
        expect(Number.isNaN(s) || s >= 0).toBe(true);
      }
    });

    it('survives NaN samples and timestamp gaps without poisoning its state', () => {
      const values = signal.values.map((v, i) => (i % 37 === 5 || (i > 200 && i < 210) ? NaN : v));
      const timestamps = signal.timestamps.map((t, i) => (i > 300 ? t + 10 * stepMs : t));
      const scores = scoresOnline(detector, params, timestamps, values);
      const tail = scores.slice(-50).filter((s) => !Number.isNaN(s));
      expect(tail.length).toBeGreaterThan(0);
      expect(tail.every((s) => Number.isFinite(s))).toBe(true);
    });

    it('ignores infinities without throwing', () => {
      const values = signal.values.map((v, i) => (i === 100 ? Number.POSITIVE_INFINITY : i === 101 ? Number.NEGATIVE_INFINITY : v));
      expect(() => scoresOnline(detector, params, signal.timestamps, values)).not.toThrow();
    });
  });
}
