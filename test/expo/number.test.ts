import { describe, expect, it } from 'vitest';
import { createRandom } from '../../bench/fixtures/random.ts';
import { isNaNLiteral, readFloat, readInt } from '../../lib/expo/number.ts';

describe('readFloat', () => {
  it.each([
    ['0', 0], ['-0', -0], ['1', 1], ['+1', 1], ['-1.5', -1.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1E-3', 0.001], ['1e+03', 1000],
    ['2.7906048e+07', 27906048], ['7.424100000000001e-05', 7.424100000000001e-05], ['0.1', 0.1], ['123456789012345678', 123456789012345678],
    ['1e400', Infinity], ['1e-400', 0], ['Inf', Infinity], ['+Inf', Infinity], ['-Inf', -Infinity], ['infinity', Infinity], ['-INFINITY', -Infinity],
    ['9007199254740993', 9007199254740993], ['0.30000000000000004', 0.30000000000000004],
  ] as const)('%s', (text, want) => {
    expect(Object.is(readFloat(text, 0, text.length), want)).toBe(true);
  });

  it.each(['', '+', '-', '.', 'e3', '1e', '1e+', '0x10', '1_0', '1.2.3', '--1', 'infx', 'In', '1 ', ' 1', '١'])('rejects %j', (text) => {
    expect(readFloat(text, 0, text.length)).toBeNaN();
    expect(isNaNLiteral(text, 0, text.length)).toBe(false);
  });

  it.each(['NaN', 'nan', '+NaN', '-nan'])('reads %s as NaN', (text) => {
    expect(readFloat(text, 0, text.length)).toBeNaN();
    expect(isNaNLiteral(text, 0, text.length)).toBe(true);
  });

  it('agrees with Number() on 20k random decimals', () => {
    const r = createRandom(7);
    for (let k = 0; k < 20_000; k++) {
      const v = (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
      for (const text of [String(v), v.toExponential(), v.toFixed(Math.floor(r() * 12)), v.toPrecision(1 + Math.floor(r() * 20))]) {
        expect(readFloat(text, 0, text.length)).toBe(Number(text));
      }
    }
  });

  it('reads a range inside a longer string', () => {
    expect(readFloat('x 12.5 y', 2, 6)).toBe(12.5);
  });
});

describe('readInt', () => {
  it.each([['0', 0], ['1395066363000', 1395066363000], ['-3982045', -3982045], ['+5', 5]] as const)('%s', (text, want) => {
    expect(readInt(text, 0, text.length)).toBe(want);
  });
  it.each(['', '-', '1.5', '1e3', 'x'])('rejects %j', (text) => {
    expect(readInt(text, 0, text.length)).toBeNaN();
  });
});
