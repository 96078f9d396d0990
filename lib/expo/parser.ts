// Pull parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0, modelled on Prometheus'
// model/textparse. Hand-written over charCodeAt instead of regexes or split(): the dispatcher parses
// every scrape of every pod, so the loop touches each character once, records offsets, and allocates
// nothing per sample. Strings (series key, name, labels) are built only when an accessor asks.
//
//   const p = new ExpositionParser(text, 'prometheus');
//   for (let e = p.next(); e !== Entry.End; e = p.next()) {
//     if (e === Entry.Series) use(p.seriesKey(), p.value());
//     else if (e === Entry.Error) count(p.error());
//   }
//
// Size limits are the caller's job (it reads the body and knows the bytes); the parser takes a string.

import { CLASS, CR, HASH, LBRACE, LF, NAME_CHAR, NAME_START, SPACE, TAB } from './chars.ts';
import { createLabelOffsets, lexLabelBlock } from './label-block.ts';
import { type Labels, detachString, readLabelText, setLabel, unescapeRange } from './labels.ts';
import { type MetricType, type SampleSuffix, isCounterSample, matchSuffix, toMetricType } from './metric-type.ts';
import { cursor, readFloat, readInt, scanFloat } from './number.ts';
import { ParseError, describeToken } from './parse-error.ts';

export const Entry = { End: 0, Series: 1, Help: 2, Type: 3, Unit: 4, Comment: 5, Error: 6 } as const;
export type Entry = (typeof Entry)[keyof typeof Entry];

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface ParserOptions {
  /**
   * Check a label block only when labels() asks for it (text format only; OpenMetrics is always eager).
   * next() still checks everything else. For callers that key series by seriesKey() and ask for labels
   * once per new series: a malformed block then fails in labels() and never becomes a known series.
   */
  lazyLabels?: boolean;
}

const UNRESOLVED = -1;

export class ExpositionParser {
  private s = '';
  private n = 0;
  /** Length of the caller's text; `s` may carry one extra LF so no loop ever reads past the end. */
  private inputLength = 0;
  private pos = 0;
  private om = false;
  private done = false;
  private lineNo = 0;
  private lineStart = 0;
  private err: ParseError | undefined = undefined;
  // Current series line.
  private nameStart = 0;
  private nameEnd = 0;
  private seriesEnd = 0;
  private val = 0;
  private ts = 0;
  private hasTs = false;
  private readonly labelOffsets = createLabelOffsets();
  private labelsLexed = true;
  private blockStart = 0;
  private lineEnd = 0;
  private lazyOption = false;
  private lazy = false;
  // Current metadata line (HELP/TYPE/UNIT/comment): name range and text range.
  private metaStart = 0;
  private metaEnd = 0;
  private textStart = 0;
  private textEnd = 0;
  private metaType: MetricType = 'untyped';
  // Family announced by the last TYPE line (offsets into s), and the current series' relation to it.
  private famStart = 0;
  private famEnd = 0;
  private famName: string | undefined = undefined;
  private famType: MetricType = 'untyped';
  private famPrefix = false;
  private suffixIndex: number = UNRESOLVED;
  private suffixValue: SampleSuffix = '';

  constructor(text = '', format: ExpositionFormat = 'prometheus', options: ParserOptions = {}) {
    this.lazyOption = options.lazyLabels === true;
    this.reset(text, format);
  }

  /** Start over on a new payload; lets a caller keep one parser per target. */
  reset(text: string, format: ExpositionFormat = 'prometheus'): void {
    // A final LF lets every scan stop on a character instead of checking bounds (Prometheus does the same).
    this.s = text.length === 0 || text.charCodeAt(text.length - 1) === LF ? text : `${text}\n`;
    this.n = this.s.length;
    this.inputLength = text.length;
    this.labelOffsets.nextBackslash = -1;
    this.pos = 0;
    this.om = format === 'openmetrics';
    this.lazy = this.lazyOption && !this.om;
    this.done = false;
    this.lineNo = 0;
    this.lineStart = 0;
    this.err = undefined;
    this.famStart = 0;
    this.famEnd = 0;
    this.famName = undefined;
    this.famType = 'untyped';
  }

  /** Advance to the next entry. Never throws: bad lines come back as Entry.Error, then parsing resumes. */
  next(): Entry {
    if (this.done) return Entry.End;
    const s = this.s;
    const n = this.n;
    let i = this.pos;
    for (;;) {
      if (i >= n) return this.finish(i);
      this.lineNo++;
      this.lineStart = i;
      let c = s.charCodeAt(i);
      while (c === SPACE || c === TAB || c === CR) c = s.charCodeAt(++i);
      if (c === LF) {
        i++;
        continue;
      }
      if (i >= n) return this.finish(i);
      if (c === HASH) return this.lexComment(i + 1);
      if ((CLASS[c] & NAME_START) !== 0) return this.lexSeries(i);
      return this.fail('metric name', i);
    }
  }

