import { describe, expect, it } from 'vitest';
import { ALERT_DEFAULTS } from '../../lib/alerts/config.ts';
import { buildAlerts, originOf, severityOf, type MapConfig } from '../../lib/alerts/map.ts';
import type { Anomaly, AnomalyData } from '../../lib/contracts/types.ts';
import { HttpError } from '../../lib/runtime/http-error.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const config: MapConfig = { ...ALERT_DEFAULTS, resendIntervalMs: 60_000, generatorUrl: 'http://prometheus:9090' };
const series = { __name__: 'http_requests_rate', pod: 'reviews-v1' };
const anomaly = (over: Partial<Anomaly> = {}): Anomaly => ({
  detector: 'zscore',
  labels: series,
  timestamp: NOW - 30_000,
  value: 130,
  score: 4.2,
  expected: { lower: 9.5, upper: 10.5 },
  ...over,
});
const iso = (ms: number) => new Date(ms).toISOString();

describe('originOf', () => {
  it.each([
    ['/namespaces/shop/pods/cart-1', {}, { namespace: 'shop', pod: 'cart-1' }],
    ['/federations/zone-a', {}, { federation: 'zone-a' }],
    ['/federations/zone-a', { namespace: 'shop' }, { federation: 'zone-a', namespace: 'shop' }],
    ['/namespaces/shop/pods/cart-1', { pod: 'cart-2' }, { namespace: 'shop', pod: 'cart-2' }],
    ['urn:something', { federation: 'f' }, { federation: 'f' }],
    ['urn:something', {}, {}],
  ])('%s + %j → %j', (source, data, origin) => {
    expect(originOf(source, data)).toEqual(origin);
  });
});

describe('severityOf', () => {
  it.each([
    [0.5, undefined],
    [1, 'warning'],
    [2.99, 'warning'],
    [3, 'critical'],
    [1e9, 'critical'],
  ])('score %d → %s', (score, name) => {
    expect(severityOf(score, ALERT_DEFAULTS.severities)?.name).toBe(name);
  });
});

