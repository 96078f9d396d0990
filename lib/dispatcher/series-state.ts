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
  return { key, labels, rate: counter ? createCounterRate() : undefined, lastT: Number.NEGATIVE_INFINITY, slots, vanishedAt: NaN };
}

/**
 * Feed one sample (value NaN = missing) to every detector of the series and record what it finds.
 * Counters are converted to per-second rates first; the first sample of a counter only primes the rate.
 */
export function feedSample(
  st: SeriesState,
  t: number,
  value: number,
  detectors: readonly DetectorConfig[],
  resolveAfter: number,
  out: Findings,
): void {
  if (t <= st.lastT) return;
  st.lastT = t;
  let x = value;
  if (st.rate !== undefined && !Number.isNaN(value)) {
    x = st.rate.update(t, value);
    if (Number.isNaN(x)) return;
  }
  const slots = st.slots;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (slot === undefined) continue;
    const score = clampScore(slot.online.update(t, x));
    if (score >= 1) {
      slot.active = true;
      slot.calm = 0;
      out.anomalies.push(describeAnomaly(detectors[i].name, st.labels, t, x, score, slot.online));
    } else if (slot.active && score < 1) {
      // NaN (no opinion) neither confirms nor clears an anomaly.
      if (++slot.calm >= resolveAfter) {
        slot.active = false;
        slot.calm = 0;
        out.resolved.push({ detector: detectors[i].name, labels: st.labels, timestamp: t });
      }
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
