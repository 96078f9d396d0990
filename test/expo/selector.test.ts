import { describe, expect, it } from 'vitest';
import { ParseError } from '../../lib/expo/parse-error.ts';
import { parseSelector } from '../../lib/expo/selector.ts';

const SERIES: Array<{ name: string; labels: Record<string, string> }> = [
  { name: 'http_requests_total', labels: { code: '200', job: 'a', path: '/x' } },
  { name: 'http_requests_total', labels: { code: '500', job: 'b' } },
  { name: 'http_request_duration_seconds_bucket', labels: { le: '0.1', job: 'ab' } },
  { name: 'node_load1', labels: {} },
  { name: 'go_info', labels: { version: 'go1.21\nx' } },
];

const MATCHES: Array<[selector: string, expected: number[]]> = [
  ['{}', [0, 1, 2, 3, 4]],
  ['http_requests_total', [0, 1]],
  ['  http_requests_total  ', [0, 1]],
  ['http_requests_total{}', [0, 1]],
  ['{__name__="node_load1"}', [3]],
  ['{__name__=~"http_.*"}', [0, 1, 2]],
  ['{__name__=~"http"}', []],
  ['{__name__!~"http_.*|go_.*"}', [3]],
  ['http_requests_total{code!="200",job=~"a|b"}', [1]],
  ['{job=~"a|b"}', [0, 1]],
  ['{job!~"a|b"}', [2, 3, 4]],
  ['{job=""}', [3, 4]],
  ['{job!=""}', [0, 1, 2]],
  ['{path=~".+"}', [0]],
  ['{version=~"go1\\\\.21.*"}', [4]],
  ['{version=~"GO.*"}', []],
  ['{version=~"(?i)GO.*"}', [4]],
  ["{code='500'}", [1]],
  ['{code=`500`}', [1]],
  ['{ code = "500" , }', [1]],
  ['{le=~"0\\\\.1"}', [2]],
  ['{constructor=""}', [0, 1, 2, 3, 4]],
  ['{toString="x"}', []],
];

describe('parseSelector matching', () => {
  it.each(MATCHES)('%s', (selector, expected) => {
    const sel = parseSelector(selector);
    expect(SERIES.flatMap((s, k) => (sel.matches(s.name, s.labels) ? [k] : []))).toEqual(expected);
  });

  it('exposes its matchers, metric name first', () => {
    expect(parseSelector('up{job=~"a.*",x!="1"}').matchers).toEqual([
      { name: '__name__', op: '=', value: 'up' },
      { name: 'job', op: '=~', value: 'a.*' },
      { name: 'x', op: '!=', value: '1' },
    ]);
  });

  it('decodes Go string escapes', () => {
    expect(parseSelector('{a="\\t\\"\\\\\\x41\\u00e9\\101\\n"}').matchers[0].value).toBe('\t"\\Aé' + 'A\n');
    expect(parseSelector('{a=`\\d+`}').matchers[0].value).toBe('\\d+');
  });
});

const ERRORS: Array<[selector: string, message: string]> = [
  ['', 'expected metric name or "{", got end of input at line 1, column 1'],
  ['=', 'expected metric name or "{", got "=" at line 1, column 1'],
  ['{', 'expected label name, got end of input at line 1, column 2'],
  ['{a}', 'expected one of "=", "!=", "=~", "!~", got "}" at line 1, column 3'],
  ['{a=}', 'expected quoted string, got "}" at line 1, column 4'],
  ['{a==1}', 'expected quoted string, got "=" at line 1, column 4'],
  ['{a="b"', 'expected "," or "}", got end of input at line 1, column 7'],
  ['{a="b" c="d"}', 'expected "," or "}", got "c" at line 1, column 8'],
  ['{a="b}', 'expected closing ", got end of input at line 1, column 7'],
  ['{1a="b"}', 'expected label name, got "1a" at line 1, column 2'],
  ['foo bar', 'expected "{" or end of input, got "bar" at line 1, column 5'],
  ['foo{} x', 'expected end of input, got "x" at line 1, column 7'],
  ['{a=~"("}', 'expected valid regular expression, got "(" (Unterminated group) at line 1, column 5'],
  ['{a="\\q"}', 'expected valid escape sequence, got "\\\\q" at line 1, column 5'],
  ['{a="\\x4"}', 'expected valid escape sequence, got "\\\\x4" at line 1, column 5'],
  ['{a="b",\n c~"d"}', 'expected one of "=", "!=", "=~", "!~", got "~" at line 2, column 3'],
];

describe('parseSelector errors', () => {
  it.each(ERRORS)('%j', (selector, message) => {
    let caught: unknown;
    try {
      parseSelector(selector);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect((caught as ParseError).message).toBe(message);
  });
});
