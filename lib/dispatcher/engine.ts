// The detection side of a scrape cycle: parse the body with the pull parser, find each series' state
// through the SeriesCache (labels are parsed only for series never seen before), feed the detectors,
// and keep track of series that vanish. A series missing from a scrape is fed "missing" (NaN) every
// cycle for series.vanishAfter, so a detector that judges absence (stuck) can see it, then forgotten;
// if it comes back meanwhile it resumes with its state.
import { Entry, ExpositionParser, SeriesCache, detachString } from '../expo/index.ts';
import type { Resolved } from '../contracts/types.ts';
import type { DetectorConfig, ScrapeFormat, SeriesConfig } from './config.ts';
import { acceptSample, createSeriesState, feedSample, judgeBatch, matchSlots, type DetectorSlot, type Findings, type SeriesState } from './series-state.ts';

export interface IngestStats {
  samples: number;
  parseErrors: number;
  /** First parse error of this body, for the log. */
  firstError: string | undefined;
  newSeries: number;
  vanished: number;
  /** New series refused by series.max in this scrape. */
  refused: number;
}

export class DetectionEngine {
  private detectors: readonly DetectorConfig[];
  private series: SeriesConfig;
  private cache: SeriesCache<SeriesState>;
  private readonly parser = new ExpositionParser('', 'prometheus', { lazyLabels: true, reuseMetadata: true });
  /** Series with a sample to judge in the current scrape. */
  private readonly batch: SeriesState[] = [];
  /** Series in the last successful scrape. */
  private readonly live = new Set<SeriesState>();
  /** Series that went missing, by key, oldest first; still fed NaN until vanishAfter. */
  private readonly vanished = new Map<string, SeriesState>();
  /** Series carried over a reconfiguration, picked up by key during the next scrape. */
  private carried = new Map<string, SeriesState>();
  private overflowSeen = 0;
  /** New series refused because of series.max, since start. */
  refused = 0;
  /** Malformed label blocks found while admitting new series (counted once per series). */
  private labelErrors = 0;
  /** First parse error of the current body, whichever part of the parse found it. */
  private firstError: string | undefined;
  private created = 0;
  /** Anomalous series of detectors a reconfiguration removed: resolved with the next findings. */
  private pendingResolved: Resolved[] = [];

  constructor(detectors: readonly DetectorConfig[], series: SeriesConfig) {
    this.detectors = detectors;
    this.series = series;
    this.cache = new SeriesCache({ maxSeries: series.max });
  }

  get liveCount(): number {
    return this.live.size;
  }

  get vanishedCount(): number {
    return this.vanished.size;
  }

  /** Parse and judge one scrape body taken at `now`; findings are appended to `out`. */
  ingest(text: string, format: ScrapeFormat, now: number, out: Findings): IngestStats {
    const { parser, cache, detectors } = this;
    const resolveAfter = this.series.resolveAfter;
    this.takePending(out);
    this.labelErrors = 0;
    this.firstError = undefined;
    this.created = 0;
    let samples = 0;
    let parseErrors = 0;
    const batch = this.batch;
    parser.reset(text, format);
    cache.begin();
    for (let e = cache.next(parser); e !== Entry.End; e = cache.next(parser)) {
      if (e === Entry.Series) {
        samples++;
        const st = cache.resolve(parser, this.admit);
        // The cache answers a repeat of a series within one body with undefined: each is judged once.
        if (st !== undefined && acceptSample(st, parser.timestamp() ?? now, parser.value())) batch.push(st);
      } else if (e === Entry.Error) {
        parseErrors++;
        this.firstError ??= parser.error().message;
      }
    }
    parser.reset('', format); // do not pin the body until the next scrape
    judgeBatch(batch, detectors, resolveAfter, out);
    batch.length = 0; // hold no series past the cycle
    const gone = cache.end();
    for (const st of gone) this.markVanished(st, now);
    for (const st of this.carried.values()) this.markVanished(st, now);
    this.carried.clear();
    const refused = cache.overflow - this.overflowSeen;
    this.refused += refused;
    this.overflowSeen = cache.overflow;
    this.feedVanished(now, out);
    return {
      samples,
      parseErrors: parseErrors + this.labelErrors,
      firstError: this.firstError,
      newSeries: this.created,
      vanished: gone.length,
      refused,
    };
  }