  private lexSeries(start: number): Entry {
    const s = this.s;
    let i = start;
    let c = s.charCodeAt(i);
    // Walk along the current family name first: its characters were validated on the TYPE line, and
    // family membership comes out of the same pass instead of a second compare per sample.
    const fs = this.famStart;
    const fl = this.famEnd - fs;
    let k = 0;
    while (k < fl && c === s.charCodeAt(fs + k)) {
      k++;
      c = s.charCodeAt(++i);
    }
    this.famPrefix = fl > 0 && k === fl;
    if (k === 0) c = s.charCodeAt(++i); // next() checked the first character
    while ((CLASS[c] & NAME_CHAR) !== 0) c = s.charCodeAt(++i);
    this.nameStart = start;
    this.nameEnd = i;
    this.seriesEnd = i;
    this.labelOffsets.count = 0;
    this.labelsLexed = true;
    this.suffixIndex = UNRESOLVED;
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (c === LBRACE) {
      const lineEnd = s.indexOf('\n', i);
      this.lineEnd = lineEnd;
      this.blockStart = i + 1;
      // Lazy: in the text format the last `}` of a line closes the label block (values and timestamps
      // hold none; exemplars are OpenMetrics-only), so the block is only checked when labels are asked for.
      const close = this.lazy ? s.lastIndexOf('}', lineEnd) : -1;
      if (close > i) {
        this.labelsLexed = false;
        i = close + 1;
      } else {
        i = lexLabelBlock(s, i + 1, lineEnd, this.labelOffsets);
        if (i < 0) return this.fail(this.labelOffsets.expected, -i - 1);
      }
      this.seriesEnd = i;
      c = s.charCodeAt(i);
      while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    } else if (i === this.nameEnd && c !== LF && c !== CR) {
      return this.fail('label set or value', i);
    }
    const vs = i;
    const v = scanFloat(s, vs);
    i = cursor.end;
    c = s.charCodeAt(i);
    if (!cursor.ok || (c !== SPACE && c !== TAB && c !== LF && c !== CR)) return this.fail('value', vs);
    this.val = v;
    this.hasTs = false;
    while (c === SPACE || c === TAB || c === CR) c = s.charCodeAt(++i);
    if (c === LF) return this.accept(i);
    if (c === HASH && this.om) return this.accept(s.indexOf('\n', i));
    const tsStart = i;
    while (c !== SPACE && c !== TAB && c !== LF && c !== CR) c = s.charCodeAt(++i);
    const t = this.om ? Math.round(readFloat(s, tsStart, i) * 1000) : readInt(s, tsStart, i);
    if (t !== t || t === Infinity || t === -Infinity) return this.fail(this.om ? 'timestamp or exemplar' : 'timestamp', tsStart);
    this.ts = t;
    this.hasTs = true;
    while (c === SPACE || c === TAB || c === CR) c = s.charCodeAt(++i);
    if (c === LF) return this.accept(i);
    if (c === HASH && this.om) return this.accept(s.indexOf('\n', i));
    return this.fail(this.om ? 'exemplar or end of line' : 'end of line', i);
  }

  private accept(lineEnd: number): Entry {
    this.pos = lineEnd + 1;
    return Entry.Series;
  }

  private lexComment(i: number): Entry {
    const s = this.s;
    let c = s.charCodeAt(i);
    const afterHash = i;
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (i > afterHash) {
      const kw = i;
      if (this.keywordAt(kw, 'HELP')) return this.lexMeta(kw + 4, Entry.Help);
      if (this.keywordAt(kw, 'TYPE')) return this.lexMeta(kw + 4, Entry.Type);
      if (this.keywordAt(kw, 'UNIT')) return this.lexMeta(kw + 4, Entry.Unit);
      if (this.om && this.keywordAt(kw, 'EOF')) return this.lexEof(kw + 3);
    }
    const end = this.lineEndFrom(i);
    this.textStart = i;
    this.textEnd = this.trimCR(end);
    this.pos = end + 1;
    return Entry.Comment;
  }

  /** True when `word` sits at i followed by a blank, end of line or end of input. */
  private keywordAt(i: number, word: string): boolean {
    if (!this.s.startsWith(word, i)) return false;
    const c = this.s.charCodeAt(i + word.length);
    return c !== c || c === SPACE || c === TAB || c === LF || c === CR;
  }

