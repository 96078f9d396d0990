// A scrape-trigger run end to end over real HTTP, in-process: a scripted Prometheus, detector
// functions on the real runtime, a recording sink. The clock is the test's, so windows are exact.
import { afterEach, describe, expect, it } from 'vitest';
import type { AnomalyData } from '../../lib/contracts/types.ts';
import { silentLogger } from '../../lib/log.ts';
import { eventData } from '../../lib/runtime/cloudevent.ts';
import type { RunningFunction } from '../../lib/runtime/server.ts';
import { resolveTriggerConfig } from '../../lib/trigger/config.ts';
import { createTrigger, type Trigger } from '../../lib/trigger/trigger.ts';
import { freePort } from '../support/process.ts';
import { startDetector, startFakePrometheus, startSink, type FakePrometheus, type RecordingSink } from './harness.ts';

const STEP = 15_000;
const MIN = 60_000;
const END = 1_700_000_040_000 - (1_700_000_040_000 % STEP);
const PODS = [{ pod: 'a' }, { pod: 'b' }, { pod: 'c' }].map((l) => ({ __name__: 'http_requests_rate', ...l }));

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

interface Setup {
  prom: FakePrometheus;
  sink: RecordingSink;
  trigger: Trigger;
  spikes: Set<number>;
  clock: { now: number };
}

/** Three pods around 10 with a little noise; pod b jumps to 1000 at each time in `spikes`; pod c has gaps. */
async function setup(extra: Record<string, unknown> = {}, detectorUrls?: Record<string, string>): Promise<Setup> {
  const spikes = new Set<number>([END]);
  const prom = await startFakePrometheus(PODS, (labels, t) => {
    if (labels.pod === 'c' && (t / STEP) % 7 === 0) return undefined;
    if (labels.pod === 'b' && spikes.has(t)) return 1000;
    return 10 + Math.sin(t / STEP / 3);
  });
  const sink = await startSink();
  closers.push(prom.close, sink.close);
  let urls = detectorUrls;
  if (!urls) {
    const zscore = await startDetector('zscore');
    const mad = await startDetector('mad');
    closers.push(zscore.close, mad.close);
    urls = { 'detector-zscore': zscore.url, 'detector-mad': mad.url };
  }
  const config = resolveTriggerConfig(
    {
      federation: 'zone-a',
      prometheus: { url: prom.url, retries: 0, parallel: 1 },
      window: '1h',
      step: '15s',
      queries: [{ expr: 'sum by (pod) (rate(http_requests_total[1m]))', detectors: Object.keys(urls) }],
      detectors: { urls, retry: { attempts: 3, backoff: '10ms', maxBackoff: '20ms' } },
      sink: { url: sink.url, retry: { attempts: 2, backoff: '10ms', maxBackoff: '10ms' } },
      ...extra,
    },
    {},
  );
  const clock = { now: END + 5000 };
  const trigger = createTrigger(config, { log: silentLogger, now: () => clock.now });
  closers.push(trigger.close);
  return { prom, sink, trigger, spikes, clock };
}

