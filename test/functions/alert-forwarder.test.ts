// `deucalion function alert-forwarder` as its own process, the way Kubernetes runs it: against a real
// Alertmanager (including a restart between events, as after a scale to zero), with the embedded
// sink, with bad events and bad configuration.
import { CloudEvent } from 'cloudevents';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, federationSource, podSource, type AnomalyData } from '../../lib/contracts/types.ts';
import { SendError, sendCloudEvent } from '../../lib/runtime/send.ts';
import { startAlertmanager, type RunningAlertmanager } from '../support/alertmanager.ts';
import { requireBinary } from '../support/binaries.ts';
import { freePort, runCli, startCli, waitForHttp, type Started } from '../support/process.ts';

const started: Started[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function startForwarder(env: Record<string, string>, args: string[] = []): Promise<{ url: string; proc: Started }> {
  const port = await freePort();
  const proc = startCli(['function', 'alert-forwarder', '--port', String(port), ...args], { LOG_LEVEL: 'info', ...env });
  started.push(proc);
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(`${url}health/readiness`, proc);
  return { url, proc };
}

async function post(url: string, data: unknown, type: string = EVENT_TYPES.anomaly, source = federationSource('zone-a')): Promise<{ status: number; body: string }> {
  const event = new CloudEvent({ type, source, datacontenttype: 'application/json', data });
  try {
    const result = await sendCloudEvent(url, event, { timeoutMs: 30_000 });
    return { status: result.status, body: result.body };
  } catch (err) {
    if (err instanceof SendError && err.status !== undefined) return { status: err.status, body: err.body ?? '' };
    throw err;
  }
}

const anomaly = (pod: string, score = 2) => ({
  detector: 'zscore',
  labels: { __name__: 'http_requests_rate', pod },
  timestamp: Date.now(),
  value: 42,
  score,
  expected: { lower: 1, upper: 2 },
});

const binary = requireBinary('alertmanager');

describe.skipIf(!binary)('alert-forwarder process with a real Alertmanager', () => {
  let am: RunningAlertmanager;
  beforeAll(async () => {
    am = await startAlertmanager({ binary });
  });
  afterAll(async () => {
    await am?.close();
  });

  it('forwards, serves its metrics, and a fresh process resolves what an earlier one fired', async () => {
    const env = { ALERTMANAGER_URL: am.url, ALERT_NAME: 'ProcessTest' };
    const first = await startForwarder(env);
    expect((await post(first.url, { anomalies: [anomaly('cart-1', 3.5)] }, EVENT_TYPES.anomaly, podSource('shop', 'cart-1'))).status).toBe(204);
    const [alert] = await am.waitForAlerts((alerts) => alerts.length === 1, { query: { filter: 'alertname="ProcessTest"' } });
    expect(alert.labels).toEqual({ alertname: 'ProcessTest', detector: 'zscore', metric: 'http_requests_rate', namespace: 'shop', pod: 'cart-1', severity: 'critical' });
    const metrics = await (await fetch(`${first.url}metrics`)).text();
    expect(metrics).toContain(`deucalion_alert_forwarder_alerts_sent_total{alertmanager="${am.url}",state="firing"} 1`);
    expect(metrics).toContain('deucalion_alert_forwarder_events_total{outcome="delivered"} 1');
    expect(metrics).toContain('deucalion_function_requests_total{function="alert-forwarder",code="204"} 1');
    expect(await first.proc.stop()).toBe(0);

    // Scaled to zero and back: a new process knows nothing, the event and Alertmanager carry the state.
    const second = await startForwarder(env);
    const resolved = { anomalies: [], resolved: [{ detector: 'zscore', labels: { __name__: 'http_requests_rate', pod: 'cart-1' }, timestamp: Date.now() }] };
    expect((await post(second.url, resolved, EVENT_TYPES.anomaly, podSource('shop', 'cart-1'))).status).toBe(204);
    await am.waitForAlerts((alerts) => alerts.length === 0, { query: { filter: 'alertname="ProcessTest"' } });
    expect(second.proc.output()).toContain('"msg":"alerts forwarded"');
  });
});

describe('alert-forwarder process without Alertmanager', () => {
  it('writes the embedded sink: JSON lines to ALERT_LOG_FILE and one readable line per alert on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-sink-'));
    const file = join(dir, 'alerts.jsonl');
    const { url, proc } = await startForwarder({ ALERT_LOG_FILE: file, ALERTMANAGER_URL: '' });
    expect((await post(url, { anomalies: [anomaly('reviews-v1', 4)] })).status).toBe(204);
    const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      state: 'firing',
      labels: { alertname: 'DeucalionAnomaly', detector: 'zscore', federation: 'zone-a', metric: 'http_requests_rate', pod: 'reviews-v1', severity: 'critical' },
      annotations: { score: '4', value: '42', expected: '1..2' },
    });
    await waitForOutput(proc, 'FIRING critical DeucalionAnomaly{detector="zscore",federation="zone-a",metric="http_requests_rate",pod="reviews-v1"} score=4 value=42 expected=1..2 since ');
  });

  it.each([
    ['a window event', { series: [] }, EVENT_TYPES.window, `alert-forwarder expects events of type ${EVENT_TYPES.anomaly}, got ${EVENT_TYPES.window}`],
    ['a missing anomalies list', { federation: 'x' }, EVENT_TYPES.anomaly, 'invalid anomaly event: data: missing required property "anomalies"'],
    ['a bad label name', { anomalies: [{ ...anomaly('a'), labels: { 'a-b': 'x' } }] }, EVENT_TYPES.anomaly, 'invalid anomaly event: data.anomalies.0.labels must match pattern "^[a-zA-Z_][a-zA-Z0-9_]*$"'],
    ['an absurd timestamp', { anomalies: [{ ...anomaly('a'), timestamp: 1e20 }] }, EVENT_TYPES.anomaly, 'invalid anomaly event: data.anomalies.0.timestamp 100000000000000000000 is not a Unix time in milliseconds'],
  ])('answers 400 with the reason for %s', async (_name, data, type, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-sink-'));
    const { url } = await startForwarder({ ALERT_LOG_FILE: join(dir, 'a.jsonl'), ALERTMANAGER_URL: '' });
    const res = await post(url, data, type);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ error: reason });
  });

  it.each([
    [{ ALERT_SEVERITY_THRESHOLDS: 'warning:high' }, [], 'ALERT_SEVERITY_THRESHOLDS: severity "warning": score "high" is not a non-negative number'],
    [{ ALERTMANAGER_URL: 'am:9093' }, [], 'ALERTMANAGER_URL: "am:9093" is not an http(s) URL'],
  ])('refuses to start on bad configuration %j', async (env, args, message) => {
    const result = await runCli(['function', 'alert-forwarder', '--port', '0', ...args], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`alert-forwarder: invalid configuration: ${message}`);
  });

  it('reads --config YAML and names the file in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-config-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'alerts:\n  resendInterval: often\n');
    const result = await runCli(['function', 'alert-forwarder', '--port', '0', '--config', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`invalid configuration: ${bad}: resendInterval: invalid duration "often"`);

    const good = join(dir, 'good.yaml');
    writeFileSync(good, `alerts:\n  alertName: FromFile\n  logFile: ${join(dir, 'out.jsonl')}\n`);
    const { url } = await startForwarder({ ALERTMANAGER_URL: '' }, ['--config', good]);
    expect((await post(url, { anomalies: [anomaly('p')] })).status).toBe(204);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toContain('"alertname":"FromFile"');
  });
});

async function waitForOutput(proc: Started, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!proc.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`output never contained ${JSON.stringify(text)}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
