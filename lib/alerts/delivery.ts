// Deliver one batch to every configured Alertmanager (an HA pair does not gossip alerts, so each
// member needs its own copy), with retries and backoff, and an optional durable spool per
// Alertmanager. Per Alertmanager, batches are strictly ordered: while its spool holds anything, new
// batches queue behind it, because a late firing alert would re-open an alert a newer batch resolved.
import type { Logger } from '../log.ts';
import { withRetry } from '../runtime/send.ts';
import { AlertmanagerError, postAlerts } from './alertmanager-client.ts';
import type { AlertConfig } from './config.ts';
import type { PostableAlert } from './map.ts';
import type { AlertMetrics } from './metrics.ts';
import { pruneResolves } from './resolve-check.ts';
import { Spool, type SpoolEntry } from './spool.ts';

/** pending: still being delivered in the background (another Alertmanager accepted first). */
export type TargetOutcome = 'accepted' | 'queued' | 'failed' | 'rejected' | 'pending';
export type DeliveryOutcome = 'delivered' | 'queued' | 'failed' | 'rejected';

export interface TargetResult {
  alertmanager: string;
  outcome: TargetOutcome;
  error?: string;
}

export interface DeliveryReport {
  /** delivered: ≥1 Alertmanager accepted; queued: none did but ≥1 spooled; rejected: all refused (4xx). */
  outcome: DeliveryOutcome;
  results: TargetResult[];
}

export type DeliveryConfig = Pick<
  AlertConfig,
  'alertmanagers' | 'spoolDir' | 'spoolMaxEntries' | 'resolveCheck' | 'sendTimeoutMs' | 'sendAttempts' | 'retryBaseMs' | 'retryMaxMs' | 'resendIntervalMs'
>;

/** Most alerts one drain POST carries. */
const DRAIN_CHUNK = 1000;

interface Target {
  url: string;
  spool?: Spool;
  /** Tail of this Alertmanager's work queue: sends and drains run one at a time, in order. */
  tail: Promise<unknown>;
  /** Consecutive failed sends or drains; while now < retryAt, batches skip the network (fail fast or queue). */
  failures: number;
  retryAt: number;
  lastError?: string;
}

export class AlertDelivery {
  private readonly config: DeliveryConfig;
  private readonly metrics: AlertMetrics;
  private readonly log: Logger;
  private readonly targets: Target[];
  private timer?: NodeJS.Timeout;

  constructor(config: DeliveryConfig, metrics: AlertMetrics, log: Logger) {
    this.config = config;
    this.metrics = metrics;
    this.log = log;
    this.targets = config.alertmanagers.map((url) => ({
      url,
      spool: config.spoolDir ? new Spool(config.spoolDir, url) : undefined,
      tail: Promise.resolve(),
      failures: 0,
      retryAt: 0,
    }));
  }

  /** Load the spools and replay them in the background, then every resend interval while running. */
  async start(): Promise<void> {
    for (const target of this.targets) {
      if (!target.spool) continue;
      const { entries, corrupt } = target.spool.load();
      if (corrupt > 0) {
        this.metrics.spoolDropped.inc({ alertmanager: target.url, reason: 'corrupt' }, corrupt);
        this.log.warn('dropped unreadable spool lines', { alertmanager: target.url, lines: corrupt });
        await target.spool.replace(entries);
      }
      this.metrics.spoolDepth.set({ alertmanager: target.url }, target.spool.depth);
      if (target.spool.depth > 0) this.log.info('spool found', { alertmanager: target.url, batches: target.spool.depth });
    }
    if (!this.config.spoolDir) return;
    void this.replay();
    this.timer = setInterval(() => void this.replay(), Math.max(1000, this.config.resendIntervalMs));
    this.timer.unref();
  }

  /** Try to drain every non-empty spool (respecting each Alertmanager's backoff). */
  async replay(): Promise<void> {
    await Promise.all(this.targets.filter((t) => t.spool && t.spool.depth > 0).map((t) => this.serially(t, () => this.drain(t))));
  }

