// Pull lexer for the Prometheus text format 0.0.4 and OpenMetrics 1.0, modelled on Prometheus'
// model/textparse. Hand-written over charCodeAt instead of regexes or split(): the dispatcher parses
// every scrape of every pod, so each line is walked once, positions are recorded, and nothing is
// allocated per sample. ExpositionParser (parser.ts) adds the accessors that build strings on demand.
//
// Size limits are the caller's job (it reads the body and knows the bytes); the lexer takes a string.

import { CLASS, CR, HASH, LBRACE, LF, NAME_CHAR, NAME_START, SPACE, TAB } from './chars.ts';
import { createLabelOffsets, lexLabelBlock } from './label-block.ts';
import { detachString } from './labels.ts';
import { type MetaLine, MetaMemo } from './meta-memo.ts';
import { type MetricType, toMetricType } from './metric-type.ts';
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
  /**
   * Remember the HELP/TYPE/UNIT/comment lines of each payload; in the next payload, a line identical to
   * the remembered one at that point is accepted with one compare (for a parser kept per target).
   */
  reuseMetadata?: boolean;
}

/** nameEnd before the name has been walked (a hinted line skips it until an accessor needs it). */
export const NOT_SCANNED = -1;
/** suffixIndex before familyType() and friends have looked at the current series. */
export const UNRESOLVED = -1;

export class ExpositionLexer {
  protected s = '';
  protected n = 0;
  /** Length of the caller's text; `s` may carry one extra LF so no loop ever reads past the end. */
  protected inputLength = 0;
  protected pos = 0;
  protected om = false;
  protected done = false;
  protected lineNo = 0;
  protected lineStart = 0;
  protected err: ParseError | undefined = undefined;
  // Current series line.
  protected nameStart = 0;
  protected nameEnd = 0;
  protected seriesEnd = 0;
  protected val = 0;
  protected ts = 0;
  protected hasTs = false;
  protected readonly labelOffsets = createLabelOffsets();
  protected labelsLexed = true;
  protected blockStart = 0;
  protected lineEnd = 0;
  private readonly lazyOption: boolean;
  private readonly memo: MetaMemo | undefined;
  protected lazy = false;
  // Series text the caller expects next (SeriesCache: the previous scrape's order), and whether it matched.
  protected hint: string | undefined = undefined;
  protected hinted = false;
  // Current metadata line (HELP/TYPE/UNIT/comment): name range and text range.
  protected metaStart = 0;
  protected metaEnd = 0;
  protected textStart = 0;
  protected textEnd = 0;
  protected metaType: MetricType = 'untyped';
  private lastMetaName = '';
  // Family announced by the last TYPE line, and whether the current series name starts with it.
  protected famStart = 0;
  protected famEnd = 0;
  protected famName = '';
  protected famType: MetricType = 'untyped';
  protected famPrefix = false;
  protected suffixIndex = UNRESOLVED;

  constructor(text = '', format: ExpositionFormat = 'prometheus', options: ParserOptions = {}) {
    this.lazyOption = options.lazyLabels === true;
    this.memo = options.reuseMetadata === true ? new MetaMemo() : undefined;
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
    this.hint = undefined;
    this.famStart = 0;
    this.famEnd = 0;
    this.famName = '';
    this.famType = 'untyped';
    this.lastMetaName = '';
    this.memo?.rotate();
  }

