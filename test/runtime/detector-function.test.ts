// One real-HTTP test per deployable: `deucalion function detector-zscore` as a separate process.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudEvent } from 'cloudevents';
import { encodeCloudEvent, eventData, parseCloudEvent } from '../../lib/runtime/cloudevent.ts';
import { EVENT_TYPES, type AnomalyData, type WindowData } from '../../lib/contracts/types.ts';
import { freePort, startCli, waitForHttp, REPO_ROOT, type Started } from '../support/process.ts';

const spike = JSON.parse(readFileSync(`${REPO_ROOT}/examples/windows/spike.json`, 'utf8')) as WindowData;
const flat = JSON.parse(readFileSync(`${REPO_ROOT}/examples/windows/flat.json`, 'utf8')) as WindowData;

async function post(url: string, event: CloudEvent<unknown>, mode: 'binary' | 'structured' = 'binary') {
  const { headers, body } = encodeCloudEvent(event, mode);
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => (h[k] = v));
  return { status: res.status, headers: h, text };
}

const windowEvent = (data: unknown) => new CloudEvent({ type: EVENT_TYPES.window, source: '/test', datacontenttype: 'application/json', data });

for (const fn of [
  { name: 'detector-zscore', arg: 'detector-zscore', detector: 'zscore' },
  { name: 'a user-written detector module', arg: 'examples/detectors/spike-ratio.ts', detector: 'spike-ratio' },
]) {
  describe(`function ${fn.name} over real HTTP`, () => {
    let proc: Started;
    let url: string;
    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}/`;
      proc = startCli(['function', fn.arg, '--port', String(port)]);
      await waitForHttp(`${url}health/readiness`, proc);
    });
    afterAll(async () => {
      expect(await proc.stop()).toBe(0); // graceful SIGTERM shutdown exits 0
    });

    it('answers a window with an obvious spike with an anomaly event naming that point', async () => {
      const res = await post(url, windowEvent(spike));
      expect(res.status).toBe(200);
      expect(res.headers['ce-type']).toBe(EVENT_TYPES.anomaly);
      expect(res.headers['ce-source']).toBe('/federations/zone-a');
      const event = parseCloudEvent(res.headers, res.text);
      const data = eventData(event) as AnomalyData;
      const spikeIndex = spike.series[0].values.findIndex((v) => v! > 300);
      expect(data.anomalies.map((a) => a.timestamp)).toEqual([spike.series[0].timestamps[spikeIndex]]);
      expect(data.anomalies[0]).toMatchObject({ detector: fn.detector, labels: spike.series[0].labels, value: spike.series[0].values[spikeIndex] });
      expect(data.anomalies[0].score).toBeGreaterThanOrEqual(1);
      expect(data.anomalies[0].expected!.upper).toBeLessThan(spike.series[0].values[spikeIndex]!);
    });

    it('accepts structured mode too', async () => {
      const res = await post(url, windowEvent(spike), 'structured');
      expect(res.status).toBe(200);
      expect(res.headers['ce-type']).toBe(EVENT_TYPES.anomaly);
    });

    it('answers a flat series with 204', async () => {
      expect((await post(url, windowEvent(flat))).status).toBe(204);
    });

    it('reports only points at or after reportFrom', async () => {
      const spikeIndex = spike.series[0].values.findIndex((v) => v! > 300);
      const later = { ...spike, reportFrom: spike.series[0].timestamps[spikeIndex + 1] };
      const res = await post(url, windowEvent(later));
      // The spike is history now; the series is normal at its end, so it is reported resolved.
      expect(res.status).toBe(200);
      const data = eventData(parseCloudEvent(res.headers, res.text)) as AnomalyData;
      expect(data.anomalies).toEqual([]);
      expect(data.resolved).toHaveLength(1);
    });

    it.each([
      ['a window without federation', { ...spike, federation: undefined }, 'invalid window event: data: missing required property "federation"'],
      ['values that are strings', { ...flat, series: [{ ...flat.series[0], values: ['x'] }] }, 'invalid window event: data.series.0.values.0 must be number,null'],
      ['mismatched lengths', { ...flat, series: [{ ...flat.series[0], values: [1] }] }, 'invalid window event: data.series.0 has 120 timestamps but 1 values'],
      ['an unknown parameter', { ...flat, params: { nope: 1 } }, 'invalid window event: data.params.nope: unknown parameter'],
    ])('answers %s with 400 and the reason', async (_name, data, reason) => {
      const res = await post(url, windowEvent(data));
      expect(res.status).toBe(400);
      expect((JSON.parse(res.text) as { error: string }).error).toContain(reason);
    });

    it.each([
      ['a non-JSON structured body', { 'content-type': 'application/cloudevents+json' }, '{not json', 'not a valid CloudEvent'],
      ['a binary event without ce-type', { 'content-type': 'application/json', 'ce-id': '1', 'ce-source': '/x', 'ce-specversion': '1.0' }, '{}', 'not a valid CloudEvent'],
      ['a plain POST with no CloudEvent', { 'content-type': 'application/json' }, '{}', `expects a CloudEvent of type ${EVENT_TYPES.window}`],
      ['the wrong event type', { 'content-type': 'application/json', 'ce-id': '1', 'ce-source': '/x', 'ce-specversion': '1.0', 'ce-type': 'com.example.other' }, '{}', `expects events of type ${EVENT_TYPES.window}, got com.example.other`],
    ])('answers %s with 400 and the reason', async (_name, headers, body, reason) => {
      const res = await fetch(url, { method: 'POST', headers, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(reason);
    });

    it('rejects a body over the size limit with 413', async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: 'x'.repeat(9 * 1024 * 1024) });
      expect(res.status).toBe(413);
    });

    it('serves Knative and OpenFaaS health paths and its metrics', async () => {
      for (const path of ['health/readiness', 'health/liveness', '_/health', '_/ready']) {
        expect((await fetch(url + path)).status).toBe(200);
      }
      const metrics = await (await fetch(url + 'metrics')).text();
      expect(metrics).toMatch(/deucalion_function_requests_total\{function="detector-[a-z-]+",code="400"\} \d+/);
    });
  });
}
