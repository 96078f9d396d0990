// Pull lexer for the Prometheus text format 0.0.4 and OpenMetrics 1.0, modelled on Prometheus'
// model/textparse. Hand-written over charCodeAt instead of regexes or split(): the dispatcher parses
// every scrape of every pod, so each line is walked once, positions are recorded, and nothing is
// allocated per sample. ExpositionParser (parser.ts) adds the accessors that build strings on demand.
//
// Size limits are the caller's job (it reads the body and knows the bytes); the lexer takes a string.

import { CLASS, CR, HASH, LBRACE, LF, NAME_CHAR, NAME_START, SPACE, TAB } from './chars.ts';
import { lexLabelBlock } from './label-block.ts';
import { Entry, NOT_SCANNED, UNRESOLVED } from './lexer-state.ts';
import { MetaLexer } from './meta-lexer.ts';
import { cursor, readFloat, readInt, scanFloat } from './number.ts';

export { Entry, type ExpositionFormat, NOT_SCANNED, type ParserOptions, UNRESOLVED } from './lexer-state.ts';

export class ExpositionLexer extends MetaLexer {
  /**
   * Hint that the next series line probably starts with `key` (a series text this parser validated in an
   * earlier payload). If it does, followed by a blank, next() skips walking the name and label block:
   * they are byte-identical to ones already checked. Consumed by the next series line; pass only keys
   * from seriesKey() of series whose labels() succeeded.
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
}
