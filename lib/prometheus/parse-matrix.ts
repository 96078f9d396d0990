// Decoding a query_range answer without building JSON's object tree for the samples. JSON.parse of a
// 10,000-series × 240-point answer (~54 MB) makes 2.4 M two-element arrays and 2.4 M strings (~500 MB
// of heap, most of the trigger's peak RSS); here each "values" array is scanned straight into two
// number arrays, and only the small parts (labels, status, errors, warnings) go through JSON.parse.
// Hand-written on purpose (DESIGN.md §4: hot loops written for speed); tests compare it with
// JSON.parse on the same texts (test/prometheus/parse-matrix.test.ts).
import type { Labels } from '../contracts/types.ts';
import { parseSampleValue, type RangeSeries } from './range.ts';

export interface ParsedEnvelope {
  status?: string;
  errorType?: string;
  error?: string;
  warnings?: string[];
  resultType?: string;
  /** Matrix series; undefined when data.result was absent. */
  series?: RangeSeries[];
  /** Entries of other result types (vector, scalar, string), as JSON.parse gives them. */
  other?: unknown;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

class Scanner {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }

  fail(expected: string): never {
    throw new SyntaxError(`Prometheus answer: expected ${expected} at offset ${this.pos}, got ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}`);
  }

  skipSpace(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++this.pos);
  }

  expect(code: number, what: string): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== code) this.fail(what);
    this.pos++;
  }

  /** Consume `code` if it is next. */
  accept(code: number): boolean {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== code) return false;
    this.pos++;
    return true;
  }

  /** End offset (exclusive) of the string starting at pos (a quote). */
  stringEnd(): number {
    const t = this.text;
    let i = this.pos + 1;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i += 2;
      else if (Number.isNaN(c)) this.fail('the end of a string');
      else i++;
    }
  }

  /** A key: plain strings are sliced, escaped ones decoded by JSON.parse. */
  key(): string {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail('a key');
    const end = this.stringEnd();
    const raw = this.text.slice(this.pos, end);
    this.pos = end;
    this.expect(COLON, '":"');
    return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  /** Skip any JSON value; returns its text span. */
  skipValue(): [number, number] {
    this.skipSpace();
    const t = this.text;
    const start = this.pos;
    let depth = 0;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === QUOTE) {
        this.pos = this.stringEnd();
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        this.pos++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) break;
        depth--;
        this.pos++;
      } else if (c === COMMA && depth === 0) {
        break;
      } else if (Number.isNaN(c)) {
        if (depth > 0) this.fail('the end of a value');
        break;
      } else {
        this.pos++;
      }
      if (depth === 0 && (c === QUOTE || c === CLOSE_BRACE || c === CLOSE_BRACKET)) break;
    }
    if (this.pos === start) this.fail('a value');
    return [start, this.pos];
  }

  value(): unknown {
    const [a, b] = this.skipValue();
    return JSON.parse(this.text.slice(a, b));
  }

  /** Iterate the members of an object. */
  object(member: (key: string) => void): void {
    this.expect(OPEN_BRACE, '"{"');
    if (this.accept(CLOSE_BRACE)) return;
    do member(this.key());
    while (this.accept(COMMA));
    this.expect(CLOSE_BRACE, '"}" or ","');
  }

  /** [[<unix seconds>, "<value>"], ...] into ms timestamps and numbers. */
  samples(): { timestamps: number[]; values: number[] } {
    const timestamps: number[] = [];
    const values: number[] = [];
    const t = this.text;
    this.expect(OPEN_BRACKET, '"["');
    if (this.accept(CLOSE_BRACKET)) return { timestamps, values };
    do {
      this.expect(OPEN_BRACKET, '"[" of a sample');
      this.skipSpace();
      let i = this.pos;
      while (i < t.length) {
        const c = t.charCodeAt(i);
        if ((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69) i++;
        else break;
      }
      const seconds = Number(t.slice(this.pos, i));
      if (i === this.pos || Number.isNaN(seconds)) this.fail('a timestamp');
      this.pos = i;
      this.expect(COMMA, '"," in a sample');
      this.skipSpace();
      if (t.charCodeAt(this.pos) !== QUOTE) this.fail('a quoted sample value');
      const end = t.indexOf('"', this.pos + 1);
      if (end < 0) this.fail('the end of a sample value');
      timestamps.push(Math.round(seconds * 1000));
      values.push(parseSampleValue(t.slice(this.pos + 1, end)));
      this.pos = end + 1;
      this.expect(CLOSE_BRACKET, '"]" of a sample');
    } while (this.accept(COMMA));
    this.expect(CLOSE_BRACKET, '"]" or ","');
    return { timestamps, values };
  }
}

/** Parse a Prometheus API answer; matrix samples go straight into number arrays. Throws SyntaxError. */
export function parseRangeResponse(text: string): ParsedEnvelope {
  const s = new Scanner(text);
  const out: ParsedEnvelope = {};
  s.object((key) => {
    if (key !== 'data') {
      (out as Record<string, unknown>)[key] = s.value();
      return;
    }
    s.skipSpace();
    if (text.charCodeAt(s.pos) !== OPEN_BRACE) {
      s.value();
      return;
    }
    s.object((dataKey) => {
      if (dataKey === 'resultType') out.resultType = s.value() as string;
      else if (dataKey === 'result') parseResult(s, out);
      else s.skipValue();
    });
  });
  s.skipSpace();
  if (s.pos !== text.length) s.fail('the end of the answer');
  return out;
}

function parseResult(s: Scanner, out: ParsedEnvelope): void {
  s.skipSpace();
  // The matrix shape starts [{"metric"…; anything else (scalar, string, vector) is small: JSON.parse.
  if (s.text.charCodeAt(s.pos) !== OPEN_BRACKET) {
    out.other = s.value();
    return;
  }
  const series: RangeSeries[] = [];
  const start = s.pos;
  s.pos++;
  if (s.accept(CLOSE_BRACKET)) {
    out.series = series;
    return;
  }
  s.skipSpace();
  if (s.text.charCodeAt(s.pos) !== OPEN_BRACE) {
    s.pos = start;
    out.other = s.value();
    return;
  }
  do {
    let labels: Labels = {};
    let samples: { timestamps: number[]; values: number[] } | undefined;
    let vector = false;
    s.object((key) => {
      if (key === 'metric') labels = s.value() as Labels;
      else if (key === 'values') samples = s.samples();
      else {
        if (key === 'value') vector = true;
        s.skipValue();
      }
    });
    if (vector) {
      s.pos = start;
      out.other = s.value();
      return;
    }
    series.push({ labels, timestamps: samples?.timestamps ?? [], values: samples?.values ?? [] });
  } while (s.accept(COMMA));
  s.expect(CLOSE_BRACKET, '"]" or ","');
  out.series = series;
}
