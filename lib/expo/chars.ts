// Character classes as a table over every UTF-16 code unit (64 KiB), so the hot loops do one load and
// one mask per character with no range check.

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const COMMA = 44;
export const EQUALS = 61;
export const BACKSLASH = 92;
export const LBRACE = 123;
export const RBRACE = 125;

/** May start a metric name: [a-zA-Z_:]. */
export const NAME_START = 1;
/** May continue a metric name: [a-zA-Z0-9_:]. */
export const NAME_CHAR = 2;
/** May start a label name: [a-zA-Z_]. */
export const LABEL_START = 4;
/** May continue a label name: [a-zA-Z0-9_]. */
export const LABEL_CHAR = 8;

export const CLASS = buildClassTable();

function buildClassTable(): Uint8Array {
  const t = new Uint8Array(65536);
  for (let c = 0; c < 128; c++) {
    const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    const digit = c >= 48 && c <= 57;
    if (alpha || c === 58) t[c] |= NAME_START | NAME_CHAR;
    if (digit) t[c] |= NAME_CHAR | LABEL_CHAR;
    if (alpha) t[c] |= LABEL_START | LABEL_CHAR;
  }
  return t;
}

/** True for space, tab and carriage return (CR before LF is tolerated as trailing blank). */
export function isInlineBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}
