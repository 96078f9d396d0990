// One federation's scrape-trigger run: range-query Prometheus per query, place the series on the step
// grid, cut them into window events, fan them out to the detector functions (bounded, retried, cold-
// start tolerant), merge their findings and forward them to the sink. At most one run per
// configuration at a time: a tick during a run is skipped (logged, counted) and the next run covers
// the gap, because each (query, detector) remembers where its last successful run ended. That memory
// is only in this process: after a cold start the first run reports the last `lookback` only.
import { CloudEvent } from 'cloudevents';
import type { Registry } from 'prom-client';
import { EVENT_TYPES, federationSource, type Anomaly, type Resolved, type WindowData } from '../contracts/types.ts';
import type { Logger } from '../log.ts';
import { createPrometheusClient, type PrometheusClient } from '../prometheus/client.ts';
import { PrometheusError } from '../prometheus/errors.ts';
import { callDetector, describeCallError } from './call-detector.ts';
import { chunkSeries } from './chunk.ts';
import type { DetectorTarget, QueryConfig, TriggerConfig } from './config.ts';
import { forwardFindings } from './forward.ts';
import { alignToGrid, gridTimestamps } from './grid.ts';
import { createLimiter, type Limiter } from './limit.ts';
import { createTriggerMetrics } from './metrics.ts';
import { mergePlans, planWindow, windowEnd, type WindowPlan } from './plan.ts';
import { decideStatus, type DetectorReport, type QueryReport, type RunReport } from './report.ts';
import { applyOverrides, type Tick } from './tick.ts';

export interface TriggerOptions {
  log: Logger;
  registry?: Registry;
  /** Clock, Unix ms (tests). */
  now?: () => number;
}

export interface Trigger {
  readonly config: TriggerConfig;
  readonly metrics: Registry;
  /** One run for a tick; never throws for Prometheus, detector or sink failures (they are in the report). */
  run(tick: Tick): Promise<RunReport>;
  /** Ready once its Prometheus answers. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

interface RunState {
  cfg: TriggerConfig;
  /** performance.now() at the tick. */
  began: number;
  end: number;
  report: RunReport;
  detectorLimit: Limiter;
  prometheusLimit: Limiter;
  anomalies: Anomaly[];
  resolved: Resolved[];
  /** (query, detector) whose windows all succeeded: their new lastEnd, if the sink takes the findings. */
  commits: { key: string; findings: number }[];
  /** Every (query, detector) this run tried to report for, with the first point it tried. */
  attempted: { key: string; reportFrom: number }[];
  firstDetectorCall?: number;
  lastDetectorDone?: number;
}