  private lexMeta(i: number, kind: Entry): Entry {
    const s = this.s;
    let c = s.charCodeAt(i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if ((CLASS[c] & NAME_START) === 0) return this.fail('metric name', i);
    const ns = i;
    c = s.charCodeAt(++i);
    while ((CLASS[c] & NAME_CHAR) !== 0) c = s.charCodeAt(++i);
    if (c === c && c !== SPACE && c !== TAB && c !== LF && c !== CR) return this.fail('metric name', ns);
    this.metaStart = ns;
    this.metaEnd = i;
    const end = this.lineEndFrom(i);
    // The text starts after exactly one blank, as in Prometheus: further blanks belong to the text.
    this.textStart = c === SPACE || c === TAB ? i + 1 : i;
    this.textEnd = Math.max(this.textStart, this.trimCR(end));
    if (kind === Entry.Type) {
      let ws = i;
      while (ws < end && (s.charCodeAt(ws) === SPACE || s.charCodeAt(ws) === TAB)) ws++;
      let we = ws;
      while (we < end && s.charCodeAt(we) !== SPACE && s.charCodeAt(we) !== TAB && s.charCodeAt(we) !== CR) we++;
      const type = ws === we ? undefined : toMetricType(s.slice(ws, we));
      if (type === undefined) return this.fail('metric type', ws);
      let tail = we;
      while (tail < end && (s.charCodeAt(tail) === SPACE || s.charCodeAt(tail) === TAB || s.charCodeAt(tail) === CR)) tail++;
      if (tail < end) return this.fail('end of line', tail);
      this.metaType = type;
      this.famStart = ns;
      this.famEnd = i;
      this.famName = undefined;
      this.famType = type;
    }
    this.pos = end + 1;
    return kind;
  }

  private lexEof(i: number): Entry {
    const s = this.s;
    const end = this.lineEndFrom(i);
    for (let k = i; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c !== SPACE && c !== TAB && c !== CR) return this.fail('end of line', k);
    }
    this.done = true;
    for (let k = end + 1; k < this.n; k++) {
      const c = s.charCodeAt(k);
      if (c === SPACE || c === TAB || c === CR || c === LF) continue;
      this.moveTo(k);
      return this.fail('end of input', k);
    }
    this.pos = this.n;
    return Entry.End;
  }

  /** End of the text: OpenMetrics requires `# EOF` before it. */
  private finish(i: number): Entry {
    this.pos = i;
    this.done = true;
    if (!this.om) return Entry.End;
    const at = Math.min(i, this.inputLength); // not past a LF that reset() appended
    this.moveTo(at);
    return this.fail('"# EOF"', at);
  }

  /** Point lineNo/lineStart at the line holding `at`, for errors found past the current line. */
  private moveTo(at: number): void {
    for (let k = this.lineStart; k < at; k++) {
      if (this.s.charCodeAt(k) === LF) {
        this.lineNo++;
        this.lineStart = k + 1;
      }
    }
    if (this.lineNo === 0) this.lineNo = 1;
  }

  private fail(expected: string, at: number): Entry {
    const got = at >= this.inputLength ? 'end of input' : describeToken(this.s, at);
    this.err = new ParseError(expected, got, this.lineNo, at - this.lineStart + 1);
    if (!this.done) {
      const nl = this.s.indexOf('\n', at);
      this.pos = nl < 0 ? this.n : nl + 1;
    }
    return Entry.Error;
  }

  private lineEndFrom(i: number): number {
    const nl = this.s.indexOf('\n', i);
    return nl < 0 ? this.n : nl;
  }

  private trimCR(end: number): number {
    return end > 0 && this.s.charCodeAt(end - 1) === CR ? end - 1 : end;
  }

  // ---- Accessors for Entry.Series ----

  /** Raw series text (`name{labels}` as written, unparsed): a per-series map key. Slices the payload;
   *  pass it through detachString before keeping it beyond this scrape. */
  seriesKey(): string {
    return this.s.slice(this.nameStart, this.seriesEnd);
  }