  /**
   * Send to every Alertmanager. Resolves once one of them accepted, or all settled: a slow member of
   * an HA pair does not hold up the sender; its delivery goes on in the background.
   */
  async deliver(alerts: PostableAlert[]): Promise<DeliveryReport> {
    const results: TargetResult[] = this.targets.map((t) => ({ alertmanager: t.url, outcome: 'pending' }));
    await new Promise<void>((resolve) => {
      let left = this.targets.length;
      this.targets.forEach((target, i) => {
        const work = this.serially(target, () => this.deliverTo(target, alerts));
        void work
          .catch((err: unknown): TargetResult => {
            this.log.error('delivery failed', { alertmanager: target.url, err });
            return { alertmanager: target.url, outcome: 'failed', error: (err as Error).message };
          })
          .then((result) => {
            results[i] = result;
            if (result.outcome === 'accepted' || --left === 0) resolve();
          });
      });
    });
    const has = (o: TargetOutcome) => results.some((r) => r.outcome === o);
    const outcome: DeliveryOutcome = has('accepted') ? 'delivered' : has('queued') ? 'queued' : has('failed') ? 'failed' : 'rejected';
    return { outcome, results };
  }

  /** Resolves when no send, drain or queueing is in flight (background deliveries included). */
  async idle(): Promise<void> {
    let tails: unknown[];
    do {
      tails = this.targets.map((t) => t.tail);
      await Promise.all(tails);
    } while (this.targets.some((t, i) => t.tail !== tails[i]));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }

  private serially<T>(target: Target, work: () => Promise<T>): Promise<T> {
    const run = target.tail.then(work, work);
    target.tail = run.catch(() => undefined);
    return run;
  }

  private async deliverTo(target: Target, alerts: PostableAlert[]): Promise<TargetResult> {
    const alertmanager = target.url;
    if (target.spool && target.spool.depth > 0 && !(await this.drain(target))) {
      return this.enqueue(target, alerts, `earlier batches are still queued (${target.lastError ?? 'backing off'})`);
    }
    if (Date.now() < target.retryAt) {
      // Failed moments ago: do not make this sender wait through timeouts again.
      const reason = `backing off after ${target.failures} failure(s): ${target.lastError}`;
      this.metrics.failed.inc({ alertmanager, reason: 'unreachable' }, alerts.length);
      return target.spool ? this.enqueue(target, alerts, reason) : { alertmanager, outcome: 'failed', error: reason };
    }
    try {
      await withRetry(() => this.post(target, alerts), {
        attempts: this.config.sendAttempts,
        baseMs: this.config.retryBaseMs,
        maxMs: this.config.retryMaxMs,
        retryable: (err) => err instanceof AlertmanagerError && err.retryable,
        onRetry: (err, attempt, delayMs) => {
          this.metrics.retries.inc({ alertmanager });
          this.log.debug('retrying Alertmanager', { alertmanager, attempt, delayMs, reason: (err as Error).message });
        },
      });
      target.failures = 0;
      target.retryAt = 0;
      return { alertmanager, outcome: 'accepted' };
    } catch (err) {
      const error = (err as Error).message;
      if (err instanceof AlertmanagerError && !err.retryable) {
        this.metrics.failed.inc({ alertmanager, reason: 'rejected' }, alerts.length);
        this.log.error('Alertmanager rejected alerts', { alertmanager, reason: error, alerts: alerts.length });
        return { alertmanager, outcome: 'rejected', error };
      }
      this.metrics.failed.inc({ alertmanager, reason: 'unreachable' }, alerts.length);
      this.backOff(target, error);
      if (target.spool) return this.enqueue(target, alerts, error);
      this.log.warn('Alertmanager unreachable', { alertmanager, reason: error, alerts: alerts.length });
      return { alertmanager, outcome: 'failed', error };
    }
  }

  private async post(target: Target, batch: PostableAlert[]): Promise<void> {
    const alerts = await this.pruneResolves(target, batch);
    if (alerts.length === 0) return;
    const stop = this.metrics.sendDuration.startTimer({ alertmanager: target.url });
    try {
      await postAlerts(target.url, alerts, this.config.sendTimeoutMs);
    } finally {
      stop();
    }
    const now = Date.now();
    let firing = 0;
    for (const a of alerts) if (Date.parse(a.endsAt) > now) firing++;
    if (firing > 0) this.metrics.sent.inc({ alertmanager: target.url, state: 'firing' }, firing);
    if (alerts.length > firing) this.metrics.sent.inc({ alertmanager: target.url, state: 'resolved' }, alerts.length - firing);
  }

