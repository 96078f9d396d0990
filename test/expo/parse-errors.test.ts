// Exact error messages per input, like Prometheus' TestPromParseErrors. Both modes must agree: with
// lazyLabels a label-block error surfaces from labels() instead of next(), with the same text.
import { describe, expect, it } from 'vitest';
import { Entry, ExpositionParser, type ExpositionFormat } from '../../lib/expo/parser.ts';
import { ParseError, formatParseError } from '../../lib/expo/parse-error.ts';

const PROM: Array<[input: string, errors: string[]]> = [
  ['a', ['expected value, got end of input at line 1, column 2']],
  ['a\n', ['expected value, got end of line at line 1, column 2']],
  ['a ', ['expected value, got end of input at line 1, column 3']],
  ['a{', ['expected label name, got end of input at line 1, column 3']],
  ['a{}', ['expected value, got end of input at line 1, column 4']],
  ['{a="b"} 1\n', ['expected metric name, got "{" at line 1, column 1']],
  ['1a 1\n', ['expected metric name, got "1a" at line 1, column 1']],
  ['=\n', ['expected metric name, got "=" at line 1, column 1']],
  ['a-b 1\n', ['expected label set or value, got "-b" at line 1, column 2']],
  ['a 1 2 3\n', ['expected end of line, got "3" at line 1, column 7']],
  ['a x\n', ['expected value, got "x" at line 1, column 3']],
  ['a 1x\n', ['expected value, got "1x" at line 1, column 3']],
  ['a 1e\n', ['expected value, got "1e" at line 1, column 3']],
  ['a 0x1F\n', ['expected value, got "0x1F" at line 1, column 3']],
  ['a 1_000\n', ['expected value, got "1_000" at line 1, column 3']],
  ['a Infinityx\n', ['expected value, got "Infinityx" at line 1, column 3']],
  ['a 1 1.5\n', ['expected timestamp, got "1.5" at line 1, column 5']],
  ['a 1 x\n', ['expected timestamp, got "x" at line 1, column 5']],
  ['a 1 # {t="x"} 1\n', ['expected timestamp, got "#" at line 1, column 5']],
  ['a{b} 1\n', ['expected "=", got "}" at line 1, column 4']],
  ['a{b=} 1\n', ['expected label value, got "}" at line 1, column 5']],
  ['a{b=c} 1\n', ['expected label value, got "c" at line 1, column 5']],
  ['a{b="c} 1\n', ['expected closing quote, got end of line at line 1, column 10']],
  ['a{b="c"\n', ['expected "," or "}", got end of line at line 1, column 8']],
  ['a{b="c" d="e"} 1\n', ['expected "," or "}", got "d" at line 1, column 9']],
  ['a{1b="c"} 1\n', ['expected label name, got "1b" at line 1, column 3']],
  ['a{,} 1\n', ['expected label name, got "," at line 1, column 3']],
  ['a{b="c",,} 1\n', ['expected label name, got "," at line 1, column 9']],
  ['a{b="c\\\n', ['expected closing quote, got end of line at line 1, column 8']],
  ['a{b="c"}} 1\n', ['expected value, got "}" at line 1, column 9']],
  ['a{b="c"}x 1\n', ['expected value, got "x" at line 1, column 9']],
  ['a{b="c"} 1\n{', ['expected metric name, got "{" at line 2, column 1']],
  ['ok 1\n  bad{ 1\n', ['expected label name, got "1" at line 2, column 8']],
  ['a{b="ü"} 1 2 x\n', ['expected end of line, got "x" at line 1, column 14']],
  ['a{b="0123456789012345678901234567890"x} 1\n', ['expected "," or "}", got "x" at line 1, column 38']],
  ['a 0123456789012345678901234567890123x\n', ['expected value, got "012345678901234567890123…" at line 1, column 3']],
  ['# HELP\n', ['expected metric name, got end of line at line 1, column 7']],
  ['# HELP 1a x\n', ['expected metric name, got "1a" at line 1, column 8']],
  ['# HELP a-b x\n', ['expected metric name, got "a-b" at line 1, column 8']],
  ['# TYPE a\n', ['expected metric type, got end of line at line 1, column 9']],
  ['# TYPE a foo\n', ['expected metric type, got "foo" at line 1, column 10']],
  ['# TYPE a Counter\n', ['expected metric type, got "Counter" at line 1, column 10']],
  ['# TYPE a counter extra\n', ['expected end of line, got "extra" at line 1, column 18']],
  ['a 1\nb{x=1} 2\nc 3\nd{ 4\n', ['expected label value, got "1" at line 2, column 5', 'expected label name, got "4" at line 4, column 4']],
];

const OPENMETRICS: Array<[input: string, errors: string[]]> = [
  ['', ['expected "# EOF", got end of input at line 1, column 1']],
  ['a 1\n', ['expected "# EOF", got end of input at line 2, column 1']],
  ['a 1', ['expected "# EOF", got end of input at line 1, column 4']],
  ['a 1\n# EOF\nb 2\n', ['expected end of input, got "b" at line 3, column 1']],
  ['# EOF x\n', ['expected end of line, got "x" at line 1, column 7', 'expected "# EOF", got end of input at line 2, column 1']],
  ['a 1 1.5 1\n# EOF\n', ['expected exemplar or end of line, got "1" at line 1, column 9']],
  ['a 1 x\n# EOF\n', ['expected timestamp or exemplar, got "x" at line 1, column 5']],
  ['a 1 NaN\n# EOF\n', ['expected timestamp or exemplar, got "NaN" at line 1, column 5']],
  ['a{b="c" d="e"} 1\n# EOF\n', ['expected "," or "}", got "d" at line 1, column 9']],
  ['a 1\n# EOF\n\n  \n', []],
];

function collectErrors(input: string, format: ExpositionFormat, lazyLabels: boolean): string[] {
  const p = new ExpositionParser(input, format, { lazyLabels });
  const out: string[] = [];
  for (let e = p.next(); e !== Entry.End; e = p.next()) {
    if (e === Entry.Error) out.push(p.error().message);
    else if (e === Entry.Series && p.labels() === undefined) out.push(p.error().message);
  }
  return out;
}

describe.each([false, true])('parse errors (lazyLabels=%s)', (lazy) => {
  it.each(PROM)('prometheus %j', (input, errors) => {
    expect(collectErrors(input, 'prometheus', lazy)).toEqual(errors);
  });
  it.each(OPENMETRICS)('openmetrics %j', (input, errors) => {
    expect(collectErrors(input, 'openmetrics', lazy)).toEqual(errors);
  });
});

describe('ParseError', () => {
  it('carries its parts and one formatted message', () => {
    const p = new ExpositionParser('a{b=c} 1\n');
    expect(p.next()).toBe(Entry.Error);
    const err = p.error();
    expect(err).toBeInstanceOf(ParseError);
    expect([err.expected, err.got, err.line, err.column, err.name]).toEqual(['label value', '"c"', 1, 5, 'ParseError']);
    expect(err.message).toBe(formatParseError('label value', '"c"', 1, 5));
  });
});
