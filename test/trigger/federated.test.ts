// Federated mode for real: the Debian Prometheus scrapes an HTTP target every second; the target's
// series carry an injected anomaly; `deucalion function scrape-trigger` runs as its own process, as
// do the detector functions; a recording HTTP sink receives what comes out. Ticks arrive as a
// Knative PingSource event and as the OpenFaaS cron-connector's plain POST.
import { CloudEvent } from 'cloudevents';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyData } from '../../lib/contracts/types.ts';
import { eventData } from '../../lib/runtime/cloudevent.ts';
import { SendError, sendCloudEvent } from '../../lib/runtime/send.ts';
import type { RunReport } from '../../lib/trigger/report.ts';
import { requireBinary } from '../support/binaries.ts';
import { freePort, startCli, waitForHttp, type Started } from '../support/process.ts';
import { startMetricsTarget, startPrometheus, type MetricsTarget, type RunningPrometheus } from '../support/prometheus.ts';
import { startSink, type RecordingSink } from './harness.ts';

const binary = requireBinary('prometheus');
const EXPR = 'demo_queue_depth';
const PODS = ['a', 'b', 'c'];

const procs: Started[] = [];

async function startFunction(name: string, args: string[] = [], port?: number): Promise<{ url: string; proc: Started }> {
  const p = port ?? (await freePort());
  const proc = startCli(['function', name, '--port', String(p), ...args], { LOG_LEVEL: 'info' });
  procs.push(proc);
  const url = `http://127.0.0.1:${p}/`;
  return { url, proc };
}

