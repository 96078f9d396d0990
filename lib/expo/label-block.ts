// The `{name="value",...}` block of a sample line: validated in one pass, recorded as offsets only.

import { BACKSLASH, CLASS, COMMA, EQUALS, LABEL_CHAR, LABEL_START, QUOTE, RBRACE, SPACE, TAB } from './chars.ts';

/** Reused per parser: 4 offsets per label (name start/end, value start/end) and an escape flag. */
export interface LabelOffsets {
  offsets: Int32Array;
  escaped: Uint8Array;
  count: number;
  /** What the block wanted where it stopped, set only on failure. */
  expected: string;
  /** Index of the next backslash at or after the last lookup (text length if none); -1 = not looked up. */
  nextBackslash: number;
}

export function createLabelOffsets(): LabelOffsets {
  return { offsets: new Int32Array(64), escaped: new Uint8Array(16), count: 0, expected: '', nextBackslash: -1 };
}

/**
 * Lex labels starting just after `{` on a line ending at `lineEnd` (a LF: the parser guarantees one).
 * Returns the index after `}`, or `-(at + 1)` for a failure at `at` with `o.expected` naming what was
 * wanted there. Blanks around tokens and a trailing comma are allowed, as in Prometheus. Label values
 * are found with indexOf (memchr speed); the position of the next backslash is remembered across
 * values, so escapes cost nothing until one actually occurs.
 */
export function lexLabelBlock(s: string, i: number, lineEnd: number, o: LabelOffsets): number {
  let c = s.charCodeAt(i);
  for (;;) {
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c === RBRACE) return i + 1;
    if ((CLASS[c] & LABEL_START) === 0) return stop(o, 'label name', i);
    const ns = i;
    c = s.charCodeAt(++i);
    while ((CLASS[c] & LABEL_CHAR) !== 0) c = s.charCodeAt(++i);
    const ne = i;
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c !== EQUALS) return stop(o, '"="', i);
    c = s.charCodeAt(++i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c !== QUOTE) return stop(o, 'label value', i);
    const vs = ++i;
    let ve = s.indexOf('"', vs);
    let bs = o.nextBackslash;
    if (bs < vs) {
      bs = s.indexOf('\\', vs);
      o.nextBackslash = bs = bs < 0 ? s.length : bs;
    }
    let escaped = 0;
    if (bs < ve && bs < lineEnd) {
      escaped = 1;
      ve = closingQuote(s, vs, lineEnd);
    }
    if (ve < 0 || ve > lineEnd) return stop(o, 'closing quote', lineEnd);
    record(o, ns, ne, vs, ve, escaped);
    i = ve + 1;
    c = s.charCodeAt(i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c === COMMA) {
      c = s.charCodeAt(++i);
      continue;
    }
    if (c === RBRACE) return i + 1;
    return stop(o, '"," or "}"', i);
  }
}

/** The quote closing a value that contains escapes: a backslash takes the next character along. */
function closingQuote(s: string, i: number, lineEnd: number): number {
  while (i < lineEnd) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  return -1;
}

function stop(o: LabelOffsets, expected: string, at: number): number {
  o.expected = expected;
  return -at - 1;
}

function record(o: LabelOffsets, ns: number, ne: number, vs: number, ve: number, escaped: number): void {
  const k = o.count;
  if ((k + 1) * 4 > o.offsets.length) {
    const grown = new Int32Array(o.offsets.length * 2);
    grown.set(o.offsets);
    o.offsets = grown;
    const flags = new Uint8Array(o.escaped.length * 2);
    flags.set(o.escaped);
    o.escaped = flags;
  }
  const b = k * 4;
  o.offsets[b] = ns;
  o.offsets[b + 1] = ne;
  o.offsets[b + 2] = vs;
  o.offsets[b + 3] = ve;
  o.escaped[k] = escaped;
  o.count = k + 1;
}
