// Delivery against programmable Alertmanager stand-ins (real HTTP on 127.0.0.1): retries, fan-out,
// the spool's ordering and expiry. The real Alertmanager is exercised in alertmanager.test.ts.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ALERT_DEFAULTS, type AlertConfig } from '../../lib/alerts/config.ts';
import { AlertDelivery } from '../../lib/alerts/delivery.ts';
import type { PostableAlert } from '../../lib/alerts/map.ts';
import { createAlertMetrics } from '../../lib/alerts/metrics.ts';
import { Spool } from '../../lib/alerts/spool.ts';
import { silentLogger } from '../../lib/log.ts';
import { freePort } from '../support/process.ts';

interface FakeAlertmanager {
  url: string;
  /** Every accepted POST body, in order. */
  received: PostableAlert[][];
  /** Status to answer POSTs with (200 accepts). */
  status: number;
  /** Answer this many of the next POSTs with 503 first. */
  failNext: number;
  /** What GET /api/v2/alerts lists (undefined: 404, like a stand-in without the endpoint). */
  active?: { labels: Record<string, string> }[];
  /** Query strings of the GETs. */
  queries: string[];
  requests: number;
  close(): Promise<void>;
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function fakeAlertmanager(): Promise<FakeAlertmanager> {
  const fake = { received: [] as PostableAlert[][], status: 200, failNext: 0, requests: 0, queries: [] as string[] } as FakeAlertmanager;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const [path, query] = (req.url ?? '').split('?');
      if (req.method === 'GET' && path === '/api/v2/alerts' && fake.active) {
        fake.queries.push(decodeURIComponent(query ?? ''));
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fake.active));
      }
      fake.requests++;
      if (path !== '/api/v2/alerts' || req.method !== 'POST') return void res.writeHead(404).end();
      const status = fake.failNext > 0 ? (fake.failNext--, 503) : fake.status;
      if (status === 200) fake.received.push(JSON.parse(body) as PostableAlert[]);
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '' : '"no"');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  open.push(fake);
  return fake;
}

function alert(name: string, endsAt = Date.now() + 60_000, extra: Record<string, string> = {}): PostableAlert {
  return { labels: { alertname: name, ...extra }, annotations: {}, startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: new Date(endsAt).toISOString() };
}

