// Per-target series table for the dispatcher: resolves the parser's current series to the caller's
// state, creating it (and parsing labels) only for series not seen before, and reports series that
// vanished. Scrapes of one target list series in the same order almost every time, so the series
// expected next is tried first with one string compare (memcmp); only new or moved series pay for a
// hash lookup, which costs several times more for 100-character keys.
//
// With cache.next(parser) instead of parser.next(), the parser is told which series to expect, and a line
// that starts with exactly that text is not lexed again (one memcmp for name and labels). Keep one parser
// per target, made with { lazyLabels: true, reuseMetadata: true }, for the full steady-state saving.
//
//   const cache = new SeriesCache<State>({ maxSeries: 10_000 });
//   cache.begin();
//   for (let e = cache.next(parser); e !== Entry.End; e = cache.next(parser)) {
//     if (e === Entry.Series) { const st = cache.resolve(parser, (p) => createState(p.labels(true))); ... }
//   }
//   const gone = cache.end();   // states of series absent from this scrape, already removed

import { detachString } from './labels.ts';
import type { Entry, ExpositionParser } from './parser.ts';

interface Slot<T> {
  key: string;
  /** Undefined for a series `create` rejected: remembered so it is not re-examined every scrape. */
  state: T | undefined;
  /** Scrape generation that last saw it. */
  seen: number;
  /** Position in the order of the scrape that last saw it. */
  index: number;
}

export interface SeriesCacheOptions {
  /** New series beyond this many are refused (resolve returns undefined) and counted in `overflow`. */
  maxSeries?: number;
}

export class SeriesCache<T> {
  private readonly map = new Map<string, Slot<T>>();
  private previous: Slot<T>[] = [];
  private current: Slot<T>[] = [];
  private cursor = 0;
  private generation = 0;
  private readonly maxSeries: number;
  private rejected = 0;
  /** New series refused because of maxSeries, since construction. */
  overflow = 0;

  constructor(options: SeriesCacheOptions = {}) {
    this.maxSeries = options.maxSeries ?? Number.POSITIVE_INFINITY;
  }

  /** Accepted series currently tracked. */
  get size(): number {
    return this.map.size - this.rejected;
  }

  /** Start a scrape. */
  begin(): void {
    this.generation++;
    const order = this.previous;
    this.previous = this.current;
    this.current = order;
    this.current.length = 0;
    this.cursor = 0;
  }

  /** parser.next(), hinting the series the previous scrape had at this point. */
  next(p: ExpositionParser): Entry {
    p.expectSeries(this.previous[this.cursor]?.key);
    return p.next();
  }

  /**
   * State of the parser's current series (call on Entry.Series). `create` runs once per new series and
   * may return undefined to reject it (its labels are malformed, or it matches no selector); a rejected
   * series is remembered while it keeps appearing, so `create` does not run for it again.
   * Returns undefined for rejected series, over-cap series and repeats of a series within one scrape.
   */
  resolve(p: ExpositionParser, create: (p: ExpositionParser) => T | undefined): T | undefined {
    let slot: Slot<T> | undefined = this.previous[this.cursor];
    if (slot !== undefined && (p.matchedHint() || p.seriesEquals(slot.key))) {
      this.cursor++;
    } else {
      const key = p.seriesKey();
      slot = this.map.get(key);
      if (slot === undefined) {
        if (this.map.size - this.rejected >= this.maxSeries) {
          this.overflow++;
          return undefined;
        }
        const state = create(p);
        if (state === undefined) this.rejected++;
        slot = { key: detachString(key), state, seen: 0, index: 0 };
        this.map.set(slot.key, slot);
      } else if (slot.seen !== this.generation && slot.index >= this.cursor) {
        this.cursor = slot.index + 1; // resynchronise after an insertion or removal upstream
      }
    }
    if (slot.seen === this.generation) return undefined;
    slot.seen = this.generation;
    slot.index = this.current.length;
    this.current.push(slot);
    return slot.state;
  }

  /** End a scrape: remove and return the states of series that were not in it. */
  end(): T[] {
    const gone: T[] = [];
    if (this.map.size === this.current.length) return gone;
    for (const [key, slot] of this.map) {
      if (slot.seen === this.generation) continue;
      if (slot.state === undefined) this.rejected--;
      else gone.push(slot.state);
      this.map.delete(key);
    }
    return gone;
  }
}
