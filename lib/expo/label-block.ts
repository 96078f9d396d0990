// The `{name="value",...}` block of a sample line: validated in one pass, recorded as offsets only.

import { BACKSLASH, CLASS, COMMA, EQUALS, LABEL_CHAR, LABEL_START, LF, QUOTE, RBRACE, SPACE, TAB } from './chars.ts';

/** Reused per parser: 4 offsets per label (name start/end, value start/end) and an escape flag. */
export interface LabelOffsets {
  offsets: Int32Array;
  escaped: Uint8Array;
  count: number;
  /** What the block wanted where it stopped, set only on failure. */
  expected: string;
}

export function createLabelOffsets(): LabelOffsets {
  return { offsets: new Int32Array(64), escaped: new Uint8Array(16), count: 0, expected: '' };
}

/**
 * Lex labels starting just after `{`. Returns the index after `}`, or `-(at + 1)` for a failure at `at`
 * with `o.expected` naming what was wanted there. Blanks around tokens and a trailing comma are allowed,
 * as in Prometheus.
 */
export function lexLabelBlock(s: string, i: number, o: LabelOffsets): number {
  let c = s.charCodeAt(i);
  for (;;) {
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c === RBRACE) return i + 1;
    if (!(c < 128 && (CLASS[c] & LABEL_START) !== 0)) return stop(o, 'label name', i);
    const ns = i;
    c = s.charCodeAt(++i);
    while (c < 128 && (CLASS[c] & LABEL_CHAR) !== 0) c = s.charCodeAt(++i);
    const ne = i;
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c !== EQUALS) return stop(o, '"="', i);
    c = s.charCodeAt(++i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c !== QUOTE) return stop(o, 'label value', i);
    const vs = ++i;
    let escaped = 0;
    c = s.charCodeAt(i);
    while (c !== QUOTE) {
      if (c === BACKSLASH) {
        escaped = 1;
        c = s.charCodeAt(++i);
      }
      if (c === LF || c !== c) return stop(o, 'closing quote', i);
      c = s.charCodeAt(++i);
    }
    record(o, ns, ne, vs, i, escaped);
    c = s.charCodeAt(++i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c === COMMA) {
      c = s.charCodeAt(++i);
      continue;
    }
    if (c === RBRACE) return i + 1;
    return stop(o, '"," or "}"', i);
  }
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