function setup(over: Partial<AlertConfig>) {
  const registry = new Registry();
  const metrics = createAlertMetrics(registry);
  const config: AlertConfig = { ...ALERT_DEFAULTS, sendTimeoutMs: 2000, sendAttempts: 3, retryBaseMs: 1, retryMaxMs: 5, ...over };
  const delivery = new AlertDelivery(config, metrics, silentLogger);
  open.push({ close: () => delivery.close() });
  const metric = async (name: string) => (await registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#')).join('\n');
  return { delivery, metric };
}

// A port nobody listens on.
const DOWN = `http://127.0.0.1:${await freePort()}`;

describe('AlertDelivery', () => {
  it('sends one POST with the whole batch to every Alertmanager', async () => {
    const [a, b] = [await fakeAlertmanager(), await fakeAlertmanager()];
    const { delivery, metric } = setup({ alertmanagers: [a.url, b.url] });
    const report = await delivery.deliver([alert('A'), alert('B', Date.now() - 1)]);
    expect(report.outcome).toBe('delivered');
    // The first to accept answers the sender; the other may still be in flight.
    expect(report.results.map((r) => r.outcome)).toContain('accepted');
    await delivery.idle();
    for (const am of [a, b]) expect(am.received.map((batch) => batch.map((x) => x.labels.alertname))).toEqual([['A', 'B']]);
    expect(await metric('deucalion_alert_forwarder_alerts_sent_total')).toContain(`{alertmanager="${a.url}",state="firing"} 1`);
    expect(await metric('deucalion_alert_forwarder_alerts_sent_total')).toContain(`{alertmanager="${b.url}",state="resolved"} 1`);
  });

  it('retries a 5xx with backoff and counts the retries', async () => {
    const am = await fakeAlertmanager();
    am.failNext = 2;
    const { delivery, metric } = setup({ alertmanagers: [am.url], sendAttempts: 5 });
    const report = await delivery.deliver([alert('A')]);
    expect(report.outcome).toBe('delivered');
    expect(am.requests).toBe(3);
    expect(am.received).toHaveLength(1);
    expect(await metric('deucalion_alert_forwarder_retries_total')).toBe(`deucalion_alert_forwarder_retries_total{alertmanager="${am.url}"} 2`);
  });

  it('is delivered when one of an HA pair accepts; failed when none does and nothing is spooled', async () => {
    const am = await fakeAlertmanager();
    const { delivery } = setup({ alertmanagers: [DOWN, am.url] });
    const report = await delivery.deliver([alert('A')]);
    expect(report.outcome).toBe('delivered');
    expect(report.results[1]).toEqual({ alertmanager: am.url, outcome: 'accepted' });
    const alone = setup({ alertmanagers: [DOWN], sendAttempts: 2, retryMaxMs: 60_000, resendIntervalMs: 60_000 });
    const failed = await alone.delivery.deliver([alert('A')]);
    expect(failed).toEqual({ outcome: 'failed', results: [{ alertmanager: DOWN, outcome: 'failed', error: `POST ${DOWN}/api/v2/alerts: ECONNREFUSED` }] });
    expect(await alone.metric('deucalion_alert_forwarder_alerts_failed_total')).toContain(`{alertmanager="${DOWN}",reason="unreachable"} 1`);
    // Right after a failure the next batch fails fast instead of waiting through the network again.
    const fast = await alone.delivery.deliver([alert('B')]);
    expect(fast.results[0].error).toBe(`backing off after 1 failure(s): POST ${DOWN}/api/v2/alerts: ECONNREFUSED`);
  });

  it('does not retry or spool alerts Alertmanager rejects (400)', async () => {
    const am = await fakeAlertmanager();
    am.status = 400;
    const spoolDir = mkdtempSync(join(tmpdir(), 'deucalion-spool-'));
    const { delivery } = setup({ alertmanagers: [am.url], spoolDir });
    const report = await delivery.deliver([alert('A')]);
    expect(report.outcome).toBe('rejected');
    expect(report.results[0].error).toBe(`POST ${am.url}/api/v2/alerts: HTTP 400 "no"`);
    expect(am.requests).toBe(1);
    expect(new Spool(spoolDir, am.url).load().entries).toEqual([]);
  });

  it('sends only the resolves of alerts Alertmanager holds unresolved', async () => {
    const am = await fakeAlertmanager();
    am.active = [{ labels: { alertname: 'X', pod: 'b', severity: 'warning' } }];
    const { delivery, metric } = setup({ alertmanagers: [am.url] });
    const past = Date.now() - 1;
    const report = await delivery.deliver([
      alert('X', undefined, { pod: 'a', severity: 'critical' }),
      alert('X', past, { pod: 'b', severity: 'warning' }),
      alert('X', past, { pod: 'c', severity: 'warning' }),
    ]);
    expect(report.outcome).toBe('delivered');
    // Few resolved series: one exact query each.
    expect(am.queries.sort()).toEqual(['filter=alertname="X"&filter=pod="b"', 'filter=alertname="X"&filter=pod="c"']);
    expect(am.received.flat().map((a) => a.labels.pod)).toEqual(['a', 'b']);
    expect(await metric('deucalion_alert_forwarder_resolves_skipped_total')).toBe(`deucalion_alert_forwarder_resolves_skipped_total{alertmanager="${am.url}"} 1`);
    // A batch of nothing but unknown resolves posts nothing at all, and still counts as accepted.
    expect((await delivery.deliver([alert('X', past, { pod: 'd', severity: 'warning' })])).outcome).toBe('delivered');
    expect(am.requests).toBe(1);
    expect(am.queries[2]).toBe('filter=alertname="X"&filter=pod="d"');
    // Many: one query on the labels they share.
    am.queries.length = 0;
    await delivery.deliver(Array.from({ length: 9 }, (_, i) => alert('X', past, { pod: `p${i}`, severity: 'warning', federation: 'f' })));
    expect(am.queries).toEqual(['filter=alertname="X"&filter=federation="f"']);
    // Switched off: every resolve is sent, nothing is asked.
    const unchecked = setup({ alertmanagers: [am.url], resolveCheck: false });
    am.queries.length = 0;
    await unchecked.delivery.deliver([alert('X', past, { pod: 'e', severity: 'warning' })]);
    expect(am.queries).toEqual([]);
    expect(am.received.at(-1)!.map((a) => a.labels.pod)).toEqual(['e']);
  });

  it('spools while an Alertmanager is down, keeps order, and replays once it is back', async () => {
    const am = await fakeAlertmanager();
    am.status = 503;
    const spoolDir = mkdtempSync(join(tmpdir(), 'deucalion-spool-'));
    const { delivery, metric } = setup({ alertmanagers: [am.url], spoolDir, sendAttempts: 1, resendIntervalMs: 60_000 });
    await delivery.start();
    expect((await delivery.deliver([alert('first')])).outcome).toBe('queued');
    expect((await delivery.deliver([alert('second')])).outcome).toBe('queued');
    expect(await metric('deucalion_alert_forwarder_spool_depth')).toContain(' 2');
    am.status = 200;
    // Even when Alertmanager is back, a new batch goes after the spooled ones (during backoff it queues too).
    await new Promise((r) => setTimeout(r, 20));
    const report = await delivery.deliver([alert('third')]);
    expect(['delivered', 'queued']).toContain(report.outcome);
    await delivery.replay();
    await new Promise((r) => setTimeout(r, 20));
    await delivery.replay();
    expect(am.received.flat().map((a) => a.labels.alertname)).toEqual(['first', 'second', 'third']);
    expect(await metric('deucalion_alert_forwarder_spool_depth')).toContain(' 0');
    expect(readFileSync(join(spoolDir, readdirSync(spoolDir)[0]), 'utf8')).toBe('');
  });

  it('replays a spool left by an earlier process on start, dropping expired and corrupt entries', async () => {
    const am = await fakeAlertmanager();
    const spoolDir = mkdtempSync(join(tmpdir(), 'deucalion-spool-'));
    const spool = new Spool(spoolDir, am.url);
    const now = Date.now();
    writeFileSync(
      spool.file,
      [
        JSON.stringify({ queuedAt: now - 600_000, expiresAt: now - 1, alerts: [alert('expired')] }),
        '{"queuedAt": 1, "trunc',
        JSON.stringify({ queuedAt: now, expiresAt: now + 60_000, alerts: [alert('kept')] }),
      ].join('\n') + '\n',
    );
    const { delivery, metric } = setup({ alertmanagers: [am.url], spoolDir });
    await delivery.start();
    await delivery.replay();
    expect(am.received.flat().map((a) => a.labels.alertname)).toEqual(['kept']);
    const dropped = await metric('deucalion_alert_forwarder_spool_dropped_total');
    expect(dropped).toContain('reason="expired"} 1');
    expect(dropped).toContain('reason="corrupt"} 1');
  });

  it('drops the oldest batches beyond spoolMaxEntries, counted', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'deucalion-spool-'));
    const { delivery, metric } = setup({ alertmanagers: [DOWN], spoolDir, sendAttempts: 1, spoolMaxEntries: 2 });
    for (const name of ['a', 'b', 'c']) expect((await delivery.deliver([alert(name)])).outcome).toBe('queued');
    expect(new Spool(spoolDir, DOWN).load().entries.map((e) => e.alerts[0].labels.alertname)).toEqual(['b', 'c']);
    expect(await metric('deucalion_alert_forwarder_spool_dropped_total')).toContain('reason="overflow"} 1');
  });
});
