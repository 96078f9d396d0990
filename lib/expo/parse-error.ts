// One error type and one formatter for every parser in lib/expo (exposition and selector), so messages
// read the same everywhere: `expected X, got Y at line L, column C`. Tests pin these texts exactly.

export class ParseError extends Error {
  readonly expected: string;
  /** Human description of what was found: a quoted token, `end of line` or `end of input`. */
  readonly got: string;
  /** 1-based line of the offending character. */
  readonly line: number;
  /** 1-based column (UTF-16 code units) of the offending character. */
  readonly column: number;

  constructor(expected: string, got: string, line: number, column: number) {
    super(formatParseError(expected, got, line, column));
    this.name = 'ParseError';
    this.expected = expected;
    this.got = got;
    this.line = line;
    this.column = column;
  }
}

export function formatParseError(expected: string, got: string, line: number, column: number): string {
  return `expected ${expected}, got ${got} at line ${line}, column ${column}`;
}

const MAX_TOKEN = 24;

/**
 * Describe the token starting at `at` for an error message: structural characters alone, otherwise the
 * run up to the next blank or structural character, JSON-quoted and cut at 24 characters.
 */
export function describeToken(s: string, at: number): string {
  if (at >= s.length) return 'end of input';
  const c = s.charCodeAt(at);
  if (c === 10) return 'end of line';
  if (c === 13 && s.charCodeAt(at + 1) === 10) return 'end of line';
  if (isDelimiter(c)) return JSON.stringify(s[at]);
  let end = at;
  while (end < s.length && end - at < MAX_TOKEN && !isDelimiter(s.charCodeAt(end)) && !isBlank(s.charCodeAt(end))) end++;
  const more = end - at === MAX_TOKEN && end < s.length && !isBlank(s.charCodeAt(end));
  return JSON.stringify(s.slice(at, end) + (more ? '…' : ''));
}

function isDelimiter(c: number): boolean {
  // { } = , " ( ) are single-character tokens in both grammars.
  return c === 123 || c === 125 || c === 61 || c === 44 || c === 34 || c === 40 || c === 41;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
