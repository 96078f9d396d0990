import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRIGGER_DEFAULTS, TriggerConfigError, fieldPath, loadTriggerConfig, resolveTriggerConfig } from '../../lib/trigger/config.ts';

const base = () => ({
  federation: 'zone-a',
  prometheus: { url: 'http://prometheus-zone-a:9090' },
  window: '1h',
  step: '15s',
  queries: [{ expr: 'rate(http_requests_total[1m])', detectors: ['detector-zscore', 'detector-seasonal'] }],
  detectors: { baseUrl: 'http://gateway.openfaas:8080/function/', urls: { 'detector-zscore': 'http://detector-zscore.zone-a.svc/' } },
  sink: { url: 'http://alert-forwarder/' },
});

describe('resolveTriggerConfig', () => {
  it('resolves the issue’s example with defaults for every knob', () => {
    const c = resolveTriggerConfig(base(), {});
    expect(c.federation).toBe('zone-a');
    expect(c.windowMs).toBe(3_600_000);
    expect(c.stepMs).toBe(15_000);
    expect(c.lookbackMs).toBe(0);
    expect(c.maxWindowMs).toBe(4 * 3_600_000);
    expect(c.warmupMs).toBe(1_800_000);
    expect(c.prometheus).toEqual({ url: 'http://prometheus-zone-a:9090', timeoutMs: 30_000, retries: 2, concurrency: 2, parallel: 2 });
    expect(c.queries[0].detectors).toEqual([
      { name: 'detector-zscore', url: 'http://detector-zscore.zone-a.svc/' },
      { name: 'detector-seasonal', url: 'http://gateway.openfaas:8080/function/detector-seasonal' },
    ]);
    expect(c.detectors).toMatchObject({ timeoutMs: 30_000, concurrency: 4, retry: { attempts: 8, backoffMs: 250, maxBackoffMs: 5000 }, maxPointsPerEvent: 200_000, maxBytesPerEvent: 1024 * 1024 });
    expect(c.sink).toEqual({ url: 'http://alert-forwarder/', timeoutMs: 10_000, retry: { attempts: 5, backoffMs: 250, maxBackoffMs: 5000 }, maxAnomaliesPerEvent: 5000 });
  });

  it('takes detector params per query, the default detector, and environment fallbacks', () => {
    const c = resolveTriggerConfig(
      { queries: [{ expr: 'a', detectors: [{ name: 'detector-zscore', params: { threshold: 6 } }] }, { expr: 'b' }] },
      { FEDERATION: 'zone-b', PROMETHEUS_URL: 'http://p:9090', DETECTORS_BASE_URL: 'http://gw:8080/function', K_SINK: 'http://broker/' },
    );
    expect(c.federation).toBe('zone-b');
    expect(c.prometheus.url).toBe('http://p:9090');
    expect(c.sink.url).toBe('http://broker/');
    expect(c.queries[0].detectors).toEqual([{ name: 'detector-zscore', url: 'http://gw:8080/function/detector-zscore', params: { threshold: 6 } }]);
    expect(c.queries[1].detectors).toEqual([{ name: TRIGGER_DEFAULTS.detector, url: `http://gw:8080/function/${TRIGGER_DEFAULTS.detector}` }]);
  });

  it('prefers the file over the environment', () => {
    expect(resolveTriggerConfig(base(), { K_SINK: 'http://other/', FEDERATION: 'x' })).toMatchObject({ federation: 'zone-a', sink: { url: 'http://alert-forwarder/' } });
  });

  const bad: { name: string; edit: (c: any) => void; env?: NodeJS.ProcessEnv; message: string }[] = [
    { name: 'unknown top-level key', edit: (c) => (c.windw = '1h'), message: 'f.yaml: unknown setting "windw"' },
    { name: 'unknown nested key', edit: (c) => (c.prometheus.timout = '1s'), message: 'f.yaml: prometheus: unknown setting "timout"' },
    { name: 'no federation', edit: (c) => delete c.federation, message: 'f.yaml: federation: required (or set $FEDERATION)' },
    { name: 'no Prometheus URL', edit: (c) => delete c.prometheus.url, message: 'f.yaml: prometheus.url: required (or set $PROMETHEUS_URL)' },
    { name: 'Prometheus URL without scheme', edit: (c) => (c.prometheus.url = 'prometheus:9090'), message: 'f.yaml: prometheus.url: must match pattern "^https?://"' },
    { name: 'no sink', edit: (c) => delete c.sink, message: 'f.yaml: sink.url: required (or set $K_SINK, as a Knative SinkBinding does)' },
    { name: 'no queries', edit: (c) => delete c.queries, message: 'f.yaml: queries: required: at least one {expr, detectors}' },
    { name: 'empty queries', edit: (c) => (c.queries = []), message: 'f.yaml: queries: must NOT have fewer than 1 items' },
    { name: 'query without expr', edit: (c) => (c.queries = [{ detectors: ['detector-zscore'] }]), message: 'f.yaml: queries[0]: missing "expr"' },
    { name: 'bad detector name', edit: (c) => (c.queries[0].detectors = ['detector-zscore', 'zscore']), message: 'f.yaml: queries[0].detectors[1]: must match pattern "^detector-[a-z0-9-]+$"' },
    { name: 'bad detector entry key', edit: (c) => (c.queries[0].detectors = [{ name: 'detector-zscore', parms: {} }]), message: 'f.yaml: queries[0].detectors[0]: unknown setting "parms"' },
    { name: 'detector nobody can reach', edit: (c) => { delete c.detectors.baseUrl; c.queries[0].detectors = ['detector-mad']; }, message: 'f.yaml: queries[0].detectors[0]: no URL for detector-mad: set detectors.urls.detector-mad or detectors.baseUrl (or $DETECTORS_BASE_URL)' },
    { name: 'bad duration', edit: (c) => (c.window = '1 hour'), message: 'f.yaml: window: must match pattern' },
    { name: 'window below step', edit: (c) => (c.window = '10s'), message: 'f.yaml: window: must be at least one step (15000 ms)' },
    { name: 'zero step', edit: (c) => (c.step = '0s'), message: 'f.yaml: step: must be positive' },
    { name: 'maxWindow below window', edit: (c) => (c.maxWindow = '30m'), message: 'f.yaml: maxWindow: must be at least window (3600000 ms)' },
    { name: 'warmup not below maxWindow', edit: (c) => (c.warmup = '4h'), message: 'f.yaml: warmup: must be below maxWindow (14400000 ms)' },
    { name: 'zero concurrency', edit: (c) => (c.detectors.concurrency = 0), message: 'f.yaml: detectors.concurrency: must be >= 1' },
    { name: 'maxBackoff below backoff', edit: (c) => (c.sink.retry = { backoff: '2s', maxBackoff: '1s' }), message: 'f.yaml: sink.retry.maxBackoff: must be at least backoff (2000 ms)' },
    { name: 'tiny byte budget', edit: (c) => (c.detectors.maxBytesPerEvent = 10), message: 'f.yaml: detectors.maxBytesPerEvent: must be >= 1024' },
    { name: 'detector URL not http', edit: (c) => (c.detectors.urls = { 'detector-zscore': 'detector-zscore.svc' }), message: 'f.yaml: detectors.urls.detector-zscore: must match pattern "^https?://"' },
  ];
  it.each(bad)('$name', ({ edit, env, message }) => {
    const raw = base();
    edit(raw);
    let err: unknown;
    try {
      resolveTriggerConfig(raw, env ?? {}, 'f.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TriggerConfigError);
    expect((err as Error).message.startsWith(message)).toBe(true);
  });
});

describe('loadTriggerConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trigger-config-'));
  it.each([
    ['missing file', undefined, /^cannot read config file .*missing\.yaml: ENOENT/],
    ['not YAML', 'a: [1,', /^.*bad\.yaml: not valid YAML/],
    ['a list', '- a\n- b\n', /^.*list\.yaml: expected a mapping of settings$/],
  ])('%s', (name, text, message) => {
    const file = join(dir, name === 'missing file' ? 'missing.yaml' : name === 'not YAML' ? 'bad.yaml' : 'list.yaml');
    if (text !== undefined) writeFileSync(file, text);
    expect(() => loadTriggerConfig(file, {})).toThrow(message);
  });
});

describe('fieldPath', () => {
  it.each([
    ['', ''],
    ['/queries/0/detectors/1', 'queries[0].detectors[1]'],
    ['/detectors/urls/a~1b', 'detectors.urls.a/b'],
  ])('%s → %s', (pointer, want) => expect(fieldPath(pointer)).toBe(want));
});