export function createTrigger(config: TriggerConfig, options: TriggerOptions): Trigger {
  const { log } = options;
  const now = options.now ?? Date.now;
  const m = createTriggerMetrics(options.registry);
  const prom: PrometheusClient = createPrometheusClient({ url: config.prometheus.url, timeoutMs: config.prometheus.timeoutMs, retries: config.prometheus.retries });
  const lastEnds = new Map<string, number>();
  const running = new Map<string, RunReport>();
  const abort = new AbortController();
  let runs = 0;
  let readyUntil = 0;
  let wasReady: boolean | undefined;

  const pairKey = (cfg: TriggerConfig, expr: string, detector: string) => JSON.stringify([cfg.federation, cfg.stepMs, expr, detector]);

  const runDetector = async (st: RunState, q: QueryConfig, target: DetectorTarget, plan: WindowPlan, start: number, chunks: WindowData['series'][]): Promise<void> => {
    const { cfg, report } = st;
    const dr: DetectorReport = { detector: target.name, url: target.url, query: q.expr, reportFrom: plan.reportFrom, extended: plan.extended, lostMs: plan.lostMs, windows: chunks.length, failed: 0, attempts: 0, anomalies: 0, resolved: 0, durationMs: 0 };
    report.detectors.push(dr);
    const began = performance.now();
    const outcomes = await Promise.all(
      chunks.map((series) =>
        st.detectorLimit.run(async () => {
          st.firstDetectorCall ??= performance.now();
          const data: WindowData = { federation: cfg.federation, query: q.expr, start, end: st.end, step: cfg.stepMs, reportFrom: plan.reportFrom, series };
          if (target.params) data.params = target.params;
          const event = new CloudEvent<WindowData>({ type: EVENT_TYPES.window, source: federationSource(cfg.federation), subject: target.name, datacontenttype: 'application/json', data });
          let attempts = 1;
          try {
            const result = await callDetector(target.url, event, {
              timeoutMs: cfg.detectors.timeoutMs,
              retry: cfg.detectors.retry,
              signal: abort.signal,
              onRetry: (err, attempt, delayMs) => {
                attempts++;
                report.retries++;
                m.detectorRetries.inc({ detector: target.name });
                log.info('retrying detector', { detector: target.name, url: target.url, attempt, delayMs, reason: describeCallError(err) });
              },
            });
            if (result.data) {
              dr.anomalies += result.data.anomalies.length;
              dr.resolved += result.data.resolved?.length ?? 0;
              for (const a of result.data.anomalies) st.anomalies.push(a);
              for (const r of result.data.resolved ?? []) st.resolved.push(r);
            }
            m.windows.inc({ detector: target.name, outcome: 'ok' });
            return true;
          } catch (err) {
            dr.failed++;
            dr.error ??= describeCallError(err);
            m.windows.inc({ detector: target.name, outcome: 'error' });
            return false;
          } finally {
            dr.attempts += attempts;
            st.lastDetectorDone = performance.now();
          }
        }),
      ),
    );
    dr.durationMs = Math.round(performance.now() - began);
    report.windows += chunks.length;
    report.windowsFailed += dr.failed;
    if (outcomes.every(Boolean)) st.commits.push({ key: pairKey(cfg, q.expr, target.name), findings: dr.anomalies + dr.resolved });
    else report.errors.push(`${target.name} (${target.url}), query "${q.expr}": ${dr.failed} of ${chunks.length} windows failed: ${dr.error}`);
  };

  const runQuery = async (st: RunState, q: QueryConfig): Promise<void> => {
    const { cfg, report, end } = st;
    const qr: QueryReport = { expr: q.expr, series: 0, points: 0, requests: 0, windows: 0, durationMs: 0 };
    report.queries.push(qr);
    const plans = q.detectors.map((target) => ({ target, plan: planWindow(cfg, end, lastEnds.get(pairKey(cfg, q.expr, target.name))) }));
    const active = plans.filter((p) => p.plan.reportFrom <= end);
    for (const { target, plan } of plans) {
      if (plan.reportFrom > end) {
        report.detectors.push({ detector: target.name, url: target.url, query: q.expr, reportFrom: plan.reportFrom, extended: false, lostMs: 0, windows: 0, failed: 0, attempts: 0, anomalies: 0, resolved: 0, durationMs: 0, skipped: 'nothing new since the last run' });
      }
      if (plan.lostMs > 0) {
        m.lostSeconds.inc(plan.lostMs / 1000);
        log.warn('missed ticks left a gap longer than maxWindow; its oldest part is not evaluated', { query: q.expr, detector: target.name, lostMs: plan.lostMs, maxWindowMs: cfg.maxWindowMs });
      }
    }
    if (active.length === 0) return;
    for (const { target, plan } of active) st.attempted.push({ key: pairKey(cfg, q.expr, target.name), reportFrom: plan.reportFrom });
    const { start } = mergePlans(active.map((p) => p.plan));
    qr.start = start;
    qr.end = end;
    const began = performance.now();
    let fetched;
    try {
      // Big windows as parallel time slices (Prometheus uses one core per query), each >= 120 points.
      const parallel = Math.max(1, Math.min(cfg.prometheus.parallel, Math.floor(((end - start) / cfg.stepMs + 1) / 120)));
      fetched = await st.prometheusLimit.run(() => prom.queryRange({ query: q.expr, start, end, step: cfg.stepMs, signal: abort.signal, parallel }));
    } catch (err) {
      qr.error = err instanceof Error ? err.message : String(err);
      m.prometheusErrors.inc({ kind: err instanceof PrometheusError ? err.kind : 'internal' });
      report.errors.push(qr.error);
      return;
    } finally {
      qr.durationMs = Math.round(performance.now() - began);
      report.timings.prometheusMs = Math.max(report.timings.prometheusMs, Math.round(performance.now() - st.began));
    }
    qr.requests = fetched.requests;
    if (fetched.warnings.length > 0) qr.warnings = fetched.warnings;
    const aligned = alignToGrid(fetched.series, gridTimestamps(start, end, cfg.stepMs), cfg.stepMs);
    fetched = undefined; // let the unaligned copy go before the fan-out
    qr.series = aligned.series.length;
    qr.points = aligned.points;
    report.series += qr.series;
    report.points += qr.points;
    m.series.inc(qr.series);
    m.points.inc(qr.points);
    if (aligned.series.length === 0) {
      // Nothing matched: nothing to detect, and nothing to catch up on later.
      for (const { target } of active) st.commits.push({ key: pairKey(cfg, q.expr, target.name), findings: 0 });
      return;
    }
    const chunks = chunkSeries(aligned.series, { maxPoints: cfg.detectors.maxPointsPerEvent, maxBytes: cfg.detectors.maxBytesPerEvent, overheadBytes: 1024 + q.expr.length });
    qr.windows = chunks.length * active.length;
    await Promise.all(active.map(({ target, plan }) => runDetector(st, q, target, plan, start, chunks)));
  };

  const execute = async (cfg: TriggerConfig, tick: Tick, run: number): Promise<RunReport> => {
    const began = performance.now();
    const end = windowEnd(now(), cfg.stepMs);
    const report: RunReport = {
      run, status: 'ok', trigger: tick.kind, federation: cfg.federation, startedAt: new Date(now()).toISOString(), durationMs: 0, end, step: cfg.stepMs,
      series: 0, points: 0, windows: 0, windowsFailed: 0, anomalies: 0, resolved: 0, forwarded: 0, dropped: 0, retries: 0,
      timings: { prometheusMs: 0, detectorsMs: 0, sinkMs: 0 }, queries: [], detectors: [], errors: [],
    };
    const st: RunState = { cfg, began, end, report, detectorLimit: createLimiter(cfg.detectors.concurrency), prometheusLimit: createLimiter(cfg.prometheus.concurrency), anomalies: [], resolved: [], commits: [], attempted: [] };
    try {
      await Promise.all(cfg.queries.map((q) => runQuery(st, q)));
      if (st.firstDetectorCall !== undefined) report.timings.detectorsMs = Math.round((st.lastDetectorDone ?? st.firstDetectorCall) - st.firstDetectorCall);
      report.anomalies = st.anomalies.length;
      report.resolved = st.resolved.length;
      m.anomalies.inc(report.anomalies);
      m.resolved.inc(report.resolved);
      if (st.anomalies.length + st.resolved.length > 0) {
        const sinkBegan = performance.now();
        const outcome = await forwardFindings(cfg.sink, cfg.federation, st.anomalies, st.resolved, {
          signal: abort.signal,
          onRetry: (err, attempt, delayMs) => log.info('retrying sink', { url: cfg.sink.url, attempt, delayMs, reason: describeCallError(err) }),
        });
        report.timings.sinkMs = Math.round(performance.now() - sinkBegan);
        report.forwarded = outcome.forwarded;
        report.dropped = outcome.dropped;
        report.retries += outcome.retries;
        report.errors.push(...outcome.errors);
        m.forwarded.inc(outcome.forwarded);
        m.dropped.inc(outcome.dropped);
      }
      // Advance only what is done: if the sink lost findings, their points are evaluated again next run.
      for (const c of st.commits) if (report.dropped === 0 || c.findings === 0) lastEnds.set(c.key, end);
      // A first run that failed still fixes where coverage starts: the next run reports from there.
      for (const a of st.attempted) if (!lastEnds.has(a.key)) lastEnds.set(a.key, a.reportFrom - cfg.stepMs);
    } catch (err) {
      report.errors.push(`internal error: ${(err as Error).message}`);
      log.error('run failed unexpectedly', { err });
    }
    report.durationMs = Math.round(performance.now() - began);
    report.status = decideStatus(report);
    m.runs.inc({ status: report.status });
    m.runDuration.observe(report.durationMs / 1000);
    if (report.status === 'ok') m.lastSuccess.set(end / 1000);
    log[report.status === 'ok' ? 'info' : 'warn']('run finished', { ...report });
    return report;
  };

  return {
    config,
    metrics: m.registry,
    async run(tick) {
      m.ticks.inc({ kind: tick.kind });
      const cfg = applyOverrides(config, tick.overrides);
      const key = JSON.stringify([cfg.federation, cfg.stepMs, cfg.windowMs, cfg.queries]);
      const current = running.get(key);
      if (current) {
        m.runs.inc({ status: 'skipped' });
        const reason = `run ${current.run} (started ${current.startedAt}) is still in progress; the next run covers this tick`;
        log.warn('tick skipped', { trigger: tick.kind, federation: cfg.federation, reason });
        return { ...emptyReport(++runs, tick, cfg.federation, now()), status: 'skipped', reason };
      }
      const placeholder = emptyReport(++runs, tick, cfg.federation, now());
      running.set(key, placeholder);
      m.inProgress.inc();
      try {
        return await execute(cfg, tick, placeholder.run);
      } finally {
        running.delete(key);
        m.inProgress.dec();
      }
    },
    async ready() {
      if (performance.now() < readyUntil) return true;
      try {
        await prom.ready({ timeoutMs: 2000, signal: abort.signal });
        readyUntil = performance.now() + 1000;
        if (wasReady !== true) log.info('ready: Prometheus answers', { prometheus: prom.url });
        wasReady = true;
        return true;
      } catch (err) {
        if (wasReady !== false) log.warn('not ready: Prometheus does not answer', { prometheus: prom.url, reason: (err as Error).message });
        wasReady = false;
        return false;
      }
    },
    async close() {
      abort.abort();
    },
  };
}

function emptyReport(run: number, tick: Tick, federation: string, at: number): RunReport {
  return {
    run, status: 'skipped', trigger: tick.kind, federation, startedAt: new Date(at).toISOString(), durationMs: 0,
    series: 0, points: 0, windows: 0, windowsFailed: 0, anomalies: 0, resolved: 0, forwarded: 0, dropped: 0, retries: 0,
    timings: { prometheusMs: 0, detectorsMs: 0, sinkMs: 0 }, queries: [], detectors: [], errors: [],
  };
}
