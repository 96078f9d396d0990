// Smoke test of the benchmark machinery (load child, both servers, report); no timing asserts.
import { describe, expect, it } from 'vitest';
import { formatInjectorReport, runInjectorBench } from '../../bench/injector.ts';

describe('bench/injector.ts', () => {
  it('runs a short load from a child process with zero errors', async () => {
    const result = await runInjectorBench({ runs: 1, seconds: 1, rate: 50, warmupSeconds: 0.2, log: () => {} });
    expect(result.injector.errors).toBe(0);
    expect(result.peer.errors).toBe(0);
    expect(result.injector.runs[0].ok).toBe(50);
    expect(result.injector.p99).toBeGreaterThan(0);
    expect(formatInjectorReport(result)).toContain('bar: p99 <= 5 ms and 0 errors');
  });
});