describe('scrape-trigger run', () => {
  it('cold start: one window per detector, the spike reported once by each detector, merged into one sink event', async () => {
    const { trigger, sink, prom } = await setup();
    const report = await trigger.run({ kind: 'ping' });
    expect(report).toMatchObject({ status: 'ok', trigger: 'ping', federation: 'zone-a', end: END, step: STEP, series: 3, windows: 2, windowsFailed: 0, anomalies: 2, forwarded: 2, dropped: 0, errors: [] });
    expect(prom.calls).toHaveLength(1);
    expect(Number(prom.calls[0].get('start')) * 1000).toBe(END - 60 * MIN + STEP);
    expect(Number(prom.calls[0].get('end')) * 1000).toBe(END);
    expect(report.detectors.map((d) => [d.detector, d.reportFrom, d.anomalies])).toEqual([
      ['detector-zscore', END, 1],
      ['detector-mad', END, 1],
    ]);
    expect(sink.events).toHaveLength(1);
    const event = sink.events[0];
    expect(event.type).toBe('io.deucalion.anomaly.v1');
    expect(event.source).toBe('/federations/zone-a');
    const data = eventData(event) as AnomalyData;
    expect(data.federation).toBe('zone-a');
    expect(data.anomalies.map((a) => [a.detector, a.labels.pod, a.timestamp, a.value]).sort()).toEqual([
      ['mad', 'b', END, 1000],
      ['zscore', 'b', END, 1000],
    ]);
  });

  it('chunks windows under the point budget: one series per event here', async () => {
    const { trigger } = await setup({ detectors: { urls: undefined, maxPointsPerEvent: 240 } }, undefined).catch(() => ({ trigger: undefined })) as { trigger?: Trigger };
    expect(trigger).toBeUndefined(); // urls must be an object: the schema says so
    const s = await setup();
    const chunked = createTrigger({ ...s.trigger.config, detectors: { ...s.trigger.config.detectors, maxPointsPerEvent: 240, concurrency: 2 } }, { log: silentLogger, now: () => s.clock.now });
    closers.push(chunked.close);
    const report = await chunked.run({ kind: 'cron' });
    expect(report).toMatchObject({ status: 'ok', trigger: 'cron', windows: 6, anomalies: 2 });
    expect(report.queries[0]).toMatchObject({ series: 3, windows: 6, requests: 1 });
    let gaps = 0;
    for (let t = END - 60 * MIN + STEP; t <= END; t += STEP) if ((t / STEP) % 7 === 0) gaps++;
    expect(report.queries[0].points).toBe(240 * 3 - gaps);
  });

  it('the next run reports only new points; a run in the same step has nothing to do', async () => {
    const { trigger, prom, sink, clock } = await setup();
    await trigger.run({ kind: 'ping' });
    const again = await trigger.run({ kind: 'ping' });
    expect(again.status).toBe('ok');
    expect(again.detectors.every((d) => d.skipped === 'nothing new since the last run')).toBe(true);
    expect(prom.calls).toHaveLength(1);
    clock.now += MIN;
    const next = await trigger.run({ kind: 'cron' });
    // No new anomaly; pod b, anomalous in the window's history but normal now, is reported resolved.
    expect(next).toMatchObject({ status: 'ok', anomalies: 0, resolved: 2 });
    expect(next.detectors.map((d) => d.reportFrom)).toEqual([END + STEP, END + STEP]);
    expect(sink.events).toHaveLength(2);
    const resolved = eventData(sink.events[1]) as AnomalyData;
    expect(resolved.anomalies).toEqual([]);
    expect(resolved.resolved?.map((r) => [r.detector, r.labels.pod, r.timestamp]).sort()).toEqual([
      ['mad', 'b', END + MIN],
      ['zscore', 'b', END + MIN],
    ]);
  });

  it('a tick during a run is skipped, counted and says why', async () => {
    const { trigger, prom } = await setup();
    prom.delay(300);
    const first = trigger.run({ kind: 'ping' });
    const second = await trigger.run({ kind: 'cron' });
    expect(second.status).toBe('skipped');
    expect(second.reason).toMatch(/^run 1 \(started .*\) is still in progress; the next run covers this tick$/);
    expect((await first).status).toBe('ok');
    const metrics = await trigger.metrics.metrics();
    expect(metrics).toContain('deucalion_trigger_runs_total{status="skipped"} 1');
    expect(metrics).toContain('deucalion_trigger_runs_total{status="ok"} 1');
  });

  it('Prometheus error → failed with the reason; the next run works and covers the missed minute', async () => {
    const { trigger, prom, sink, clock, spikes } = await setup();
    await trigger.run({ kind: 'ping' });
    spikes.add(END + MIN);
    clock.now += MIN;
    prom.fail({ status: 422, errorType: 'execution', error: 'query processing would load too many samples into memory' });
    const failed = await trigger.run({ kind: 'ping' });
    expect(failed.status).toBe('failed');
    expect(failed.errors).toEqual([`Prometheus ${prom.url}: query_range "sum by (pod) (rate(http_requests_total[1m]))" failed: execution: query processing would load too many samples into memory (HTTP 422)`]);
    prom.fail(undefined);
    clock.now += MIN;
    const next = await trigger.run({ kind: 'ping' });
    expect(next).toMatchObject({ status: 'ok', anomalies: 2 });
    expect(next.detectors.map((d) => d.reportFrom)).toEqual([END + STEP, END + STEP]);
    expect((eventData(sink.events[1]) as AnomalyData).anomalies.map((a) => a.timestamp)).toEqual([END + MIN, END + MIN]);
    expect(await trigger.metrics.metrics()).toContain('deucalion_trigger_prometheus_errors_total{kind="api"} 1');
  });

  it('Prometheus down → failed "unreachable", and not ready', async () => {
    const { trigger, prom } = await setup();
    expect(await trigger.ready()).toBe(true);
    await prom.close();
    closers.splice(closers.indexOf(prom.close), 1);
    const report = await trigger.run({ kind: 'ping' });
    expect(report.status).toBe('failed');
    expect(report.errors).toEqual([`Prometheus ${prom.url} is unreachable: ECONNREFUSED`]);
    await new Promise((r) => setTimeout(r, 1100)); // readiness is cached for a second
    expect(await trigger.ready()).toBe(false);
  });

  it('waits for a detector that is not running yet (started on demand 1.5 s later)', async () => {
    const port = await freePort();
    const { trigger, sink } = await setup({ detectors: { urls: { 'detector-zscore': `http://127.0.0.1:${port}/` }, retry: { attempts: 8, backoff: '250ms', maxBackoff: '5s' } } }, { 'detector-zscore': `http://127.0.0.1:${port}/` });
    let late: RunningFunction | undefined;
    const timer = setTimeout(() => {
      void startDetector('zscore', port).then((d) => (late = d));
    }, 1500);
    closers.push(async () => {
      clearTimeout(timer);
      await late?.close();
    });
    const report = await trigger.run({ kind: 'cron' });
    expect(report).toMatchObject({ status: 'ok', windowsFailed: 0, anomalies: 1, forwarded: 1 });
    expect(report.retries).toBeGreaterThan(0);
    expect(report.detectors[0].attempts).toBe(report.retries + 1);
    expect(sink.anomalies().map((a) => [a.detector, a.labels.pod])).toEqual([['zscore', 'b']]);
  });

  it('a detector that rejects the window (400) is not retried; the other detector’s findings still go out', async () => {
    const { trigger, sink } = await setup({
      queries: [{ expr: 'x', detectors: [{ name: 'detector-zscore', params: { threshold: -1 } }, 'detector-mad'] }],
    });
    const report = await trigger.run({ kind: 'ping' });
    expect(report.status).toBe('partial');
    expect(report.retries).toBe(0);
    expect(report.errors[0]).toMatch(/^detector-zscore \(http:\/\/127\.0\.0\.1:\d+\/\), query "x": 1 of 1 windows failed: HTTP 400: invalid window event: data\.params\.threshold/);
    expect(sink.anomalies().map((a) => a.detector)).toEqual(['mad']);
  });

  it('a sink that refuses: findings counted as dropped, and the next run delivers them again', async () => {
    const { trigger, sink, clock } = await setup();
    sink.refuse(2);
    const failed = await trigger.run({ kind: 'ping' });
    expect(failed).toMatchObject({ status: 'failed', anomalies: 2, forwarded: 0, dropped: 2 });
    expect(failed.errors[0]).toBe(`sink ${sink.url}: HTTP 503: sink says no`);
    clock.now += MIN;
    const next = await trigger.run({ kind: 'ping' });
    // The same two anomalies again (their points were not marked done), plus pod b back to normal since.
    expect(next).toMatchObject({ status: 'ok', anomalies: 2, resolved: 2, forwarded: 4 });
    expect(sink.anomalies().map((a) => a.timestamp)).toEqual([END, END]);
    const metrics = await trigger.metrics.metrics();
    expect(metrics).toContain('deucalion_trigger_dropped_total 2');
    expect(metrics).toContain('deucalion_trigger_forwarded_total 4');
  });

  it('fetches a window of 240 points or more as parallel time slices (prometheus.parallel)', async () => {
    const s = await setup();
    const sliced = createTrigger({ ...s.trigger.config, prometheus: { ...s.trigger.config.prometheus, parallel: 2 } }, { log: silentLogger, now: () => s.clock.now });
    closers.push(sliced.close);
    const report = await sliced.run({ kind: 'ping' });
    expect(report).toMatchObject({ status: 'ok', series: 3, anomalies: 2 });
    expect(report.queries[0].requests).toBe(2);
    const ranges = s.prom.calls.map((c) => [Number(c.get('start')) * 1000, Number(c.get('end')) * 1000]).sort((a, b) => a[0] - b[0]);
    expect(ranges).toEqual([
      [END - 60 * MIN + STEP, END - 30 * MIN],
      [END - 30 * MIN + STEP, END],
    ]);
  });

  it('PingSource overrides change the queries of one run', async () => {
    const { trigger, prom } = await setup();
    const report = await trigger.run({ kind: 'ping', overrides: { queries: [{ expr: 'up', detectors: ['detector-mad'] }], window: '30m' } });
    expect(report).toMatchObject({ status: 'ok', anomalies: 1 });
    expect(prom.calls[0].get('query')).toBe('up');
    expect(Number(prom.calls[0].get('start')) * 1000).toBe(END - 30 * MIN + STEP);
  });
});
