// The sidecar benchmark runs end to end (a few seconds, one run): it starts the target, Prometheus and
// the dispatcher and reports both processes. Shape only: tests never assert on timing. The warm-up is
// long because Prometheus 2.42 starts its first scrape about 5 s after it reports ready.
import { describe, expect, it } from 'vitest';
import { DISPATCHER_NODE_FLAGS } from '../../lib/dispatcher/node-flags.ts';
import { requireBinary } from '../support/binaries.ts';
import { runCli } from '../support/process.ts';

const prometheus = requireBinary('prometheus');

describe.skipIf(!prometheus)('deucalion bench sidecar (smoke)', () => {
  it('measures the dispatcher and Prometheus side by side', async () => {
    const r = await runCli(['bench', 'sidecar', '--json', '--no-parser', '--runs', '1', '--duration', '6s', '--warmup', '6s', '--series', '100']);
    expect(r.stderr).toContain('sidecar bench (2/2)');
    const result = JSON.parse(r.stdout) as {
      series: number;
      nodeOptions: string[];
      compileCache: boolean;
      runs: { dispatcher: { scrapes: number; rssMb: number }; prometheus: { scrapes: number; rssMb: number }; seriesTracked: number }[];
      median: { cpuRatio: number };
    };
    expect(result.series).toBe(100);
    // The dispatcher runs as its image runs it: the image's node flags, a compile cache filled by --check.
    expect(result.nodeOptions).toEqual(DISPATCHER_NODE_FLAGS);
    expect(result.compileCache).toBe(true);
    expect(result.runs).toHaveLength(1);
    const [run] = result.runs;
    expect(run.seriesTracked).toBe(100);
    expect(run.dispatcher.scrapes).toBeGreaterThan(0);
    expect(run.prometheus.scrapes).toBeGreaterThan(0);
    expect(run.dispatcher.rssMb).toBeGreaterThan(0);
    expect(run.prometheus.rssMb).toBeGreaterThan(0);
    expect([0, 1]).toContain(r.code);
  });

  it('says so when a bench file does not exist', async () => {
    const r = await runCli(['bench', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown benchmark "nope"; one of sidecar, network, injector, trigger');
  });
});
