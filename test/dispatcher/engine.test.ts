import { describe, expect, it } from 'vitest';
import { loadConfig, type DispatcherConfig } from '../../lib/dispatcher/config.ts';
import { DetectionEngine } from '../../lib/dispatcher/engine.ts';
import type { Findings } from '../../lib/dispatcher/series-state.ts';

const env = { DEUCALION_SCRAPE_PORT: '8080' };

async function config(yaml: string): Promise<DispatcherConfig> {
  return loadConfig(yaml, { source: 'test.yaml', env });
}

function run(engine: DetectionEngine, text: string, now: number, format: 'prometheus' | 'openmetrics' = 'prometheus') {
  const out: Findings = { anomalies: [], resolved: [] };
  const stats = engine.ingest(text, format, now, out);
  return { ...out, stats };
}

const threshold = (above: number) => `detectors:\n  - name: threshold\n    params: { upper: ${above} }\n`;

describe('DetectionEngine', () => {
  it('reports a series above a threshold once per anomalous scrape and resolves it after resolveAfter normal scrapes', async () => {
    const engine = new DetectionEngine(...args(await config(`${threshold(10)}series: { resolveAfter: 2 }`)));
    const values = [1, 50, 60, 1, 70, 1, 1, 1];
    const seen = values.map((v, i) => run(engine, `# TYPE g gauge\ng{a="x"} ${v}\nother 1\n`, 1000 * (i + 1)));
    expect(seen.map((s) => s.anomalies.length)).toEqual([0, 1, 1, 0, 1, 0, 0, 0]);
    expect(seen.map((s) => s.resolved.length)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    expect(seen[1].anomalies[0]).toMatchObject({ detector: 'threshold', labels: { __name__: 'g', a: 'x' }, timestamp: 2000, value: 50 });
    expect(seen[6].resolved[0]).toEqual({ detector: 'threshold', labels: { __name__: 'g', a: 'x' }, timestamp: 7000 });
  });

  it.each([
    ['counter family', '# TYPE c counter\nc_total{x="1"} V\n'],
    ['untyped _total', 'c_total{x="1"} V\n'],
    ['histogram bucket', '# TYPE h histogram\nh_bucket{le="+Inf"} V\nh_sum 1\nh_count 1\n'],
    ['summary count', '# TYPE s summary\ns_count V\ns_sum 1\n'],
  ])('feeds a %s as a per-second rate (first sample primes, a reset counts from zero)', async (_name, template) => {
    const engine = new DetectionEngine(...args(await config(threshold(15))));
    // +10/s, +10/s, +30/s (anomalous rate), reset to 5 → rate 5/s (normal)
    const raw = [100, 110, 120, 150, 5];
    const out = raw.map((v, i) => run(engine, template.replace('V', String(v)), 1000 * (i + 1)));
    const found = out.map((o) => o.anomalies.filter((a) => !String(a.labels.__name__).match(/_sum$/)).map((a) => a.value));
    expect(found).toEqual([[], [], [], [30], []]);
  });

  it('uses sample timestamps when the exposition has them, and skips repeated timestamps', async () => {
    const engine = new DetectionEngine(...args(await config(threshold(15))));
    const out = [
      run(engine, 'c_total 100 1000\n', 50_000),
      run(engine, 'c_total 120 2000\n', 51_000), // 20/s by sample time
      run(engine, 'c_total 120 2000\n', 52_000), // same sample again: ignored
    ];
    expect(out.map((o) => o.anomalies.map((a) => [a.value, a.timestamp]))).toEqual([[], [[20, 2000]], []]);
  });

  it('judges a series that appears twice in one body once, and again in the next scrape', async () => {
    const engine = new DetectionEngine(...args(await config(threshold(10))));
    const first = run(engine, 'g 50 1000\ng 60 2000\n', 3000);
    expect(first.anomalies.map((a) => [a.value, a.timestamp])).toEqual([[50, 1000]]);
    const next = run(engine, 'g 70 4000\n', 5000);
    expect(next.anomalies.map((a) => [a.value, a.timestamp])).toEqual([[70, 4000]]);
  });

  it('feeds vanished series as missing until vanishAfter, resumes them if they return, then forgets them', async () => {
    const engine = new DetectionEngine(...args(await config(`detectors:\n  - name: stuck\n    params: { absent: 2s }\nseries: { vanishAfter: 5s }`)));
    const both = 'a 1\nb 1\n';
    run(engine, both, 1000);
    run(engine, 'a 2\nb 2\n', 2000);
    const gone = [3000, 4000, 5000, 6000].map((t) => run(engine, 'a 3\n', t));
    expect(gone.map((g) => g.anomalies.map((a) => [a.labels.__name__, a.value, a.score]))).toEqual([[], [['b', null, 1]], [['b', null, 1.5]], [['b', null, 2]]]);
    expect(engine.vanishedCount).toBe(1);
    const back = run(engine, both, 7000);
    expect(back.stats.newSeries).toBe(0); // b resumed with its state, not created anew
    expect(engine.vanishedCount).toBe(0);
    expect(engine.liveCount).toBe(2);
    for (let t = 8000; t <= 14_000; t += 1000) run(engine, 'a 1\n', t);
    expect(engine.vanishedCount).toBe(0); // forgotten after vanishAfter
    expect(run(engine, both, 15_000).stats.newSeries).toBe(1);
  });

  it('treats a failed scrape as every series missing', async () => {
    const engine = new DetectionEngine(...args(await config(`detectors:\n  - name: stuck\n    params: { absent: 1s }`)));
    run(engine, 'a 1\n', 1000);
    const out: Findings = { anomalies: [], resolved: [] };
    engine.missing(3000, out);
    expect(out.anomalies.map((a) => [a.labels.__name__, a.value, a.score])).toEqual([['a', null, 2]]);
  });

  it('refuses new series beyond series.max and counts them', async () => {
    const engine = new DetectionEngine(...args(await config('series: { max: 2 }')));
    const r = run(engine, 'a 1\nb 1\nc 1\nd 1\n', 1000);
    expect(r.stats).toMatchObject({ samples: 4, newSeries: 2, refused: 2 });
    expect(engine.liveCount).toBe(2);
    expect(engine.refused).toBe(2);
  });

  it('runs each detector only on the series its selector matches; unmatched series are not tracked', async () => {
    const cfg = await config(`detectors:\n  - name: threshold\n    match: '{__name__=~"http_.*"}'\n    params: { upper: 0 }\n  - name: threshold\n    match: 'db_up{role="primary"}'\n    params: { lower: 1 }\n`);
    const engine = new DetectionEngine(...args(cfg));
    const r = run(engine, 'http_x 5\ndb_up{role="primary"} 0\ndb_up{role="replica"} 0\nother 9\n', 1000);
    expect(r.anomalies.map((a) => a.labels)).toEqual([{ __name__: 'http_x' }, { __name__: 'db_up', role: 'primary' }]);
    expect(engine.liveCount).toBe(2);
  });

  it('counts malformed lines, including a malformed label block of a new series, and keeps going', async () => {
    const engine = new DetectionEngine(...args(await config(threshold(10))));
    const r = run(engine, 'ok 50\nbad{a="x} 1\nalso bad\nfine{b="1"} 60\n', 1000);
    expect(r.stats.parseErrors).toBe(2);
    expect(r.stats.firstError).toMatch(/line 2/);
    expect(r.anomalies.map((a) => a.labels.__name__)).toEqual(['ok', 'fine']);
  });

  it('reads OpenMetrics (timestamps in seconds, counter families)', async () => {
    const engine = new DetectionEngine(...args(await config(threshold(15))));
    const om = (v: number, t: number) => `# TYPE c counter\nc_total ${v} ${t}\nc_created 1 ${t}\n# EOF\n`;
    const out = [run(engine, om(1, 1), 0, 'openmetrics'), run(engine, om(41, 3), 0, 'openmetrics')];
    expect(out[1].anomalies.map((a) => [a.labels.__name__, a.value, a.timestamp])).toEqual([['c_total', 20, 3000]]);
  });

  it('keeps the state of unchanged detectors across a reconfiguration and starts new ones fresh', async () => {
    const before = await config('detectors:\n  - name: zscore\n    params: { warmup: 3, window: 10 }\n');
    const engine = new DetectionEngine(...args(before));
    for (let i = 0; i < 6; i++) run(engine, `g ${10 + (i % 2)}\n`, 1000 * (i + 1));
    const after = await config('detectors:\n  - name: threshold\n    params: { upper: 100 }\n  - name: zscore\n    params: { warmup: 3, window: 10 }\n');
    engine.reconfigure(...args(after));
    // zscore is warm (scores at once); a fresh zscore would need 3 samples first.
    const r = run(engine, 'g 500\n', 7000);
    expect(r.anomalies.map((a) => a.detector).sort()).toEqual(['threshold', 'zscore']);
    expect(r.stats.newSeries).toBe(0);
  });
});

function args(c: DispatcherConfig): [DispatcherConfig['detectors'], DispatcherConfig['series']] {
  return [c.detectors, c.series];
}
