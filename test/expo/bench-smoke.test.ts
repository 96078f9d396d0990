// bench/parser.ts must keep working for `deucalion bench sidecar`: a tiny run checks its shape, never timings.
import { describe, expect, it } from 'vitest';
import { formatParserBench, runParserBench } from '../../bench/parser.ts';
import { generateManySeriesPayload } from '../../bench/fixtures/index.ts';

describe('runParserBench', () => {
  it('reports every parser for every payload', () => {
    const r = runParserBench({ runs: 5, minTimeMs: 1, payloads: [{ name: 'tiny', text: generateManySeriesPayload(50) }], log: () => {} });
    expect(r.runs).toBe(5);
    expect(r.payloads).toHaveLength(1);
    const p = r.payloads[0];
    expect([p.payload, p.samples]).toEqual(['tiny', 50]);
    expect(p.results.map((x) => x.parser)).toEqual(['parse-prometheus-text-format', 'deucalion (keys only)', 'deucalion (dispatcher)', 'deucalion (full labels)']);
    for (const x of p.results) expect(x.runsMbPerSec).toHaveLength(5);
    expect(typeof r.pass).toBe('boolean');
    expect(formatParserBench(r)).toContain('tiny (');
  });
});
