import { describe, expect, it } from 'vitest';
import { mergePlans, planWindow, windowEnd, type PlanSettings } from '../../lib/trigger/plan.ts';

const S = 15_000;
const MIN = 60_000;
const H = 60 * MIN;
const settings: PlanSettings = { stepMs: S, windowMs: H, lookbackMs: 0, maxWindowMs: 4 * H, warmupMs: 30 * MIN };
const END = 1_700_000_100_000 - (1_700_000_100_000 % S);

describe('windowEnd', () => {
  it.each([
    [1_000_000, 1_000_000 - (1_000_000 % S)],
    [15_000 * 7, 15_000 * 7],
    [15_000 * 7 + 14_999, 15_000 * 7],
  ])('now=%i → %i', (now, want) => expect(windowEnd(now, S)).toBe(want));
});

describe('planWindow', () => {
  const cases: { name: string; settings?: Partial<PlanSettings>; lastEnd?: number; want: { start: number; reportFrom: number; extended: boolean; lostMs: number } }[] = [
    { name: 'cold start: only the last step, a full window of history', want: { start: END - H + S, reportFrom: END, extended: false, lostMs: 0 } },
    { name: 'cold start with a 5 m lookback', settings: { lookbackMs: 5 * MIN }, want: { start: END - H + S, reportFrom: END - 5 * MIN, extended: false, lostMs: 0 } },
    { name: 'regular tick one minute later', lastEnd: END - MIN, want: { start: END - H + S, reportFrom: END - MIN + S, extended: false, lostMs: 0 } },
    { name: 'same step again: nothing new', lastEnd: END, want: { start: END - H + S, reportFrom: END + S, extended: false, lostMs: 0 } },
    { name: 'missed ticks, 50 m gap: window grows to keep 30 m warm-up', lastEnd: END - 50 * MIN, want: { start: END - 80 * MIN + S, reportFrom: END - 50 * MIN + S, extended: true, lostMs: 0 } },
    { name: 'gap of 3 h 30 m (exactly at the cap)', lastEnd: END - 3.5 * H, want: { start: END - 4 * H + S, reportFrom: END - 3.5 * H + S, extended: true, lostMs: 0 } },
    { name: 'one step over the cap: that step is given up', lastEnd: END - 3.5 * H - S, want: { start: END - 4 * H + S, reportFrom: END - 3.5 * H + S, extended: true, lostMs: S } },
    { name: 'gap of 5 h: capped at 4 h, oldest 1 h 30 m given up', lastEnd: END - 5 * H, want: { start: END - 4 * H + S, reportFrom: END - 3.5 * H + S, extended: true, lostMs: 1.5 * H } },
    { name: 'warm-up not a multiple of the step rounds up', settings: { warmupMs: 50 * MIN + 1 }, lastEnd: END - 20 * MIN, want: { start: END - 20 * MIN + S - 50 * MIN - S, reportFrom: END - 20 * MIN + S, extended: true, lostMs: 0 } },
  ];
  it.each(cases)('$name', ({ settings: extra, lastEnd, want }) => {
    const plan = planWindow({ ...settings, ...extra }, END, lastEnd);
    expect(plan).toEqual({ end: END, ...want });
    expect((plan.end - plan.start) % S).toBe(0);
    expect((plan.reportFrom - plan.start) % S).toBe(0);
  });

  it('never reports a point twice across consecutive runs, and misses none', () => {
    let lastEnd: number | undefined;
    const reported = new Set<number>();
    for (const end of [END, END + S, END + 4 * S, END + 4 * S, END + 60 * S]) {
      const plan = planWindow(settings, end, lastEnd);
      for (let t = plan.reportFrom; t <= plan.end; t += S) {
        expect(reported.has(t)).toBe(false);
        reported.add(t);
      }
      lastEnd = end;
    }
    for (let t = END; t <= END + 60 * S; t += S) expect(reported.has(t)).toBe(true);
  });
});

describe('mergePlans', () => {
  it('takes the earliest start', () => {
    const a = planWindow(settings, END, undefined);
    const b = planWindow(settings, END, END - 50 * MIN);
    expect(mergePlans([a, b])).toEqual({ start: b.start, end: END });
  });
});
