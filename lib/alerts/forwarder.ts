// The alert-forwarder's behaviour, apart from HTTP: one anomaly event in, its alerts delivered to
// every Alertmanager (or the embedded sink), and an answer for the sender: return normally only when
// the alerts were accepted or durably queued; otherwise throw 503 so the sender (which buffers and
// retries) sends the event again, 400 for a bad event, 422 when every Alertmanager refused them.
import { Registry } from 'prom-client';
import { EVENT_TYPES } from '../contracts/types.ts';
import { validateAnomalies } from '../contracts/validate.ts';
import type { Logger } from '../log.ts';
import { eventData, type AnyCloudEvent } from '../runtime/cloudevent.ts';
import { HttpError } from '../runtime/http-error.ts';
import type { AlertConfig } from './config.ts';
import { AlertDelivery, type DeliveryReport } from './delivery.ts';
import { buildAlerts, originOf, type AlertBatch } from './map.ts';
import { createAlertMetrics, type AlertMetrics } from './metrics.ts';
import { EmbeddedSink } from './sink.ts';

export interface ForwarderOptions {
  log: Logger;
  registry?: Registry;
  /** Where the embedded sink prints its readable lines (default stdout). */
  print?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ForwardResult {
  batch: AlertBatch;
  report?: DeliveryReport;
}

export class AlertForwarder {
  readonly metrics: AlertMetrics;
  readonly sink?: EmbeddedSink;
  private readonly config: AlertConfig;
  private readonly delivery?: AlertDelivery;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(config: AlertConfig, options: ForwarderOptions) {
    this.config = config;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.metrics = createAlertMetrics(options.registry ?? new Registry());
    if (config.alertmanagers.length > 0) this.delivery = new AlertDelivery(config, this.metrics, options.log);
    else this.sink = new EmbeddedSink(config.logFile, options.print);
  }

  async start(): Promise<void> {
    await this.delivery?.start();
    const where = this.delivery ? { alertmanagers: this.config.alertmanagers, spoolDir: this.config.spoolDir ?? null } : { sinkFile: this.config.logFile };
    this.log.info('alert-forwarder ready', { ...where, alertName: this.config.alertName, resendIntervalMs: this.config.resendIntervalMs });
  }

  async close(): Promise<void> {
    await this.delivery?.close();
  }

  /** Replay the spools now (also runs on start, on each event, and every resend interval). */
  replay(): Promise<void> {
    return this.delivery?.replay() ?? Promise.resolve();
  }

  async forward(event: AnyCloudEvent | undefined): Promise<ForwardResult> {
    let batch: AlertBatch;
    try {
      if (!event) throw new HttpError(400, `alert-forwarder expects a CloudEvent of type ${EVENT_TYPES.anomaly}`);
      if (event.type !== EVENT_TYPES.anomaly) throw new HttpError(400, `alert-forwarder expects events of type ${EVENT_TYPES.anomaly}, got ${event.type}`);
      const data = validateAnomalies(eventData(event));
      batch = buildAlerts(data, originOf(event.source, data), this.config, this.now());
    } catch (err) {
      if (err instanceof HttpError) this.metrics.events.inc({ outcome: 'invalid' });
      throw err;
    }
    if (batch.firing > 0) this.metrics.series.inc({ state: 'firing' }, batch.firing);
    if (batch.resolved > 0) this.metrics.series.inc({ state: 'resolved' }, batch.resolved);
    if (batch.belowThreshold > 0) this.metrics.belowThreshold.inc(batch.belowThreshold);
    if (batch.alerts.length === 0) {
      this.metrics.events.inc({ outcome: 'empty' });
      return { batch };
    }
    const fields = { source: event.source, id: event.id, firing: batch.firing, resolved: batch.resolved };
    if (this.sink) return this.writeSink(batch, fields);

    const report = await this.delivery!.deliver(batch.alerts);
    this.metrics.events.inc({ outcome: report.outcome });
    this.log.info('alerts forwarded', { ...fields, alerts: batch.alerts.length, outcome: report.outcome, results: report.results });
    const reasons = report.results.map((r) => `${r.alertmanager}: ${r.error}`).join('; ');
    if (report.outcome === 'failed') throw new HttpError(503, `no Alertmanager accepted the alerts and none were queued: ${reasons}`);
    if (report.outcome === 'rejected') throw new HttpError(422, `every Alertmanager rejected the alerts: ${reasons}`);
    return { batch, report };
  }

  private async writeSink(batch: AlertBatch, fields: Record<string, unknown>): Promise<ForwardResult> {
    try {
      await this.sink!.write(batch.changes);
    } catch (err) {
      this.metrics.events.inc({ outcome: 'failed' });
      this.metrics.failed.inc({ alertmanager: 'embedded', reason: 'unreachable' }, batch.changes.length);
      this.log.error('cannot write the alert file', { ...fields, file: this.config.logFile, err });
      throw new HttpError(503, `cannot write the alert file ${this.config.logFile}: ${(err as Error).message}`);
    }
    for (const c of batch.changes) this.metrics.sent.inc({ alertmanager: 'embedded', state: c.state });
    this.metrics.events.inc({ outcome: 'delivered' });
    this.log.info('alerts written', { ...fields, file: this.config.logFile });
    return { batch };
  }
}