  /**
   * Hint that the next series line probably starts with `key` (a series text this parser validated in an
   * earlier payload). If it does, followed by a blank, next() skips walking the name and label block:
   * they are byte-identical to ones already checked. Cleared by every next().
   */
  expectSeries(key: string | undefined): void {
    this.hint = key;
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
      if ((CLASS[c] & NAME_START) !== 0) return this.hint === undefined ? this.lexSeries(i) : this.lexHinted(i);
      return this.fail('metric name', i);
    }
  }

  /** A series line the caller predicted: one memcmp instead of walking name and labels. */
  private lexHinted(start: number): Entry {
    const s = this.s;
    const hint = this.hint!;
    this.hint = undefined;
    const end = start + hint.length;
    const after = s.charCodeAt(end);
    if ((after === SPACE || after === TAB) && s.slice(start, end) === hint) {
      let i = end + 1;
      let c = s.charCodeAt(i);
      while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
      // "a" must not swallow "a {x="1"}": a blank may separate a name from its labels.
      if (c !== LBRACE) {
        this.nameStart = start;
        this.nameEnd = NOT_SCANNED;
        this.seriesEnd = end;
        this.labelOffsets.count = 0;
        this.labelsLexed = false;
        this.suffixIndex = UNRESOLVED;
        this.hinted = true;
        return this.lexSample(i);
      }
    }
    return this.lexSeries(start);
  }

  protected lexSeries(start: number): Entry {
    const s = this.s;
    this.hint = undefined;
    this.hinted = false;
    let i = this.scanName(start);
    let c = s.charCodeAt(i);
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
        this.seriesEnd = close + 1;
        i = close + 1;
        c = s.charCodeAt(i);
        while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
        const e = this.lexSample(i);
        // A bad line is re-read eagerly so both modes report the very same error.
        return e === Entry.Error ? this.lexEagerly(start) : e;
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
    return this.lexSample(i);
  }

  /** Lex the series line at `start` as if lazyLabels were off; used to explain a bad line exactly. */
  protected lexEagerly(start: number): Entry {
    const lazy = this.lazy;
    this.lazy = false;
    const e = this.lexSeries(start);
    this.lazy = lazy;
    return e;
  }

  /**
   * Walk a metric name whose first character is valid; returns its end and sets famPrefix. The current
   * family name is tried first with one string compare: most samples belong to the family announced
   * just before them, and its characters were validated on the TYPE line.
   */
  protected scanName(start: number): number {
    const s = this.s;
    const fl = this.famName.length;
    let i = start + 1;
    this.famPrefix = fl > 0 && s.slice(start, start + fl) === this.famName;
    if (this.famPrefix) i = start + fl;
    let c = s.charCodeAt(i);
    while ((CLASS[c] & NAME_CHAR) !== 0) c = s.charCodeAt(++i);
    return i;
  }

  /** Value, optional timestamp, optional OpenMetrics exemplar, end of line. */
  private lexSample(i: number): Entry {
    const s = this.s;
    const vs = i;
    const v = scanFloat(s, vs);
    i = cursor.end;
    let c = s.charCodeAt(i);
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
    const hash = i - 1;
    if (this.memo !== undefined) {
      const m = this.memo.match(s, hash);
      if (m !== undefined) return this.applyMeta(m, hash);
    }
    let c = s.charCodeAt(i);
    const afterHash = i;
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (i > afterHash) {
      const kw = i;
      if (c === 72 /* H */ && this.keywordAt(kw, 'HELP')) return this.lexMeta(kw + 4, Entry.Help, hash);
      if (c === 84 /* T */ && this.keywordAt(kw, 'TYPE')) return this.lexMeta(kw + 4, Entry.Type, hash);
      if (c === 85 /* U */ && this.keywordAt(kw, 'UNIT')) return this.lexMeta(kw + 4, Entry.Unit, hash);
      if (c === 69 /* E */ && this.om && this.keywordAt(kw, 'EOF')) return this.lexEof(kw + 3);
    }
    const end = this.lineEndFrom(i);
    this.textStart = i;
    this.textEnd = this.trimCR(end);
    this.pos = end + 1;
    this.remember(hash, end, Entry.Comment);
    return Entry.Comment;
  }

  /** Accept a metadata line equal to one remembered from the previous payload. */
  private applyMeta(m: MetaLine, hash: number): Entry {
    this.metaStart = hash + m.nameStart;
    this.metaEnd = hash + m.nameEnd;
    this.textStart = hash + m.textStart;
    this.textEnd = hash + m.textEnd;
    this.lastMetaName = m.name;
    if (m.kind === Entry.Type) {
      this.metaType = m.type;
      this.famStart = this.metaStart;
      this.famEnd = this.metaEnd;
      this.famName = m.name;
      this.famType = m.type;
    }
    this.pos = hash + m.text.length + 1;
    return m.kind;
  }

  private remember(hash: number, end: number, kind: Entry): void {
    if (this.memo === undefined || end >= this.inputLength) return;
    const name = kind === Entry.Comment ? '' : detachString(this.s.slice(this.metaStart, this.metaEnd));
    this.memo.record({
      text: detachString(this.s.slice(hash, end)),
      kind,
      nameStart: this.metaStart - hash,
      nameEnd: this.metaEnd - hash,
      textStart: this.textStart - hash,
      textEnd: this.textEnd - hash,
      name,
      type: kind === Entry.Type ? this.metaType : 'untyped',
    });
  }

  /** True when `word` sits at i followed by a blank, end of line or end of input. */
  private keywordAt(i: number, word: string): boolean {
    if (!this.s.startsWith(word, i)) return false;
    const c = this.s.charCodeAt(i + word.length);
    return c !== c || c === SPACE || c === TAB || c === LF || c === CR;
  }

  private lexMeta(i: number, kind: Entry, hash: number): Entry {
    const s = this.s;
    let c = s.charCodeAt(i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if ((CLASS[c] & NAME_START) === 0) return this.fail('metric name', i);
    const ns = i;
    // HELP and TYPE lines of a family name it twice: compare with the previous one (memcmp) first.
    const prev = this.lastMetaName;
    if (prev.length > 0 && s.slice(ns, ns + prev.length) === prev) i = ns + prev.length;
    else i++;
    c = s.charCodeAt(i);
    while ((CLASS[c] & NAME_CHAR) !== 0) c = s.charCodeAt(++i);
    if (c === c && c !== SPACE && c !== TAB && c !== LF && c !== CR) return this.fail('metric name', ns);
    this.metaStart = ns;
    this.metaEnd = i;
    this.lastMetaName = s.slice(ns, i);
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
      this.famName = s.slice(ns, i);
      this.famType = type;
    }
    this.pos = end + 1;
    this.remember(hash, end, kind);
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

  protected fail(expected: string, at: number): Entry {
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

}
