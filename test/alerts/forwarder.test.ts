// AlertForwarder in-process: what the sender is answered for each delivery outcome, and the sink.
import { CloudEvent } from 'cloudevents';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ALERT_DEFAULTS, type AlertConfig } from '../../lib/alerts/config.ts';
import { AlertForwarder } from '../../lib/alerts/forwarder.ts';
import { EVENT_TYPES, podSource, type AnomalyData } from '../../lib/contracts/types.ts';
import { silentLogger } from '../../lib/log.ts';
import { HttpError } from '../../lib/runtime/http-error.ts';
import { freePort } from '../support/process.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const event = (data: AnomalyData, type: string = EVENT_TYPES.anomaly) =>
  new CloudEvent({ type, source: podSource('shop', 'cart-1'), datacontenttype: 'application/json', data });
const anomalous: AnomalyData = { anomalies: [{ detector: 'zscore', labels: { __name__: 'up' }, timestamp: NOW - 1000, value: 0, score: 5 }] };

function forwarder(over: Partial<AlertConfig>, print?: (line: string) => void) {
  const registry = new Registry();
  const fwd = new AlertForwarder({ ...ALERT_DEFAULTS, sendAttempts: 1, ...over }, { log: silentLogger, registry, print, now: () => NOW });
  return { fwd, events: async () => (await registry.getSingleMetricAsString('deucalion_alert_forwarder_events_total')).split('\n').filter((l) => !l.startsWith('#')) };
}

async function answering(status: number): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end('"bad alert"'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('AlertForwarder', () => {
  it('answers 422 when every Alertmanager rejects the alerts', async () => {
    const am = await answering(400);
    const { fwd, events } = forwarder({ alertmanagers: [am.url] });
    await expect(fwd.forward(event(anomalous))).rejects.toThrow(new HttpError(422, `every Alertmanager rejected the alerts: ${am.url}: POST ${am.url}/api/v2/alerts: HTTP 400 "bad alert"`));
    expect(await events()).toEqual(['deucalion_alert_forwarder_events_total{outcome="rejected"} 1']);
    am.close();
  });

  it('answers 503 when no Alertmanager accepts and nothing is queued', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const { fwd } = forwarder({ alertmanagers: [down] });
    const err = await fwd.forward(event(anomalous)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    // The first request is the resolve check (the event also resolves the other severity).
    expect((err as HttpError).message).toBe(`no Alertmanager accepted the alerts and none were queued: ${down}: GET ${down}/api/v2/alerts: ECONNREFUSED`);
  });

  it.each([
    [undefined, 'alert-forwarder expects a CloudEvent of type io.deucalion.anomaly.v1'],
    [event({ anomalies: [] }, 'io.deucalion.window.v1'), 'alert-forwarder expects events of type io.deucalion.anomaly.v1, got io.deucalion.window.v1'],
    [event({ anomalies: 'x' } as unknown as AnomalyData), 'invalid anomaly event: data.anomalies must be array'],
  ])('answers 400 for a bad event (%#)', async (ev, message) => {
    const { fwd, events } = forwarder({ logFile: join(mkdtempSync(join(tmpdir(), 'fwd-')), 'a.jsonl') });
    await expect(fwd.forward(ev)).rejects.toThrow(new HttpError(400, message));
    expect(await events()).toEqual(['deucalion_alert_forwarder_events_total{outcome="invalid"} 1']);
  });

  it('an event with nothing to alert is answered without touching the sink', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fwd-')), 'a.jsonl');
    const { fwd, events } = forwarder({ logFile: file });
    await fwd.forward(event({ anomalies: [] }));
    expect(await events()).toEqual(['deucalion_alert_forwarder_events_total{outcome="empty"} 1']);
    expect(() => readFileSync(file)).toThrow();
  });

  it('the embedded sink writes a firing line and a resolved line; an unwritable file answers 503', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fwd-')), 'sub', 'a.jsonl');
    const printed: string[] = [];
    const { fwd } = forwarder({ logFile: file }, (line) => printed.push(line));
    await fwd.forward(event(anomalous));
    await fwd.forward(event({ anomalies: [], resolved: [{ detector: 'zscore', labels: { __name__: 'up' }, timestamp: NOW }] }));
    expect(printed.join('')).toBe(
      'FIRING critical DeucalionAnomaly{detector="zscore",metric="up",namespace="shop",pod="cart-1"} score=5 value=0 since 2026-03-01T11:59:59.000Z\n' +
        'RESOLVED DeucalionAnomaly{detector="zscore",metric="up",namespace="shop",pod="cart-1"} at 2026-03-01T12:00:00.000Z: zscore reported the series back to normal at 2026-03-01T12:00:00.000Z.\n',
    );
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { state: string; endsAt: string });
    expect(lines.map((l) => l.state)).toEqual(['firing', 'resolved']);
    expect(lines[0].endsAt).toBe(new Date(NOW + 240_000).toISOString());

    const dir = mkdtempSync(join(tmpdir(), 'fwd-'));
    const { fwd: broken } = forwarder({ logFile: dir }, () => {});
    await expect(broken.forward(event(anomalous))).rejects.toThrow(/^cannot write the alert file/);
  });
});
