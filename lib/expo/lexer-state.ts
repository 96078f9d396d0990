// Shared state of the exposition lexer: the payload, the position, the current entry's offsets, and the
// error and end-of-input handling every part of the lexer uses. See lexer.ts for the entry point.

import { CR, LF } from './chars.ts';
import { createLabelOffsets } from './label-block.ts';
import { MetaMemo } from './meta-memo.ts';
import type { MetricType } from './metric-type.ts';
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

export class LexerState {
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
  protected readonly memo: MetaMemo | undefined;
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
  protected lastMetaName = '';
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

  /** End of the text: OpenMetrics requires `# EOF` before it. */
  protected finish(i: number): Entry {
    this.pos = i;
    this.done = true;
    if (!this.om) return Entry.End;
    const at = Math.min(i, this.inputLength); // not past a LF that reset() appended
    this.moveTo(at);
    return this.fail('"# EOF"', at);
  }

  /** Point lineNo/lineStart at the line holding `at`, for errors found past the current line. */
  protected moveTo(at: number): void {
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

  protected lineEndFrom(i: number): number {
    const nl = this.s.indexOf('\n', i);
    return nl < 0 ? this.n : nl;
  }

  protected trimCR(end: number): number {
    return end > 0 && this.s.charCodeAt(end - 1) === CR ? end - 1 : end;
  }
}