/** Send a PingSource-shaped event; the reply is the JSON run report (200, or 502 for a failed run). */
async function ping(url: string, data?: unknown): Promise<{ status: number; report: RunReport }> {
  const event = new CloudEvent<unknown>({ type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/zone-a/pingsources/scrape-trigger-zone-a', datacontenttype: 'application/json', ...(data ? { data } : {}) });
  try {
    const result = await sendCloudEvent(url, event, { timeoutMs: 60_000 });
    expect(result.reply).toBeUndefined(); // a JSON report, never a CloudEvent a Broker would route
    return { status: result.status, report: JSON.parse(result.body) as RunReport };
  } catch (err) {
    if (err instanceof SendError && err.status !== undefined) return { status: err.status, report: JSON.parse(err.body ?? '{}') as RunReport };
    throw err;
  }
}

/** The OpenFaaS cron-connector's POST: no CloudEvent, empty body, X-Connector / X-Topic headers. */
async function cron(url: string): Promise<{ status: number; report: RunReport }> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Connector': 'cron-connector', 'X-Topic': 'cron-function' }, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, report: (await res.json()) as RunReport };
}

describe.skipIf(!binary)('federated mode with a real Prometheus', () => {
  let target: MetricsTarget;
  let prom: RunningPrometheus;
  let sink: RecordingSink;
  let dir: string;
  let scrape = 0;
  let spikeUntil = 0;
  let spikeValue = 50;

  /**
   * Pod b jumps from ~10 until Prometheus holds the jump (then 1 s more), each time 10× higher than
   * the last: an earlier spike still in the detector's rolling window widens its band.
   */
  const injectAnomaly = async (): Promise<number> => {
    const at = Date.now();
    spikeValue *= 10;
    spikeUntil = Number.POSITIVE_INFINITY;
    await prom.waitForQuery(`max_over_time(${EXPR}{pod="b"}[5s]) >= ${spikeValue}`, (s) => s.length === 1, 30_000);
    spikeUntil = Date.now() + 1000;
    // A run's window ends on the step grid at or before now: let the spike's sample get behind it.
    await new Promise((r) => setTimeout(r, 1500));
    return at;
  };

  const writeConfig = (name: string, detectors: Record<string, string>, detectorNames: string[]): string => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      stringify({
        federation: 'zone-a',
        prometheus: { url: prom.url, timeout: '5s', retries: 0 },
        window: '1m',
        step: '1s',
        lookback: '30s',
        queries: [{ expr: EXPR, detectors: detectorNames.map((n) => ({ name: n, params: n === 'detector-zscore' ? { warmup: 5, threshold: 4 } : { warmup: 5 } })) }],
        detectors: { urls: detectors, timeout: '10s' },
        sink: { url: sink.url },
      }),
    );
    return file;
  };

  const anomaliesOf = (since: number) =>
    sink.events
      .flatMap((e) => (eventData(e) as AnomalyData).anomalies.map((a) => ({ ...a, source: e.source })))
      .filter((a) => a.timestamp >= since - 1000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'federated-'));
    target = await startMetricsTarget(() => {
      scrape++;
      const lines = ['# TYPE demo_queue_depth gauge'];
      for (const pod of PODS) {
        const value = pod === 'b' && Date.now() < spikeUntil ? spikeValue : 10 + (scrape % 5) * 0.2;
        lines.push(`demo_queue_depth{pod="${pod}"} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    });
    prom = await startPrometheus({ binary, targets: [{ url: target.url }], scrapeInterval: '1s' });
    sink = await startSink();
    // History for the detectors' warm-up.
    await prom.waitForQuery(`count_over_time(${EXPR}[1m])`, (s) => s.length === 3 && s.every((x) => x.value >= 12), 40_000);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    await prom?.close();
    await target?.close();
    await sink?.close();
  });

  it('a PingSource event, then a cron-connector POST: each ends with the injected anomaly at the sink; Prometheus down is a clear error and the next tick works', async () => {
    const zscore = await startFunction('detector-zscore');
    await waitForHttp(`${zscore.url}health/readiness`, zscore.proc);
    const config = writeConfig('trigger', { 'detector-zscore': zscore.url }, ['detector-zscore']);
    const trigger = await startFunction('scrape-trigger', ['--config', config]);
    await waitForHttp(`${trigger.url}health/readiness`, trigger.proc);

    // 1. Knative PingSource
    const first = await injectAnomaly();
    const byPing = await ping(trigger.url, { federation: 'zone-a' });
    expect(byPing.status).toBe(200);
    expect(byPing.report).toMatchObject({ status: 'ok', trigger: 'ping', federation: 'zone-a', series: 3, errors: [] });
    expect(byPing.report.anomalies).toBeGreaterThanOrEqual(1);
    const found = anomaliesOf(first);
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found.every((a) => a.labels.pod === 'b' && a.detector === 'zscore' && a.value === 500 && a.source === '/federations/zone-a')).toBe(true);
    expect(found[0].labels).toMatchObject({ __name__: EXPR, pod: 'b', job: 'test' });

    // 2. OpenFaaS cron-connector: only the new anomaly, none twice.
    const before = sink.events.length;
    const second = await injectAnomaly();
    const byCron = await cron(trigger.url);
    expect(byCron.status).toBe(200);
    expect(byCron.report).toMatchObject({ status: 'ok', trigger: 'cron', series: 3 });
    const newOnes = sink.events.slice(before).flatMap((e) => (eventData(e) as AnomalyData).anomalies);
    expect(newOnes.length).toBeGreaterThanOrEqual(1);
    expect(newOnes.every((a) => a.labels.pod === 'b' && a.timestamp >= second - 1000)).toBe(true);

    // 3. Prometheus down: a failed report with the reason, no crash, not ready; then back.
    await prom.stop();
    await new Promise((r) => setTimeout(r, 1100)); // a new step, so the run has something to ask for
    const down = await ping(trigger.url);
    expect(down.status).toBe(502);
    expect(down.report.status).toBe('failed');
    expect(down.report.errors).toEqual([`Prometheus ${prom.url} is unreachable: ECONNREFUSED`]);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fetch(`${trigger.url}health/readiness`)).status).toBe(503);
    expect(trigger.proc.child.exitCode).toBeNull();
    await prom.start();
    await waitForHttp(`${trigger.url}health/readiness`, trigger.proc);
    const third = await injectAnomaly();
    const back = await ping(trigger.url);
    expect(back.report).toMatchObject({ status: 'ok', errors: [] });
    expect(anomaliesOf(third).some((a) => a.labels.pod === 'b')).toBe(true);

    const metrics = await (await fetch(`${trigger.url}metrics`)).text();
    expect(metrics).toMatch(/deucalion_trigger_runs_total\{status="ok"\} 3/);
    expect(metrics).toMatch(/deucalion_trigger_runs_total\{status="failed"\} 1/);
    expect(metrics).toMatch(/deucalion_trigger_ticks_total\{kind="cron"\} 1/);
    expect(trigger.proc.output()).toContain('"msg":"run finished"');
  }, 120_000);

  it('waits for a detector that is not running yet and starts on demand', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const config = writeConfig('trigger-cold', { 'detector-mad': url }, ['detector-mad']);
    const trigger = await startFunction('scrape-trigger', ['--config', config]);
    await waitForHttp(`${trigger.url}health/readiness`, trigger.proc);
    const at = await injectAnomaly();
    const reply = ping(trigger.url);
    // "Scale from zero": the detector process starts only after the trigger's first attempts failed.
    await new Promise((r) => setTimeout(r, 1500));
    await startFunction('detector-mad', [], port);
    const { status, report } = await reply;
    expect(status).toBe(200);
    expect(report).toMatchObject({ status: 'ok', windowsFailed: 0, errors: [] });
    expect(report.retries).toBeGreaterThan(0);
    expect(anomaliesOf(at).some((a) => a.detector === 'mad' && a.labels.pod === 'b')).toBe(true);
    expect(trigger.proc.output()).toContain('"msg":"retrying detector"');
  }, 60_000);
});
