// HELP/TYPE/UNIT/comment lines of the previous payload, for ParserOptions.reuseMetadata. A target's
// metadata rarely changes between scrapes, so a line equal to the one at the same place last time is
// accepted with one string compare instead of being lexed again. Holds detached copies of those lines
// (typically a few tens of KB per target).

import { LF } from './chars.ts';
import type { Entry } from './lexer-state.ts';
import type { MetricType } from './metric-type.ts';

export interface MetaLine {
  /** The whole line from `#` up to (not including) its LF. */
  text: string;
  kind: Entry;
  /** Offsets from the `#`. */
  nameStart: number;
  nameEnd: number;
  textStart: number;
  textEnd: number;
  /** Detached metric name (HELP/TYPE/UNIT). */
  name: string;
  type: MetricType;
}

export class MetaMemo {
  private previous: MetaLine[] = [];
  private current: MetaLine[] = [];
  private index = 0;

  /** A new payload starts: what was recorded becomes what is matched. */
  rotate(): void {
    const spare = this.previous;
    this.previous = this.current;
    this.current = spare;
    this.current.length = 0;
    this.index = 0;
  }

  /** The remembered line that `s` repeats at `at` (its `#`), trying the expected one and the next. */
  match(s: string, at: number): MetaLine | undefined {
    const last = Math.min(this.index + 2, this.previous.length);
    for (let k = this.index; k < last; k++) {
      const m = this.previous[k];
      const end = at + m.text.length;
      if (s.charCodeAt(end) === LF && s.slice(at, end) === m.text) {
        this.index = k + 1;
        this.current.push(m);
        return m;
      }
    }
    return undefined;
  }

  record(line: MetaLine): void {
    this.current.push(line);
  }
}
