// The alert-forwarder against the real Prometheus Alertmanager (Debian prometheus-alertmanager 0.25):
// labels and annotations as on-call sees them, firing/resolve semantics, outages, an HA pair, grouping.
import { CloudEvent } from 'cloudevents';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '../../functions/alert-forwarder/index.ts';
import { EVENT_TYPES, federationSource, podSource, type AnomalyData } from '../../lib/contracts/types.ts';
import { silentLogger } from '../../lib/log.ts';
import { SendError, sendCloudEvent } from '../../lib/runtime/send.ts';
import { serveFunction, type RunningFunction } from '../../lib/runtime/server.ts';
import { startAlertmanager, startWebhookReceiver, type RunningAlertmanager, type WebhookReceiver } from '../support/alertmanager.ts';
import { requireBinary } from '../support/binaries.ts';

const binary = requireBinary('alertmanager');

const series = (pod: string) => ({ __name__: 'http_requests_rate', pod, code: '500' });

async function startForwarder(env: Record<string, string>): Promise<RunningFunction> {
  const fn = await create({ env, log: silentLogger });
  const running = await serveFunction(fn, { port: 0, host: '127.0.0.1', log: silentLogger });
  cleanup.push(() => running.close());
  return running;
}

/** POST one anomaly event; the HTTP status the forwarder answered. */
async function send(forwarder: RunningFunction, source: string, data: AnomalyData): Promise<number> {
  const event = new CloudEvent<AnomalyData>({ type: EVENT_TYPES.anomaly, source, datacontenttype: 'application/json', data });
  try {
    return (await sendCloudEvent(forwarder.url, event, { timeoutMs: 30_000 })).status;
  } catch (err) {
    if (err instanceof SendError && err.status !== undefined) return err.status;
    throw err;
  }
}

const cleanup: (() => Promise<void>)[] = [];
const byName = (name: string) => ({ filter: [`alertname="${name}"`] });

