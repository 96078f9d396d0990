// The alert-forwarder's own metrics, registered on a Registry the caller owns.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type EventOutcome = 'delivered' | 'queued' | 'failed' | 'rejected' | 'invalid' | 'empty';

export interface AlertMetrics {
  registry: Registry;
  events: Counter<'outcome'>;
  sent: Counter<'alertmanager' | 'state'>;
  failed: Counter<'alertmanager' | 'reason'>;
  retries: Counter<'alertmanager'>;
  resolvesSkipped: Counter<'alertmanager'>;
  series: Counter<'state'>;
  belowThreshold: Counter;
  spoolDepth: Gauge<'alertmanager'>;
  spooled: Counter<'alertmanager'>;
  spoolDropped: Counter<'alertmanager' | 'reason'>;
  sendDuration: Histogram<'alertmanager'>;
}

const P = 'deucalion_alert_forwarder_';

export function createAlertMetrics(registry: Registry = new Registry()): AlertMetrics {
  const registers = [registry];
  return {
    registry,
    events: new Counter({ name: `${P}events_total`, help: 'Anomaly events by outcome.', labelNames: ['outcome'], registers }),
    sent: new Counter({
      name: `${P}alerts_sent_total`,
      help: 'Alerts accepted by each Alertmanager (or written by the embedded sink), by state.',
      labelNames: ['alertmanager', 'state'],
      registers,
    }),
    failed: new Counter({
      name: `${P}alerts_failed_total`,
      help: 'Alerts an Alertmanager did not accept after retries (unreachable) or refused (rejected).',
      labelNames: ['alertmanager', 'reason'],
      registers,
    }),
    retries: new Counter({ name: `${P}retries_total`, help: 'Retried POSTs to each Alertmanager.', labelNames: ['alertmanager'], registers }),
    resolvesSkipped: new Counter({
      name: `${P}resolves_skipped_total`,
      help: 'Resolves not sent because the Alertmanager held no unresolved alert with those labels.',
      labelNames: ['alertmanager'],
      registers,
    }),
    series: new Counter({
      name: `${P}series_total`,
      help: 'Series alerts per event by state: firing, or resolved (reported normal or below every threshold).',
      labelNames: ['state'],
      registers,
    }),
    belowThreshold: new Counter({ name: `${P}below_threshold_total`, help: 'Series whose latest score was below every severity threshold.', registers }),
    spoolDepth: new Gauge({ name: `${P}spool_depth`, help: 'Batches queued in the spool per Alertmanager.', labelNames: ['alertmanager'], registers }),
    spooled: new Counter({ name: `${P}spooled_total`, help: 'Batches queued in the spool per Alertmanager.', labelNames: ['alertmanager'], registers }),
    spoolDropped: new Counter({
      name: `${P}spool_dropped_total`,
      help: 'Spooled batches dropped: expired (past the alert lifetime), overflow, rejected by Alertmanager, corrupt.',
      labelNames: ['alertmanager', 'reason'],
      registers,
    }),
    sendDuration: new Histogram({
      name: `${P}send_duration_seconds`,
      help: 'Time of one POST to an Alertmanager.',
      labelNames: ['alertmanager'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      registers,
    }),
  };
}
