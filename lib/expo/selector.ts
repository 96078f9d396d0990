// PromQL series selectors as written in dispatcher config: `http_requests_total{code!="200",job=~"a|b"}`
// or `{__name__=~"http_.*"}`. Parsed once at config load; matching runs per new series, so it is a plain
// loop over prepared matchers. Regexes are fully anchored like Prometheus (`^(?s:re)$`).
//
//   const sel = parseSelector('{__name__=~"http_.*",code!="200"}');
//   sel.matches('http_requests_total', { code: '500' }); // true

import { CLASS, LABEL_CHAR, LABEL_START, NAME_CHAR, NAME_START } from './chars.ts';
import type { Labels } from './labels.ts';
import { ParseError, describeToken } from './parse-error.ts';
import { readQuoted } from './quoted-string.ts';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export interface Selector {
  /** The matchers, the metric name (if any) first as `__name__="…"`. */
  readonly matchers: readonly LabelMatcher[];
  /** True if the series satisfies every matcher; a missing label reads as "". */
  matches(name: string, labels: Labels): boolean;
}

interface Prepared extends LabelMatcher {
  re: RegExp | undefined;
}

/** Parse a selector; throws ParseError (line/column into `text`) when it is malformed. */
export function parseSelector(text: string): Selector {
  const matchers: Prepared[] = [];
  let i = skipBlanks(text, 0);
  const c = text.charCodeAt(i);
  if (c < 128 && (CLASS[c] & NAME_START) !== 0) {
    const start = i;
    while (i < text.length && text.charCodeAt(i) < 128 && (CLASS[text.charCodeAt(i)] & NAME_CHAR) !== 0) i++;
    matchers.push({ name: '__name__', op: '=', value: text.slice(start, i), re: undefined });
    i = skipBlanks(text, i);
    if (i >= text.length) return createSelector(matchers);
  }
  if (text.charCodeAt(i) !== 123) throw failAt(text, matchers.length > 0 ? '"{" or end of input' : 'metric name or "{"', i);
  i = skipBlanks(text, i + 1);
  while (text.charCodeAt(i) !== 125) {
    i = readMatcher(text, i, matchers);
    i = skipBlanks(text, i);
    const sep = text.charCodeAt(i);
    if (sep === 44) i = skipBlanks(text, i + 1);
    else if (sep !== 125) throw failAt(text, '"," or "}"', i);
  }
  i = skipBlanks(text, i + 1);
  if (i < text.length) throw failAt(text, 'end of input', i);
  return createSelector(matchers);
}

function readMatcher(text: string, i: number, out: Prepared[]): number {
  const c = text.charCodeAt(i);
  if (!(c < 128 && (CLASS[c] & LABEL_START) !== 0)) throw failAt(text, 'label name', i);
  const start = i;
  while (i < text.length && text.charCodeAt(i) < 128 && (CLASS[text.charCodeAt(i)] & LABEL_CHAR) !== 0) i++;
  const name = text.slice(start, i);
  i = skipBlanks(text, i);
  const op = readOp(text, i);
  if (op === undefined) throw failAt(text, 'one of "=", "!=", "=~", "!~"', i);
  i = skipBlanks(text, i + op.length);
  const quoted = readQuoted(text, i);
  if (typeof quoted === 'object' && 'expected' in quoted) throw failAt(text, quoted.expected, quoted.at);
  const value = quoted.value;
  let re: RegExp | undefined;
  if (op === '=~' || op === '!~') {
    try {
      re = compileAnchored(value);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const reason = message.slice(message.lastIndexOf(': ') + 2);
      throw new ParseError('valid regular expression', `${JSON.stringify(value)} (${reason})`, ...lineColumn(text, i));
    }
  }
  out.push({ name, op, value, re });
  return quoted.end;
}

function readOp(text: string, i: number): MatchOp | undefined {
  const c = text.charCodeAt(i);
  const d = text.charCodeAt(i + 1);
  if (c === 61) return d === 126 ? '=~' : '=';
  if (c === 33 && d === 61) return '!=';
  if (c === 33 && d === 126) return '!~';
  return undefined;
}

/** Anchor like Prometheus (`^(?s:re)$`); a leading RE2 `(?i)` becomes the JS `i` flag. */
function compileAnchored(source: string): RegExp {
  const insensitive = source.startsWith('(?i)');
  const body = insensitive ? source.slice(4) : source;
  return new RegExp(`^(?:${body})$`, insensitive ? 'si' : 's');
}

function createSelector(matchers: Prepared[]): Selector {
  const view: LabelMatcher[] = matchers.map(({ name, op, value }) => ({ name, op, value }));
  return {
    matchers: view,
    matches(name: string, labels: Labels): boolean {
      for (let k = 0; k < matchers.length; k++) {
        const m = matchers[k];
        const v = m.name === '__name__' ? name : Object.hasOwn(labels, m.name) ? labels[m.name] : '';
        let ok: boolean;
        switch (m.op) {
          case '=':
            ok = v === m.value;
            break;
          case '!=':
            ok = v !== m.value;
            break;
          case '=~':
            ok = m.re!.test(v);
            break;
          case '!~':
            ok = !m.re!.test(v);
            break;
        }
        if (!ok) return false;
      }
      return true;
    },
  };
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

function failAt(text: string, expected: string, at: number): ParseError {
  return new ParseError(expected, describeToken(text, at), ...lineColumn(text, at));
}

function lineColumn(text: string, at: number): [number, number] {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < at && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return [line, at - lineStart + 1];
}
