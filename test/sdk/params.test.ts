import { describe, expect, it } from 'vitest';
import { defineDetector, param, resolveParams } from '../../lib/sdk/index.ts';
import { zscore } from '../../lib/detectors/index.ts';

describe('detector parameters', () => {
  const specs = {
    threshold: param.number({ default: 3, min: 0, description: 't' }),
    window: param.integer({ default: 10, min: 2, description: 'w' }),
    mode: param.string({ default: 'a', oneOf: ['a', 'b'], description: 'm' }),
    period: param.duration({ default: '1h', description: 'p' }),
    on: param.boolean({ default: true, description: 'o' }),
  };

  it('fills defaults and converts durations to milliseconds', () => {
    expect(resolveParams(specs, undefined)).toEqual({ threshold: 3, window: 10, mode: 'a', period: 3_600_000, on: true });
  });

  it.each([
    [{ threshold: -1 }, 'detectors[0].params.threshold: expected a number >= 0, got -1'],
    [{ threshold: '3' }, 'detectors[0].params.threshold: expected a number, got "3"'],
    [{ window: 2.5 }, 'detectors[0].params.window: expected an integer, got 2.5'],
    [{ mode: 'c' }, 'detectors[0].params.mode: expected one of a, b, got "c"'],
    [{ period: 'soon' }, 'detectors[0].params.period: invalid duration "soon": expected a number and a unit (ms, s, m, h, d, w, y) at position 0'],
    [{ on: 1 }, 'detectors[0].params.on: expected true or false, got 1'],
    [{ treshold: 3 }, 'detectors[0].params.treshold: unknown parameter (known: threshold, window, mode, period, on)'],
    [[1], 'detectors[0].params: expected an object of parameters, got 1'],
  ])('rejects %j with the field path', (raw, message) => {
    expect(() => resolveParams(specs, raw, 'detectors[0].params')).toThrow(message);
  });

  it('a detector validates once, at construction of its parameters', () => {
    expect(() => zscore.resolveParams({ window: 1 })).toThrow('params.window: expected a number >= 2, got 1');
  });

  it('defineDetector rejects bad names and missing forms', () => {
    expect(() => defineDetector({ name: 'Bad Name', description: '', params: {}, online: () => ({ update: () => 0 }) })).toThrow(
      'defineDetector: name "Bad Name" must be lowercase letters, digits and dashes',
    );
    expect(() => defineDetector({ name: 'empty', description: '', params: {} })).toThrow('provide an online or a window form');
  });

  it('derives the online form of a window-only (batch) detector over its trailing history', () => {
    const maxOfWindow = defineDetector({
      name: 'window-max',
      description: 'score = value / max of the trailing history',
      params: {},
      history: () => 3,
      window: (_p, _t, v) => {
        const scores = new Float64Array(v.length);
        let max = 0;
        for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]);
        scores[v.length - 1] = v[v.length - 1] / max;
        return { scores };
      },
    });
    const online = maxOfWindow.createOnline(maxOfWindow.resolveParams({}));
    expect([5, 1, 1, 1, 2].map((v, i) => online.update(i, v))).toEqual([1, 0.2, 0.2, 1, 1]);
  });
});
