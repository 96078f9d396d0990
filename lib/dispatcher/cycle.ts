// One scrape cycle: scrape the target, judge every series, batch what was found into one anomaly
// event for the sink. Counts everything in the metrics; logs one debug line per scrape and a warning
// for errors (repeats of the same error at most once a minute).
import { podSource, type AnomalyData } from '../contracts/types.ts';
import type { Logger } from '../log.ts';
import type { DispatcherConfig } from './config.ts';
import type { DetectionEngine } from './engine.ts';
import { createEvent } from './event.ts';
import type { DispatcherMetrics } from './metrics.ts';
import { ScrapeError, type Scraper } from './scrape.ts';
import type { Findings } from './series-state.ts';
import type { EventSink } from './sink.ts';

export interface CycleDeps {
  scraper: Scraper;
  engine: DetectionEngine;
  sink: EventSink;
  metrics: DispatcherMetrics;
  log: Logger;
  warn: ThrottledWarn;
}

export async function runCycle(config: DispatcherConfig, deps: CycleDeps): Promise<void> {
  const { scraper, engine, sink, metrics, log } = deps;
  const now = Date.now();
  const findings: Findings = { anomalies: [], resolved: [] };
  const started = process.hrtime.bigint();
  let scraped;
  try {
    scraped = await scraper.scrape(config.target);
  } catch (err) {
    const reason = err instanceof ScrapeError ? err.reason : 'network';
    metrics.scrapes.inc({ result: reason });
    metrics.targetUp.set(0);
    deps.warn.warn(`scrape:${reason}`, 'scrape failed', { target: config.target.url, reason, error: (err as Error).message });
    engine.missing(now, findings);
    deliver(config, deps, findings, now);
    return;
  }
  const scrapeSeconds = secondsSince(started);
  metrics.scrapes.inc({ result: 'ok' });
  metrics.scrapeDuration.observe(scrapeSeconds);
  metrics.scrapeBytes.inc(scraped.wireBytes);
  metrics.scrapeBodyBytes.set(scraped.bodyBytes);
  metrics.targetUp.set(1);
  deps.warn.clear('scrape:');

  const detectStart = process.hrtime.bigint();
  const stats = engine.ingest(scraped.text, scraped.format, now, findings);
  const detectSeconds = secondsSince(detectStart);
  metrics.cycleDuration.observe(detectSeconds);
  metrics.samples.inc(stats.samples);
  if (stats.parseErrors > 0) {
    metrics.parseErrors.inc(stats.parseErrors);
    deps.warn.warn('parse', 'malformed exposition lines skipped', { target: config.target.url, errors: stats.parseErrors, first: stats.firstError });
  }
  metrics.series.set(engine.liveCount);
  metrics.seriesVanished.set(engine.vanishedCount);
  if (stats.refused > 0) {
    metrics.seriesRefused.inc(stats.refused);
    deps.warn.warn('series_limit', 'series limit reached: new series ignored', { max: config.series.max, refusedSinceStart: engine.refused });
  }
  log.debug('scrape', {
    format: scraped.format,
    bytes: scraped.bodyBytes,
    wireBytes: scraped.wireBytes,
    samples: stats.samples,
    series: engine.liveCount,
    newSeries: stats.newSeries,
    vanished: stats.vanished,
    parseErrors: stats.parseErrors,
    anomalies: findings.anomalies.length,
    resolved: findings.resolved.length,
    scrapeMs: round(scrapeSeconds * 1000),
    detectMs: round(detectSeconds * 1000),
  });
  deliver(config, deps, findings, now);
}

/** Everything one cycle found goes out as one event. */
function deliver(config: DispatcherConfig, deps: CycleDeps, findings: Findings, now: number): void {
  if (findings.anomalies.length === 0 && findings.resolved.length === 0) return;
  for (const a of findings.anomalies) deps.metrics.anomalies.inc({ detector: a.detector });
  for (const r of findings.resolved) deps.metrics.resolved.inc({ detector: r.detector });
  const data: AnomalyData = { namespace: config.namespace, pod: config.pod, anomalies: findings.anomalies };
  if (findings.resolved.length > 0) data.resolved = findings.resolved;
  deps.log.info('anomalies found', { anomalies: findings.anomalies.length, resolved: findings.resolved.length, detectors: [...new Set(findings.anomalies.map((a) => a.detector))] });
  deps.sink.enqueue(createEvent(podSource(config.namespace, config.pod), data, now));
}

// process.hrtime, not performance.now(): the `performance` global loads perf_hooks on first use.
function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Warnings that repeat every scrape are logged on change and then at most once per `everyMs`. */
export class ThrottledWarn {
  private readonly last = new Map<string, { message: string; at: number; repeats: number }>();
  private readonly log: Logger;
  private readonly everyMs: number;
  constructor(log: Logger, everyMs = 60_000) {
    this.log = log;
    this.everyMs = everyMs;
  }

  warn(key: string, msg: string, fields: Record<string, unknown>): void {
    const message = String(fields.error ?? fields.first ?? msg);
    const prev = this.last.get(key);
    const now = Date.now();
    if (prev && prev.message === message && now - prev.at < this.everyMs) {
      prev.repeats++;
      this.log.debug(msg, fields);
      return;
    }
    this.log.warn(msg, prev?.repeats ? { ...fields, repeatsSinceLastWarning: prev.repeats } : fields);
    this.last.set(key, { message, at: now, repeats: 0 });
  }

  /** Forget warnings whose key starts with `prefix` (the condition is over). */
  clear(prefix: string): void {
    for (const key of this.last.keys()) {
      if (key.startsWith(prefix)) {
        this.log.info('recovered', { condition: key });
        this.last.delete(key);
      }
    }
  }
}
