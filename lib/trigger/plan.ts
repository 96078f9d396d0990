// Which time range a run asks Prometheus for, and from where it reports. Pure arithmetic, so the
// rules are tested as a table (test/trigger/plan.test.ts):
// - the window ends on the step grid at or before now and holds `window / step` points;
// - reportFrom = one step after the end of the last successful run, so overlapping windows never
//   report a point twice; with no last run (a cold start) only the last `lookback` is reported;
// - after missed ticks the window grows so that the whole gap is covered and `warmup` of history
//   still precedes it, but never beyond `maxWindow`: then the oldest part of the gap is given up
//   (`lostMs`), and the report says so.

export interface PlanSettings {
  stepMs: number;
  windowMs: number;
  lookbackMs: number;
  maxWindowMs: number;
  warmupMs: number;
}

export interface WindowPlan {
  /** Unix ms on the step grid, inclusive. */
  start: number;
  end: number;
  /** First point to report (on the grid); > end when there is nothing new. */
  reportFrom: number;
  /** The window was extended beyond `window` to cover missed ticks. */
  extended: boolean;
  /** Part of the gap since the last run that the maxWindow cap gave up, ms. */
  lostMs: number;
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

/** End of the window for a run at `now`: the last grid point at or before it. */
export function windowEnd(now: number, stepMs: number): number {
  return floorTo(now, stepMs);
}

/** The plan for one (query, detector) given the end of its last successful run, if known. */
export function planWindow(settings: PlanSettings, end: number, lastEnd: number | undefined): WindowPlan {
  const { stepMs, windowMs, lookbackMs, maxWindowMs, warmupMs } = settings;
  const normalStart = end - floorTo(windowMs, stepMs) + stepMs;
  const firstReport = lastEnd === undefined ? end - floorTo(lookbackMs, stepMs) : ceilTo(lastEnd + stepMs, stepMs);
  const warmup = ceilTo(warmupMs, stepMs);
  // History in front of the first reported point; the normal window when that is enough.
  const wanted = Math.min(normalStart, firstReport - warmup);
  const minStart = end - floorTo(maxWindowMs, stepMs) + stepMs;
  if (wanted >= minStart) return { start: wanted, end, reportFrom: firstReport, extended: wanted < normalStart, lostMs: 0 };
  const reportFrom = Math.max(firstReport, minStart + warmup);
  return { start: minStart, end, reportFrom, extended: minStart < normalStart, lostMs: reportFrom - firstReport };
}

/** One window for several (query, detector) plans: the earliest start, the common end. */
export function mergePlans(plans: WindowPlan[]): { start: number; end: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const p of plans) {
    if (p.start < start) start = p.start;
    if (p.end > end) end = p.end;
  }
  return { start, end };
}
