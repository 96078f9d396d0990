// bench/trigger.ts still runs end to end (tiny: 200 series, one run, one cold start). No timing asserts.
import { describe, expect, it } from 'vitest';
import { measureTrigger } from '../../bench/trigger.ts';

describe('bench/trigger.ts', () => {
  it('runs the trigger, two detectors and the cold start, and reports every figure', async () => {
    const r = await measureTrigger({ json: true, series: 200, runs: 1, coldStarts: 1, log: () => {} });
    expect(r).toMatchObject({ series: 200, points: 240, runs: 1, prometheus: 'fake' });
    expect(r.run.lastReport).toMatchObject({ status: 'ok', series: 200, points: 200 * 240, anomalies: 4, errors: [] });
    expect(r.run.allMs).toHaveLength(1);
    expect(r.peakRssMb.trigger).toBeGreaterThan(0);
    expect(Object.keys(r.peakRssMb.detectors)).toEqual(['detector-zscore', 'detector-ewma']);
    expect(r.coldStart.allMs).toHaveLength(1);
    expect(r.coldStart.compileCacheMedianMs).toBeGreaterThan(0);
  }, 120_000);
});