describe.skipIf(!binary)('alert-forwarder with a real Alertmanager', () => {
  let am: RunningAlertmanager;
  let peer: RunningAlertmanager;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    [am, peer] = await Promise.all([
      startAlertmanager({ binary, config: { groupBy: ['alertname', 'federation', 'namespace'], webhookUrl: hook.url } }),
      startAlertmanager({ binary }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c()));
    await Promise.all([am?.close(), peer?.close(), hook?.close()]);
  });

  it('alerts appear in /api/v2/alerts with the mapped labels, annotations and generatorURL', async () => {
    const forwarder = await startForwarder({
      ALERTMANAGER_URL: am.url,
      ALERT_NAME: 'MappingTest',
      ALERT_GENERATOR_URL: 'http://prometheus.example:9090',
    });
    const timestamp = Date.now() - 15_000;
    const before = Date.now();
    const status = await send(forwarder, federationSource('zone-a'), {
      anomalies: [{ detector: 'zscore', labels: { ...series('reviews-v1'), severity: 'page' }, timestamp, value: 130.5, score: 4.25, expected: { lower: 9.5, upper: 10.5 } }],
    });
    const after = Date.now();
    expect(status).toBe(204);
    const [alert] = await am.waitForAlerts((alerts) => alerts.length === 1, { query: byName('MappingTest') });
    expect(alert.labels).toEqual({
      alertname: 'MappingTest',
      code: '500',
      detector: 'zscore',
      exported_severity: 'page',
      federation: 'zone-a',
      metric: 'http_requests_rate',
      pod: 'reviews-v1',
      severity: 'critical',
    });
    expect(alert.annotations).toEqual({
      summary: 'http_requests_rate is anomalous in federation zone-a',
      description: `zscore scored 4.25 (critical from 3) at ${new Date(timestamp).toISOString()}: value 130.5, expected 9.5..10.5. Series: http_requests_rate{code="500",pod="reviews-v1",severity="page"}`,
      score: '4.25',
      value: '130.5',
      expected: '9.5..10.5',
    });
    expect(alert.generatorURL).toBe('http://prometheus.example:9090/graph?g0.expr=http_requests_rate%7Bcode%3D%22500%22%2Cpod%3D%22reviews-v1%22%2Cseverity%3D%22page%22%7D&g0.tab=1');
    expect(Date.parse(alert.startsAt)).toBe(timestamp);
    // endsAt = now + 4 × resend interval (default 1m), "now" being the moment of the send.
    expect(Date.parse(alert.endsAt)).toBeGreaterThanOrEqual(before + 240_000);
    expect(Date.parse(alert.endsAt)).toBeLessThanOrEqual(after + 240_000);
    expect(alert.status.state).toBe('active');
    const notified = await hook.waitFor((n) => n.groupLabels.alertname === 'MappingTest');
    expect(notified.alerts.map((a) => `${a.labels.severity}:${a.status}`)).toEqual(['critical:firing']);
  });

  it('an alert the sender stops reporting resolves at endsAt (now + 4 × resend interval)', async () => {
    const forwarder = await startForwarder({ ALERTMANAGER_URL: am.url, ALERT_NAME: 'ExpiryTest', ALERT_RESEND_INTERVAL: '1s' });
    expect(await send(forwarder, podSource('shop', 'cart-1'), { anomalies: [{ detector: 'mad', labels: series('cart-1'), timestamp: Date.now(), value: 1, score: 2 }] })).toBe(204);
    await am.waitForAlerts((alerts) => alerts.length === 1, { query: byName('ExpiryTest') });
    // Nothing more is sent: Alertmanager itself ends the alert and notifies the resolve.
    await am.waitForAlerts((alerts) => alerts.length === 0, { query: { ...byName('ExpiryTest'), active: true, silenced: true, inhibited: true, unprocessed: true } });
    const resolved = await hook.waitFor((n) => n.status === 'resolved' && n.commonLabels.alertname === 'ExpiryTest');
    expect(resolved.alerts[0].labels).toMatchObject({ namespace: 'shop', pod: 'cart-1', severity: 'warning' });
  });

  it('a sender that keeps reporting keeps the alert firing past the first endsAt', async () => {
    const forwarder = await startForwarder({ ALERTMANAGER_URL: am.url, ALERT_NAME: 'KeepFiringTest', ALERT_RESEND_INTERVAL: '1s' });
    const report = () => send(forwarder, podSource('shop', 'cart-2'), { anomalies: [{ detector: 'mad', labels: series('cart-2'), timestamp: Date.now(), value: 1, score: 2 }] });
    expect(await report()).toBe(204);
    const [first] = await am.waitForAlerts((alerts) => alerts.length === 1, { query: byName('KeepFiringTest') });
    const firstEnd = Date.parse(first.endsAt);
    while (Date.now() < firstEnd + 1000) {
      expect(await report()).toBe(204);
      await new Promise((r) => setTimeout(r, 500));
    }
    const [still] = await am.alerts(byName('KeepFiringTest'));
    expect(still.startsAt).toBe(first.startsAt);
    expect(Date.parse(still.endsAt)).toBeGreaterThan(firstEnd);
    expect(hook.notifications.some((n) => n.status === 'resolved' && n.commonLabels.alertname === 'KeepFiringTest')).toBe(false);
  });

  it('a resolved entry ends the alert at once, and a severity change ends the old severity', async () => {
    const forwarder = await startForwarder({ ALERTMANAGER_URL: am.url, ALERT_NAME: 'ResolveTest' });
    const labels = series('db-0');
    const source = podSource('db', 'db-0');
    expect(await send(forwarder, source, { anomalies: [{ detector: 'zscore', labels, timestamp: Date.now(), value: 5, score: 1.5 }] })).toBe(204);
    await hook.waitFor((n) => n.status === 'firing' && n.commonLabels.alertname === 'ResolveTest' && n.commonLabels.severity === 'warning');
    expect(await send(forwarder, source, { anomalies: [{ detector: 'zscore', labels, timestamp: Date.now(), value: 50, score: 7 }] })).toBe(204);
    const active = await am.waitForAlerts((alerts) => alerts.length === 1 && alerts[0].labels.severity === 'critical', { query: byName('ResolveTest') });
    expect(active[0].annotations.value).toBe('50');
    await hook.waitFor((n) => n.groupLabels.alertname === 'ResolveTest' && n.alerts.some((a) => a.status === 'resolved' && a.labels.severity === 'warning'));

    expect(await send(forwarder, source, { anomalies: [], resolved: [{ detector: 'zscore', labels, timestamp: Date.now() }] })).toBe(204);
    await am.waitForAlerts((alerts) => alerts.length === 0, { query: byName('ResolveTest') });
    const note = await hook.waitFor((n) => n.status === 'resolved' && n.groupLabels.alertname === 'ResolveTest');
    expect(note.alerts.map((a) => [a.labels.severity, a.status, a.annotations.summary])).toEqual([['critical', 'resolved', 'http_requests_rate is back to normal on pod db/db-0']]);
    // On-call never saw a severity that did not fire: no notification lists a never-firing alert.
    const seen = hook.notifications.filter((n) => n.groupLabels.alertname === 'ResolveTest').flatMap((n) => n.alerts.map((a) => `${a.labels.severity}:${a.status}`));
    expect(new Set(seen)).toEqual(new Set(['warning:firing', 'critical:firing', 'warning:resolved', 'critical:resolved']));
  });

  it('both Alertmanagers of an HA pair receive every alert', async () => {
    const forwarder = await startForwarder({ ALERTMANAGER_URL: `${am.url},${peer.url}`, ALERT_NAME: 'PairTest' });
    expect(await send(forwarder, federationSource('zone-b'), { anomalies: [{ detector: 'zscore', labels: series('p'), timestamp: Date.now(), value: 1, score: 1 }] })).toBe(204);
    const [a] = await am.waitForAlerts((alerts) => alerts.length === 1, { query: byName('PairTest') });
    const [b] = await peer.waitForAlerts((alerts) => alerts.length === 1, { query: byName('PairTest') });
    expect(b.labels).toEqual(a.labels);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('grouping on federation and namespace works through /api/v2/alerts/groups', async () => {
    const forwarder = await startForwarder({ ALERTMANAGER_URL: am.url, ALERT_NAME: 'GroupTest' });
    const anomaly = (pod: string) => ({ detector: 'zscore', labels: { __name__: 'latency_seconds', instance: pod }, timestamp: Date.now(), value: 3, score: 2 });
    expect(await send(forwarder, federationSource('zone-a'), { anomalies: [anomaly('a1'), anomaly('a2')] })).toBe(204);
    expect(await send(forwarder, federationSource('zone-b'), { anomalies: [anomaly('b1')] })).toBe(204);
    expect(await send(forwarder, podSource('shop', 'cart-1'), { anomalies: [anomaly('c1')] })).toBe(204);
    expect(await send(forwarder, podSource('shop', 'cart-2'), { anomalies: [anomaly('c2')] })).toBe(204);
    await am.waitForAlerts((alerts) => alerts.length === 5, { query: byName('GroupTest') });
    const groups = (await am.groups(byName('GroupTest'))).map((g) => ({ labels: g.labels, alerts: g.alerts.map((a) => a.labels.instance).sort() }));
    expect(groups.sort((x, y) => JSON.stringify(x.labels).localeCompare(JSON.stringify(y.labels)))).toEqual([
      { labels: { alertname: 'GroupTest', federation: 'zone-a' }, alerts: ['a1', 'a2'] },
      { labels: { alertname: 'GroupTest', federation: 'zone-b' }, alerts: ['b1'] },
      { labels: { alertname: 'GroupTest', namespace: 'shop' }, alerts: ['c1', 'c2'] },
    ]);
    const notified = await hook.waitFor((n) => n.groupLabels.alertname === 'GroupTest' && n.groupLabels.federation === 'zone-a' && n.alerts.length === 2);
    expect(notified.commonLabels).toMatchObject({ alertname: 'GroupTest', federation: 'zone-a', metric: 'latency_seconds' });
  });
});

describe.skipIf(!binary)('alert-forwarder when an Alertmanager is down', () => {
  let am: RunningAlertmanager;
  beforeAll(async () => {
    am = await startAlertmanager({ binary });
  });
  afterAll(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c()));
    await am?.close();
  });

  it('without a spool: answers 503, and the sender’s retry delivers once Alertmanager is back', async () => {
    const forwarder = await startForwarder({ ALERTMANAGER_URL: am.url, ALERT_NAME: 'OutageRetryTest', ALERT_SEND_ATTEMPTS: '2' });
    const data: AnomalyData = { anomalies: [{ detector: 'zscore', labels: series('x'), timestamp: Date.now(), value: 1, score: 2 }] };
    await am.stop();
    expect(await send(forwarder, federationSource('zone-a'), data)).toBe(503);
    await am.start();
    // The sender retries with its own backoff; the forwarder fails fast (503) until its backoff ends.
    const statuses: number[] = [];
    while (statuses.at(-1) !== 204 && statuses.length < 50) {
      statuses.push(await send(forwarder, federationSource('zone-a'), data));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(statuses.at(-1)).toBe(204);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set(statuses.length > 1 ? [503] : []));
    await am.waitForAlerts((alerts) => alerts.length === 1, { query: byName('OutageRetryTest') });
  });

  it('with a spool: answers 2xx (queued) and replays to Alertmanager once it is back', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'deucalion-spool-'));
    const forwarder = await startForwarder({
      ALERTMANAGER_URL: am.url,
      ALERT_NAME: 'OutageSpoolTest',
      ALERT_SPOOL_DIR: spoolDir,
      ALERT_SEND_ATTEMPTS: '2',
      // Replays every resend interval; the alert lives 4 × 5s, longer than the outage.
      ALERT_RESEND_INTERVAL: '5s',
    });
    await am.stop();
    expect(await send(forwarder, federationSource('zone-a'), { anomalies: [{ detector: 'zscore', labels: series('y'), timestamp: Date.now(), value: 1, score: 2 }] })).toBe(204);
    await am.start();
    expect(await am.alerts(byName('OutageSpoolTest'))).toEqual([]);
    const [alert] = await am.waitForAlerts((alerts) => alerts.length === 1, { query: byName('OutageSpoolTest') });
    expect(alert.labels.pod).toBe('y');
    const metrics = await (await fetch(`${forwarder.url}metrics`)).text();
    expect(metrics).toContain(`deucalion_alert_forwarder_spool_depth{alertmanager="${am.url}"} 0`);
    expect(metrics).toContain(`deucalion_alert_forwarder_spooled_total{alertmanager="${am.url}"} 1`);
    expect(metrics).toContain('deucalion_alert_forwarder_events_total{outcome="queued"} 1');
  });
});