  /** A failed scrape: every known series is missing at `now`. */
  missing(now: number, out: Findings): void {
    const { detectors } = this;
    const resolveAfter = this.series.resolveAfter;
    this.takePending(out);
    for (const st of this.live) feedSample(st, now, NaN, detectors, resolveAfter, out);
    for (const st of this.carried.values()) feedSample(st, now, NaN, detectors, resolveAfter, out);
    this.feedVanished(now, out);
  }

  /**
   * Apply a new detector list / series settings. Detectors whose fingerprint (reference, match, params)
   * is unchanged keep their per-series state; new ones start fresh on the series they match.
   */
  reconfigure(detectors: readonly DetectorConfig[], series: SeriesConfig, now = Date.now()): void {
    const oldIndex = new Map(this.detectors.map((d, i) => [d.fingerprint, i]));
    const kept = new Set(detectors.map((d) => oldIndex.get(d.fingerprint)));
    const remap = (st: SeriesState): boolean => {
      // A detector that is gone can no longer say its anomaly is over: say it for it.
      st.slots.forEach((slot, j) => {
        if (slot?.active && !kept.has(j)) this.pendingResolved.push({ detector: this.detectors[j].name, labels: st.labels, timestamp: now });
      });
      const slots: (DetectorSlot | undefined)[] = new Array(detectors.length);
      let any = false;
      const fresh = matchSlots(detectors, st.labels);
      for (let i = 0; i < detectors.length; i++) {
        const j = oldIndex.get(detectors[i].fingerprint);
        slots[i] = j !== undefined && st.slots[j] !== undefined ? st.slots[j] : fresh?.[i];
        any ||= slots[i] !== undefined;
      }
      st.slots = slots;
      return any;
    };
    const carried = new Map<string, SeriesState>();
    for (const st of [...this.live, ...this.carried.values()]) if (remap(st)) carried.set(st.key, st);
    for (const [key, st] of this.vanished) if (!remap(st)) this.vanished.delete(key);
    this.detectors = detectors;
    this.series = series;
    // A fresh cache re-examines every series, including ones no detector wanted before.
    this.cache = new SeriesCache({ maxSeries: series.max });
    this.overflowSeen = 0;
    this.live.clear();
    this.carried = carried;
  }

  /** SeriesCache `create`: resume a carried or vanished series, or admit a new one. */
  private readonly admit = (p: ExpositionParser): SeriesState | undefined => {
    const key = p.seriesKey();
    const resumed = this.carried.get(key) ?? this.vanished.get(key);
    if (resumed !== undefined) {
      this.carried.delete(key);
      this.vanished.delete(key);
      resumed.vanishedAt = NaN;
      this.live.add(resumed);
      return resumed;
    }
    const labels = p.labels(true);
    if (labels === undefined) {
      this.labelErrors++;
      this.firstError ??= p.error().message;
      return undefined;
    }
    const slots = matchSlots(this.detectors, labels);
    if (slots === undefined) return undefined;
    const st = createSeriesState(detachString(key), labels, p.isCounter(), slots);
    this.live.add(st);
    this.created++;
    return st;
  };

  private takePending(out: Findings): void {
    if (this.pendingResolved.length === 0) return;
    out.resolved.push(...this.pendingResolved);
    this.pendingResolved = [];
  }

  private markVanished(st: SeriesState, now: number): void {
    this.live.delete(st);
    st.vanishedAt = now;
    this.vanished.delete(st.key);
    this.vanished.set(st.key, st);
    // Bound what vanished series may hold: the oldest go first.
    for (const [key] of this.vanished) {
      if (this.vanished.size <= this.series.max) break;
      this.vanished.delete(key);
    }
  }

  private feedVanished(now: number, out: Findings): void {
    const { detectors } = this;
    const { vanishAfterMs, resolveAfter } = this.series;
    for (const [key, st] of this.vanished) {
      if (now - st.vanishedAt > vanishAfterMs) this.vanished.delete(key);
      else feedSample(st, now, NaN, detectors, resolveAfter, out);
    }
  }
}