  /** Max retry backoff, doubling per failure, capped at the resend interval: a recovered Alertmanager hears from us within one. */
  private backOff(target: Target, error: string): void {
    target.failures++;
    target.lastError = error;
    target.retryAt = Date.now() + Math.min(this.config.resendIntervalMs, this.config.retryMaxMs * 2 ** (target.failures - 1));
  }

  private async pruneResolves(target: Target, alerts: PostableAlert[]): Promise<PostableAlert[]> {
    if (!this.config.resolveCheck) return alerts;
    let kept: PostableAlert[];
    try {
      kept = await pruneResolves(target.url, alerts, this.config.sendTimeoutMs);
    } catch (err) {
      if (err instanceof AlertmanagerError && !err.retryable) {
        this.log.warn('cannot list alerts; sending every resolve', { alertmanager: target.url, reason: err.message });
        return alerts;
      }
      throw err;
    }
    if (kept.length < alerts.length) this.metrics.resolvesSkipped.inc({ alertmanager: target.url }, alerts.length - kept.length);
    return kept;
  }

  private async enqueue(target: Target, alerts: PostableAlert[], reason: string): Promise<TargetResult> {
    const spool = target.spool!;
    const alertmanager = target.url;
    const now = Date.now();
    try {
      await spool.append({ queuedAt: now, expiresAt: now + 4 * this.config.resendIntervalMs, alerts });
      if (spool.depth > this.config.spoolMaxEntries) {
        const { entries } = spool.load();
        const overflow = entries.length - this.config.spoolMaxEntries;
        await spool.replace(entries.slice(overflow));
        this.metrics.spoolDropped.inc({ alertmanager, reason: 'overflow' }, overflow);
        this.log.warn('spool full: dropped the oldest batches', { alertmanager, dropped: overflow });
      }
    } catch (err) {
      this.log.error('cannot write the spool', { alertmanager, file: spool.file, err });
      return { alertmanager, outcome: 'failed', error: `${reason}; spool write failed: ${(err as Error).message}` };
    } finally {
      this.metrics.spoolDepth.set({ alertmanager }, spool.depth);
    }
    this.metrics.spooled.inc({ alertmanager });
    this.log.warn('alerts queued in the spool', { alertmanager, reason, alerts: alerts.length, depth: spool.depth });
    return { alertmanager, outcome: 'queued', error: reason };
  }

  /** Send the spool oldest first, one attempt per chunk. True when it is empty afterwards. */
  private async drain(target: Target): Promise<boolean> {
    const spool = target.spool!;
    const alertmanager = target.url;
    const now = Date.now();
    if (now < target.retryAt) return false;
    const { entries, corrupt } = spool.load();
    if (corrupt > 0) this.metrics.spoolDropped.inc({ alertmanager, reason: 'corrupt' }, corrupt);
    const live = entries.filter((e) => e.expiresAt > now);
    if (live.length < entries.length) this.metrics.spoolDropped.inc({ alertmanager, reason: 'expired' }, entries.length - live.length);
    let sent = 0;
    let drained = true;
    while (sent < live.length) {
      const end = chunkEnd(live, sent);
      const alerts = live.slice(sent, end).flatMap((e) => e.alerts);
      try {
        await this.post(target, alerts);
      } catch (err) {
        if (err instanceof AlertmanagerError && !err.retryable) {
          this.metrics.spoolDropped.inc({ alertmanager, reason: 'rejected' }, end - sent);
          this.log.error('Alertmanager rejected spooled alerts; dropped', { alertmanager, reason: err.message });
        } else {
          this.backOff(target, (err as Error).message);
          this.log.debug('spool replay failed', { alertmanager, reason: (err as Error).message, queued: live.length - sent });
          drained = false;
          break;
        }
      }
      sent = end;
    }
    if (drained) {
      target.failures = 0;
      target.retryAt = 0;
      if (live.length > 0) this.log.info('spool replayed', { alertmanager, batches: live.length });
    }
    if (sent > 0 || live.length < entries.length || corrupt > 0) await spool.replace(live.slice(sent));
    this.metrics.spoolDepth.set({ alertmanager }, spool.depth);
    return drained;
  }
}

/** End index of the chunk starting at `start`: whole entries, up to DRAIN_CHUNK alerts (at least one entry). */
function chunkEnd(entries: SpoolEntry[], start: number): number {
  let end = start + 1;
  let count = entries[start].alerts.length;
  while (end < entries.length && count + entries[end].alerts.length <= DRAIN_CHUNK) count += entries[end++].alerts.length;
  return end;
}