  /** 32-bit FNV-1a of the series text, computed in place (no allocation); pair with seriesEquals. */
  seriesHash(): number {
    const s = this.s;
    let h = 0x811c9dc5;
    for (let i = this.nameStart; i < this.seriesEnd; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  /** Whether the current series text equals `key` (a slice compare: memcmp, much cheaper than hashing). */
  seriesEquals(key: string): boolean {
    return key.length === this.seriesEnd - this.nameStart && this.s.slice(this.nameStart, this.seriesEnd) === key;
  }

  metricName(): string {
    return detachString(this.s.slice(this.nameStart, this.nameEnd));
  }

  value(): number {
    return this.val;
  }

  /** Milliseconds since the epoch (OpenMetrics seconds are converted), or undefined when absent. */
  timestamp(): number | undefined {
    return this.hasTs ? this.ts : undefined;
  }

  hasTimestamp(): boolean {
    return this.hasTs;
  }

  /** Number of labels; -1 when a lazily checked block turns out malformed (see labels()). */
  labelCount(): number {
    return this.checkLabels() ? this.labelOffsets.count : -1;
  }

  /**
   * Parsed, unescaped labels of the current series; `__name__` is added only when asked for. Undefined
   * only with lazyLabels, when the block is malformed: error() then describes it, as Entry.Error would.
   */
  labels(withName = false): Labels | undefined {
    if (!this.checkLabels()) return undefined;
    const s = this.s;
    const o = this.labelOffsets;
    const out: Labels = {};
    if (withName) out.__name__ = this.metricName();
    for (let k = 0; k < o.count; k++) {
      const b = k * 4;
      setLabel(out, s.slice(o.offsets[b], o.offsets[b + 1]), readLabelText(s, o.offsets[b + 2], o.offsets[b + 3], o.escaped[k] === 1));
    }
    return out;
  }

  /** Lex a block skipped by lazyLabels; false (with error() set) when it is malformed. */
  checkLabels(): boolean {
    if (this.labelsLexed) return true;
    const s = this.s;
    const end = lexLabelBlock(s, this.blockStart, this.lineEnd, this.labelOffsets);
    if (end === this.seriesEnd) {
      this.labelsLexed = true;
      return true;
    }
    let at = end < 0 ? -end - 1 : end;
    if (end >= 0) while (s.charCodeAt(at) === SPACE || s.charCodeAt(at) === TAB) at++;
    this.err = new ParseError(end < 0 ? this.labelOffsets.expected : 'value', describeToken(s, at), this.lineNo, at - this.lineStart + 1);
    this.labelOffsets.count = 0;
    return false;
  }

  /** Name of the family the series belongs to (the last TYPE line's name, else the series name). */
  familyName(): string {
    if (!this.resolveFamily()) return this.metricName();
    this.famName ??= detachString(this.s.slice(this.famStart, this.famEnd));
    return this.famName;
  }

  /** Type of the series' family; untyped when no TYPE line announced it. */
  familyType(): MetricType {
    return this.resolveFamily() ? this.famType : 'untyped';
  }

  /** Suffix of the series name relative to its family ('' when it is the family name). */
  suffix(): SampleSuffix {
    return this.resolveFamily() ? this.suffixValue : '';
  }

  /** True for samples that only go up: see isCounterSample. */
  isCounter(): boolean {
    const typed = this.resolveFamily();
    const untypedTotal = !typed && this.nameEnd - this.nameStart > 6 && this.s.startsWith('_total', this.nameEnd - 6);
    return isCounterSample(typed ? this.famType : 'untyped', typed ? this.suffixValue : '', untypedTotal);
  }

  private resolveFamily(): boolean {
    if (this.suffixIndex === UNRESOLVED) {
      const suffix = this.famPrefix ? matchSuffix(this.s, this.nameStart + this.famEnd - this.famStart, this.nameEnd, this.famType) : undefined;
      this.suffixIndex = suffix === undefined ? 0 : 1;
      this.suffixValue = suffix ?? '';
    }
    return this.suffixIndex === 1;
  }

  // ---- Accessors for metadata entries ----

  /** Metric name of the current HELP, TYPE or UNIT entry. */
  metaName(): string {
    return detachString(this.s.slice(this.metaStart, this.metaEnd));
  }

  /** Unescaped help text (\\ and \n; OpenMetrics also \"). */
  help(): string {
    return unescapeRange(this.s, this.textStart, this.textEnd, this.om);
  }

  /** Type of the current TYPE entry. */
  metricType(): MetricType {
    return this.metaType;
  }

  unit(): string {
    return detachString(this.s.slice(this.textStart, this.textEnd).trim());
  }

  /** Text of the current comment, after `#` and leading blanks. */
  comment(): string {
    return detachString(this.s.slice(this.textStart, this.textEnd));
  }

  /** Error of the current Entry.Error. */
  error(): ParseError {
    return this.err ?? new ParseError('entry', 'no error', this.lineNo, 1);
  }

  /** 1-based line of the current entry. */
  line(): number {
    return this.lineNo;
  }
}