describe('buildAlerts', () => {
  it('maps an anomaly to a firing alert with Prometheus semantics, plus a resolve of the other severity', () => {
    const batch = buildAlerts({ anomalies: [anomaly()] }, { federation: 'zone-a' }, config, NOW);
    expect(batch).toMatchObject({ firing: 1, resolved: 0, belowThreshold: 0 });
    expect(batch.alerts).toEqual([
      {
        labels: { alertname: 'DeucalionAnomaly', detector: 'zscore', federation: 'zone-a', metric: 'http_requests_rate', pod: 'reviews-v1', severity: 'critical' },
        annotations: {
          summary: 'http_requests_rate is anomalous in federation zone-a',
          description:
            'zscore scored 4.2 (critical from 3) at 2026-03-01T11:59:30.000Z: value 130, expected 9.5..10.5. Series: http_requests_rate{pod="reviews-v1"}',
          score: '4.2',
          value: '130',
          expected: '9.5..10.5',
        },
        startsAt: iso(NOW - 30_000),
        endsAt: iso(NOW + 4 * 60_000),
        generatorURL: 'http://prometheus:9090/graph?g0.expr=http_requests_rate%7Bpod%3D%22reviews-v1%22%7D&g0.tab=1',
      },
      {
        labels: { alertname: 'DeucalionAnomaly', detector: 'zscore', federation: 'zone-a', metric: 'http_requests_rate', pod: 'reviews-v1', severity: 'warning' },
        annotations: { summary: 'http_requests_rate is back to normal in federation zone-a', description: 'Severity changed to critical.' },
        startsAt: iso(NOW),
        endsAt: iso(NOW),
        generatorURL: 'http://prometheus:9090/graph?g0.expr=http_requests_rate%7Bpod%3D%22reviews-v1%22%7D&g0.tab=1',
      },
    ]);
    expect(batch.changes).toEqual([{ state: 'firing', alert: batch.alerts[0] }]);
  });

  it('annotations carry no identity: two points of one series give the same label set', () => {
    const a = buildAlerts({ anomalies: [anomaly({ score: 1.5, value: 1 })] }, {}, config, NOW).alerts[0];
    const b = buildAlerts({ anomalies: [anomaly({ score: 2.5, value: 2, timestamp: NOW })] }, {}, config, NOW + 15_000).alerts[0];
    expect(a.labels).toEqual(b.labels);
    expect(a.annotations.value).not.toBe(b.annotations.value);
  });

  it('collapses several points of one series: startsAt is the first, the latest sets severity and annotations', () => {
    const batch = buildAlerts(
      { anomalies: [anomaly({ timestamp: NOW - 60_000, score: 5 }), anomaly({ timestamp: NOW - 15_000, score: 1.2, value: 20 }), anomaly({ timestamp: NOW - 30_000 })] },
      {},
      config,
      NOW,
    );
    expect(batch.firing).toBe(1);
    const firing = batch.alerts.filter((a) => Date.parse(a.endsAt) > NOW);
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({ startsAt: iso(NOW - 60_000), labels: { severity: 'warning' }, annotations: { value: '20', score: '1.2' } });
  });

  it('a resolved entry ends every severity at its timestamp', () => {
    const data: AnomalyData = { anomalies: [], resolved: [{ detector: 'zscore', labels: series, timestamp: NOW - 5000 }] };
    const batch = buildAlerts(data, { namespace: 'shop', pod: 'reviews-v1' }, config, NOW);
    expect(batch).toMatchObject({ firing: 0, resolved: 1, belowThreshold: 0 });
    expect(batch.alerts.map((a) => [a.labels.severity, a.startsAt, a.endsAt])).toEqual([
      ['warning', iso(NOW - 5000), iso(NOW - 5000)],
      ['critical', iso(NOW - 5000), iso(NOW - 5000)],
    ]);
    expect(batch.alerts[0].annotations).toEqual({
      summary: 'http_requests_rate is back to normal on pod shop/reviews-v1',
      description: 'zscore reported the series back to normal at 2026-03-01T11:59:55.000Z.',
    });
    expect(batch.changes).toHaveLength(1);
    expect(batch.changes[0].alert.labels.severity).toBeUndefined();
  });

  it('a resolve in the future is clamped to now; the latest of anomaly and resolve wins', () => {
    const future = buildAlerts({ anomalies: [], resolved: [{ detector: 'zscore', labels: series, timestamp: NOW + 60_000 }] }, {}, config, NOW);
    expect(future.alerts[0].endsAt).toBe(iso(NOW));
    const refired = buildAlerts(
      { anomalies: [anomaly({ timestamp: NOW - 1000 })], resolved: [{ detector: 'zscore', labels: series, timestamp: NOW - 2000 }] },
      {},
      config,
      NOW,
    );
    expect(refired.firing).toBe(1);
    const ended = buildAlerts(
      { anomalies: [anomaly({ timestamp: NOW - 2000 })], resolved: [{ detector: 'zscore', labels: series, timestamp: NOW - 1000 }] },
      {},
      config,
      NOW,
    );
    expect(ended).toMatchObject({ firing: 0, resolved: 1 });
  });

  it('a latest score below every threshold resolves the series', () => {
    const batch = buildAlerts({ anomalies: [anomaly({ score: 0.4 })] }, {}, config, NOW);
    expect(batch).toMatchObject({ firing: 0, resolved: 1, belowThreshold: 1 });
    expect(batch.alerts.every((a) => a.endsAt === iso(NOW))).toBe(true);
    expect(batch.alerts[0].annotations.description).toBe('zscore scored 0.4, below every severity threshold.');
  });

  it('different detectors and series are different alerts', () => {
    const batch = buildAlerts(
      { anomalies: [anomaly(), anomaly({ detector: 'mad' }), anomaly({ labels: { ...series, pod: 'reviews-v2' } })] },
      {},
      config,
      NOW,
    );
    expect(batch.firing).toBe(3);
    expect(batch.alerts).toHaveLength(6);
  });

  it('writes a missing value, omits expected when absent, and skips generatorURL without a base', () => {
    const batch = buildAlerts({ anomalies: [anomaly({ value: null, expected: undefined })] }, {}, { ...config, generatorUrl: undefined }, NOW);
    const alert = batch.alerts[0];
    expect(alert.annotations.value).toBe('missing');
    expect(alert.annotations.expected).toBeUndefined();
    expect(alert.generatorURL).toBeUndefined();
  });

  it('fills a {{expr}} template in the generatorURL base', () => {
    const batch = buildAlerts({ anomalies: [anomaly()] }, {}, { ...config, generatorUrl: 'http://grafana/explore?q={{expr}}' }, NOW);
    expect(batch.alerts[0].generatorURL).toBe('http://grafana/explore?q=http_requests_rate%7Bpod%3D%22reviews-v1%22%7D');
  });

  it('startsAt never lies in the future', () => {
    const batch = buildAlerts({ anomalies: [anomaly({ timestamp: NOW + 3_600_000 })] }, {}, config, NOW);
    expect(batch.alerts[0].startsAt).toBe(iso(NOW));
  });

  it.each([
    [{ anomalies: [anomaly({ timestamp: 1e17 })] }, 'invalid anomaly event: data.anomalies.0.timestamp 100000000000000000 is not a Unix time in milliseconds'],
    [{ anomalies: [], resolved: [{ detector: 'z', labels: {}, timestamp: -1 }] }, 'invalid anomaly event: data.resolved.0.timestamp -1 is not a Unix time in milliseconds'],
  ])('rejects timestamps no clock can show', (data, message) => {
    expect(() => buildAlerts(data as AnomalyData, {}, config, NOW)).toThrow(new HttpError(400, message));
  });

  it('an empty event maps to nothing', () => {
    expect(buildAlerts({ anomalies: [] }, {}, config, NOW)).toEqual({ alerts: [], changes: [], firing: 0, resolved: 0, belowThreshold: 0 });
  });
});
