import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../lib/runtime/http-error.ts';
import { resolveTriggerConfig } from '../../lib/trigger/config.ts';
import { applyOverrides, parseTick } from '../../lib/trigger/tick.ts';

const ping = (data?: unknown, datacontenttype = 'application/json') =>
  new CloudEvent<unknown>({ type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/ns/pingsources/p', id: 'tick-1', datacontenttype, ...(data === undefined ? {} : { data }) });

describe('parseTick', () => {
  it.each([
    ['a PingSource event without data', () => parseTick({}, '', ping()), { kind: 'ping', id: 'tick-1' }],
    ['a PingSource event with JSON overrides', () => parseTick({}, '', ping({ federation: 'zone-b', window: '30m' })), { kind: 'ping', id: 'tick-1', overrides: { federation: 'zone-b', window: '30m' } }],
    ['a PingSource event whose data is a JSON string', () => parseTick({}, '', ping('{"step":"30s"}')), { kind: 'ping', id: 'tick-1', overrides: { step: '30s' } }],
    ['the cron-connector POST', () => parseTick({ 'x-connector': 'cron-connector', 'x-topic': 'cron-function' }, ''), { kind: 'cron' }],
  ])('accepts %s', (_name, parse, want) => expect(parse()).toEqual(want));

  const rejected: [string, () => unknown, string][] = [
    ['another event type', () => parseTick({}, '', new CloudEvent({ type: 'io.deucalion.window.v1', source: '/x', data: {} })), 'scrape-trigger: expected a dev.knative.sources.ping CloudEvent (Knative PingSource) or an OpenFaaS cron-connector POST (X-Connector: cron-connector, empty body); got a io.deucalion.window.v1 event'],
    ['a plain POST', () => parseTick({}, ''), 'scrape-trigger: expected a dev.knative.sources.ping CloudEvent (Knative PingSource) or an OpenFaaS cron-connector POST (X-Connector: cron-connector, empty body); got a plain POST without X-Connector'],
    ['another connector', () => parseTick({ 'x-connector': 'kafka-connector' }, ''), 'got a plain POST with X-Connector: kafka-connector'],
    ['a cron-connector POST with a body', () => parseTick({ 'x-connector': 'cron-connector' }, '{"a":1}'), 'scrape-trigger: a cron-connector POST has an empty body; send overrides in a PingSource event instead'],
    ['unknown override', () => parseTick({}, '', ping({ message: 'Hello world!' })), 'invalid trigger event: data: unknown property "message"'],
    ['bad override duration', () => parseTick({}, '', ping({ window: 'an hour' })), 'invalid trigger event: data.window must match pattern'],
    ['data that is not JSON', () => parseTick({}, '', ping('hello', 'text/plain')), 'invalid trigger event: data must be object'],
  ];
  it.each(rejected)('rejects %s with a 400 and the reason', (_name, parse, message) => {
    let err: unknown;
    try {
      parse();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).message).toContain(message);
  });
});

describe('applyOverrides', () => {
  const config = resolveTriggerConfig(
    { federation: 'zone-a', prometheus: { url: 'http://p' }, sink: { url: 'http://s' }, queries: [{ expr: 'up', detectors: ['detector-zscore'] }], detectors: { urls: { 'detector-zscore': 'http://z/' } } },
    {},
  );
  it('overrides federation, window, step and queries for one run', () => {
    const next = applyOverrides(config, { federation: 'zone-b', window: '10h', step: '1m', queries: [{ expr: 'x', detectors: ['detector-zscore'] }] });
    expect(next).toMatchObject({ federation: 'zone-b', windowMs: 36_000_000, stepMs: 60_000, maxWindowMs: 36_000_000, queries: [{ expr: 'x', detectors: [{ name: 'detector-zscore', url: 'http://z/' }] }] });
    expect(config.federation).toBe('zone-a');
    expect(applyOverrides(config, undefined)).toBe(config);
  });
  it.each([
    [{ window: '10s' }, 'invalid trigger event: data.window: must be at least one step (15000 ms)'],
    [{ queries: [{ expr: 'x', detectors: ['detector-mad'] }] }, 'invalid trigger event: data.queries[0].detectors[0]: no URL for detector-mad'],
  ])('rejects %j', (overrides, message) => {
    expect(() => applyOverrides(config, overrides)).toThrow(message);
  });
});
