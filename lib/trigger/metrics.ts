// The scrape-trigger's own /metrics (served next to the runtime's by the function server).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type TriggerMetrics = ReturnType<typeof createTriggerMetrics>;

export function createTriggerMetrics(registry: Registry = new Registry()) {
  const registers = [registry];
  return {
    registry,
    ticks: new Counter({ name: 'deucalion_trigger_ticks_total', help: 'Cron ticks received, by kind (ping = Knative PingSource, cron = OpenFaaS cron-connector).', labelNames: ['kind'] as const, registers }),
    runs: new Counter({ name: 'deucalion_trigger_runs_total', help: 'Runs by outcome: ok, partial (some part failed), failed, skipped (a run was still in progress).', labelNames: ['status'] as const, registers }),
    runDuration: new Histogram({
      name: 'deucalion_trigger_run_duration_seconds',
      help: 'Time from tick to anomalies forwarded.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    inProgress: new Gauge({ name: 'deucalion_trigger_runs_in_progress', help: 'Runs in progress (at most one per configuration).', registers }),
    series: new Counter({ name: 'deucalion_trigger_series_total', help: 'Series read from Prometheus.', registers }),
    points: new Counter({ name: 'deucalion_trigger_points_total', help: 'Samples read from Prometheus (after placing them on the step grid).', registers }),
    prometheusErrors: new Counter({ name: 'deucalion_trigger_prometheus_errors_total', help: 'Failed range queries by kind (unreachable, timeout, http, api, invalid-response).', labelNames: ['kind'] as const, registers }),
    windows: new Counter({ name: 'deucalion_trigger_windows_total', help: 'Window events sent to detector functions, by detector and outcome (ok, error).', labelNames: ['detector', 'outcome'] as const, registers }),
    detectorRetries: new Counter({ name: 'deucalion_trigger_detector_retries_total', help: 'Retried detector calls (connection refused, 5xx, 429: e.g. a cold start).', labelNames: ['detector'] as const, registers }),
    anomalies: new Counter({ name: 'deucalion_trigger_anomalies_total', help: 'Anomalies the detectors reported.', registers }),
    resolved: new Counter({ name: 'deucalion_trigger_resolved_total', help: 'Series the detectors reported back to normal.', registers }),
    forwarded: new Counter({ name: 'deucalion_trigger_forwarded_total', help: 'Anomalies and resolves the sink accepted.', registers }),
    dropped: new Counter({ name: 'deucalion_trigger_dropped_total', help: 'Anomalies and resolves the sink did not accept after retries (the next run reports them again unless the gap exceeds maxWindow).', registers }),
    lostSeconds: new Counter({ name: 'deucalion_trigger_gap_lost_seconds_total', help: 'Time given up because missed ticks left a gap longer than maxWindow.', registers }),
    lastSuccess: new Gauge({ name: 'deucalion_trigger_last_success_timestamp_seconds', help: 'End of the window of the last fully successful run (Unix seconds).', registers }),
  };
}
