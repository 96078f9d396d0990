// Per-series state: the series' labels (parsed once, when it first appears), a counter-to-rate
// converter for cumulative series, and one online detector per configured detector that matches it,
// each with its anomaly state. Memory per series is fixed: what the detectors keep (their windows are
// bounded by their params) plus a few numbers; no sample history is kept here.
import type { Anomaly, Labels, Resolved } from '../contracts/types.ts';
import { clampScore, type OnlineDetector } from '../sdk/detector.ts';
import { createCounterRate, type CounterRate } from '../sdk/counter.ts';
import type { DetectorConfig } from './config.ts';

export interface DetectorSlot {
  online: OnlineDetector;
  /** Reported anomalous and not yet resolved. */
  active: boolean;
  /** Consecutive normal scores while active (hysteresis before "resolved"). */
  calm: number;
}

export interface SeriesState {
  /** Raw series text from the exposition (the SeriesCache key), detached from the scrape body. */
  key: string;
  /** Labels with __name__. Shared by every anomaly of this series (never mutated). */
  labels: Labels;
  /** Set for counters, histogram buckets/counts/sums and summary counts/sums: they are fed as rates. */
  rate: CounterRate | undefined;
  /** Time of the last sample fed; samples at or before it are skipped (duplicates, clock going back). */
  lastT: number;
  /** The value fed at lastT (a rate for cumulative series), as the detectors see it. */
  x: number;
  /** One per configured detector, by index; undefined where the detector's selector does not match. */
  slots: (DetectorSlot | undefined)[];
  /** When the series was last missing from a scrape it used to be in; NaN while it is present. */
  vanishedAt: number;
}

export interface Findings {
  anomalies: Anomaly[];
  resolved: Resolved[];
}

export function createSlot(d: DetectorConfig): DetectorSlot {
  return { online: d.detector.createOnline(d.params), active: false, calm: 0 };
}

/** Slots for a series under `detectors`; undefined when no detector wants the series. */
export function matchSlots(detectors: readonly DetectorConfig[], labels: Labels): (DetectorSlot | undefined)[] | undefined {
  let any = false;
  const slots: (DetectorSlot | undefined)[] = new Array(detectors.length);
  const name = labels.__name__ ?? '';
  for (let i = 0; i < detectors.length; i++) {
    const d = detectors[i];
    if (d.selector === undefined || d.selector.matches(name, labels)) {
      slots[i] = createSlot(d);
      any = true;
    }
  }
  return any ? slots : undefined;
}

export function createSeriesState(key: string, labels: Labels, counter: boolean, slots: (DetectorSlot | undefined)[]): SeriesState {
  return { key, labels, rate: counter ? createCounterRate() : undefined, lastT: Number.NEGATIVE_INFINITY, x: NaN, slots, vanishedAt: NaN };
}

/**
 * Take one sample (value NaN = missing) as the series' input for this cycle: counters are converted to
 * per-second rates first (the first sample of a counter only primes the rate). Returns false when there
 * is nothing to judge: a sample not newer than the last one, or a counter's first sample.
 */
export function acceptSample(st: SeriesState, t: number, value: number): boolean {
  if (t <= st.lastT) return false;
  st.lastT = t;
  let x = value;
  if (st.rate !== undefined && !Number.isNaN(value)) {
    x = st.rate.update(t, value);
    if (Number.isNaN(x)) return false;
  }
  st.x = x;
  return true;
}

/** Feed one sample to every detector of the series and record what they find. */
export function feedSample(
  st: SeriesState,
  t: number,
  value: number,
  detectors: readonly DetectorConfig[],
  resolveAfter: number,
  out: Findings,
): void {
  if (!acceptSample(st, t, value)) return;
  const slots = st.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (slot !== undefined) judge(st, slot, detectors[i].name, resolveAfter, out);
  }
}

/**
 * Judge the accepted samples of a batch of series, detector by detector. One detector
 * over all series, then the next: at one scrape a second the caches are cold at every cycle, and
 * running one detector's code and call sites over hundreds of series keeps them hot and monomorphic
 * (measured in-process at one scrape a second: detection ~30% cheaper than every detector per series).
 */
export function judgeBatch(batch: readonly SeriesState[], detectors: readonly DetectorConfig[], resolveAfter: number, out: Findings): void {
  for (let i = 0; i < detectors.length; i++) {
    const name = detectors[i].name;
    for (let k = 0; k < batch.length; k++) {
      const st = batch[k];
      const slot = st.slots[i];
      if (slot !== undefined) judge(st, slot, name, resolveAfter, out);
    }
  }
}

function judge(st: SeriesState, slot: DetectorSlot, detector: string, resolveAfter: number, out: Findings): void {
  const t = st.lastT;
  const x = st.x;
  const score = clampScore(slot.online.update(t, x));
  if (score >= 1) {
    slot.active = true;
    slot.calm = 0;
    out.anomalies.push(describeAnomaly(detector, st.labels, t, x, score, slot.online));
  } else if (slot.active && score < 1) {
    // NaN (no opinion) neither confirms nor clears an anomaly.
    if (++slot.calm >= resolveAfter) {
      slot.active = false;
      slot.calm = 0;
      out.resolved.push({ detector, labels: st.labels, timestamp: t });
    }
  }
}

function describeAnomaly(detector: string, labels: Labels, t: number, x: number, score: number, online: OnlineDetector): Anomaly {
  const anomaly: Anomaly = { detector, labels, timestamp: t, value: Number.isFinite(x) ? x : null, score };
  const expected = online.expected?.();
  if (expected !== undefined && Number.isFinite(expected.lower) && Number.isFinite(expected.upper)) {
    anomaly.expected = { lower: expected.lower, upper: expected.upper };
  }
  return anomaly;
}
