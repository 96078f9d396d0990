// The client against the real Prometheus (Debian `prometheus`), scraping a real target: range
// queries on the step grid, splitting past 11,000 points, Prometheus' own error envelope, readiness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../lib/prometheus/client.ts';
import { PrometheusError } from '../../lib/prometheus/errors.ts';
import { requireBinary } from '../support/binaries.ts';
import { startMetricsTarget, startPrometheus, type MetricsTarget, type RunningPrometheus } from '../support/prometheus.ts';

const binary = requireBinary('prometheus');

describe.skipIf(!binary)('Prometheus client with a real Prometheus', () => {
  let target: MetricsTarget;
  let prom: RunningPrometheus;
  beforeAll(async () => {
    let n = 0;
    target = await startMetricsTarget(() => `# TYPE test_requests_total counter\ntest_requests_total{path="/a"} ${(n += 10)}\ntest_requests_total{path="/b"} ${n * 2}\n`);
    prom = await startPrometheus({ binary, targets: [{ url: target.url, labels: { pod: 'web-1' } }], scrapeInterval: '1s' });
    await prom.waitForQuery('count_over_time(test_requests_total[1m])', (s) => s.length === 2 && s.every((x) => x.value >= 3));
  });
  afterAll(async () => {
    await prom?.close();
    await target?.close();
  });

  it('answers query_range with both series on the step grid', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const end = Math.floor(Date.now() / 1000) * 1000;
    const start = end - 10_000;
    const { series, requests } = await client.queryRange({ query: 'test_requests_total', start, end, step: 1000 });
    expect(requests).toBe(1);
    expect(series.map((s) => s.labels.path).sort()).toEqual(['/a', '/b']);
    for (const s of series) {
      expect(s.labels).toMatchObject({ __name__: 'test_requests_total', pod: 'web-1', job: 'test' });
      expect(s.timestamps.every((t) => (t - start) % 1000 === 0 && t >= start && t <= end)).toBe(true);
      expect(s.values.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('splits a 4 h range at 1 s (14,401 points) into requests the real server accepts', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const end = Math.floor(Date.now() / 1000) * 1000;
    const result = await client.queryRange({ query: 'test_requests_total', start: end - 4 * 3_600_000, end, step: 1000 });
    expect(result.requests).toBe(2);
    expect(result.series).toHaveLength(2);
  });

  it('turns Prometheus’ error envelope into a clear error', async () => {
    const client = createPrometheusClient({ url: prom.url });
    const err = (await client.queryRange({ query: 'rate(test_requests_total[1m]', start: 0, end: 1000, step: 1000 }).catch((e: unknown) => e)) as PrometheusError;
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err.kind).toBe('api');
    expect(err.errorType).toBe('bad_data');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^Prometheus http:\/\/127\.0\.0\.1:\d+: query_range "rate\(test_requests_total\[1m\]" failed: bad_data: .*parse error.* \(HTTP 400\)$/);
  });

  it('is ready, then unreachable after a stop, then ready again', async () => {
    const client = createPrometheusClient({ url: prom.url, retries: 0 });
    await client.ready();
    await prom.stop();
    await expect(client.ready()).rejects.toThrow(/is unreachable: ECONNREFUSED/);
    await prom.start();
    await client.ready();
  });
});
