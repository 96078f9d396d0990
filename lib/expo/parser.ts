// ExpositionParser: the pull API over ExpositionLexer. next() returns an Entry; these accessors read
// the current entry and build strings only when called, so a caller that needs the series key and value
// (the dispatcher, for known series) never pays for labels.
//
//   const p = new ExpositionParser(text, 'prometheus');
//   for (let e = p.next(); e !== Entry.End; e = p.next()) {
//     if (e === Entry.Series) use(p.seriesKey(), p.value());
//     else if (e === Entry.Error) count(p.error());
//   }

import { SPACE, TAB } from './chars.ts';
import { lexLabelBlock } from './label-block.ts';
import { type Labels, detachString, readLabelText, setLabel, unescapeRange } from './labels.ts';
import { ExpositionLexer, NOT_SCANNED, UNRESOLVED } from './lexer.ts';
import { type MetricType, type SampleSuffix, isCounterSample, matchSuffix } from './metric-type.ts';
import { ParseError } from './parse-error.ts';

export { Entry, type ExpositionFormat, type ParserOptions } from './lexer.ts';

export class ExpositionParser extends ExpositionLexer {
  private suffixValue: SampleSuffix = '';
  // Detached strings of the last series, reused when the next one repeats them (see labels()).
  private lastName = '';
  private readonly recentNames: string[] = [];
  private readonly recentValues: string[] = [];

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

  /** True when next() matched the expectSeries() hint (the series text equals the hint). */
  matchedHint(): boolean {
    return this.hinted;
  }

  /** Whether the current series text equals `key` (a slice compare: memcmp, much cheaper than hashing). */
  seriesEquals(key: string): boolean {
    return key.length === this.seriesEnd - this.nameStart && this.s.slice(this.nameStart, this.seriesEnd) === key;
  }

  metricName(): string {
    this.ensureName();
    const name = this.s.slice(this.nameStart, this.nameEnd);
    // Consecutive samples mostly share a name: reuse the detached copy (a memcmp) instead of copying.
    if (name !== this.lastName) this.lastName = detachString(name);
    return this.lastName;
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
    // Neighbouring series repeat most label names and many values at the same position: reusing the
    // previous strings costs a memcmp, where fresh ones cost a copy (and, for names, internalisation).
    const names = this.recentNames;
    const values = this.recentValues;
    for (let k = 0; k < o.count; k++) {
      const b = k * 4;
      const nameSlice = s.slice(o.offsets[b], o.offsets[b + 1]);
      let name = names[k];
      if (name !== nameSlice) names[k] = name = detachString(nameSlice);
      let value: string;
      if (o.escaped[k] === 1) value = readLabelText(s, o.offsets[b + 2], o.offsets[b + 3], true);
      else {
        const valueSlice = s.slice(o.offsets[b + 2], o.offsets[b + 3]);
        value = values[k];
        if (value !== valueSlice) values[k] = value = detachString(valueSlice);
      }
      setLabel(out, name, value);
    }
    return out;
  }

  /** Lex a block skipped by lazyLabels; false (with error() set) when it is malformed. */
  checkLabels(): boolean {
    this.ensureName();
    if (this.labelsLexed) return true;
    const s = this.s;
    const end = lexLabelBlock(s, this.blockStart, this.lineEnd, this.labelOffsets);
    if (end === this.seriesEnd) {
      this.labelsLexed = true;
      return true;
    }
    // Malformed: read the line eagerly, which fails with the same error next() gives without lazyLabels.
    this.lexEagerly(this.nameStart);
    this.labelOffsets.count = 0;
    this.labelsLexed = false;
    return false;
  }

  /** Name of the family the series belongs to (the last TYPE line's name, else the series name). */
  familyName(): string {
    return this.resolveFamily() ? detachString(this.famName) : this.metricName();
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
    this.ensureName();
    const untypedTotal = !typed && this.nameEnd - this.nameStart > 6 && this.s.startsWith('_total', this.nameEnd - 6);
    return isCounterSample(typed ? this.famType : 'untyped', typed ? this.suffixValue : '', untypedTotal);
  }

  /** Walk the name of a line next() accepted by its hint, and locate its label block. */
  private ensureName(): void {
    if (this.nameEnd !== NOT_SCANNED) return;
    const s = this.s;
    this.nameEnd = this.scanName(this.nameStart);
    let i = this.nameEnd;
    while (s.charCodeAt(i) === SPACE || s.charCodeAt(i) === TAB) i++;
    this.labelsLexed = i >= this.seriesEnd;
    this.blockStart = i + 1;
    this.lineEnd = s.indexOf('\n', i);
  }

  private resolveFamily(): boolean {
    this.ensureName();
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
