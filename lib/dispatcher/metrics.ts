// The dispatcher's own /metrics (prom-client, a Registry of its own). Names follow
// deucalion_dispatcher_<what>_<unit>; `promtool check metrics` accepts the exposition (tested).
import type { Counter as CounterT, Gauge as GaugeT, Histogram as HistogramT, Registry as RegistryT } from 'prom-client';
import { Counter, Gauge, Histogram, Registry } from './prom.ts';

export interface DispatcherMetrics {
  registry: RegistryT;
  scrapes: CounterT<'result'>;
  scrapeDuration: HistogramT;
  scrapeBytes: CounterT;
  scrapeBodyBytes: GaugeT;
  targetUp: GaugeT;
  samples: CounterT;
  parseErrors: CounterT;
  cycleDuration: HistogramT;
  series: GaugeT;
  seriesVanished: GaugeT;
  seriesRefused: CounterT;
  anomalies: CounterT<'detector'>;
  resolved: CounterT<'detector'>;
  eventsSent: CounterT;
  bytesSent: CounterT;
  sendFailures: CounterT<'reason'>;
  bufferEvents: GaugeT;
  bufferCapacity: GaugeT;
  droppedEvents: CounterT<'reason'>;
  droppedFindings: CounterT<'reason'>;
  reloads: CounterT<'result'>;
  reloadSuccess: GaugeT;
  reloadTime: GaugeT;
}

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createDispatcherMetrics(): DispatcherMetrics {
  const registry = new Registry();
  const registers = [registry];
  const m: DispatcherMetrics = {
    registry,
    scrapes: new Counter({ name: 'deucalion_dispatcher_scrapes_total', help: 'Scrapes of the target by result (ok, timeout, http_status, body_too_large, content_type, encoding, network).', labelNames: ['result'], registers }),
    scrapeDuration: new Histogram({ name: 'deucalion_dispatcher_scrape_duration_seconds', help: 'Time to fetch and decode the target body.', buckets: DURATION_BUCKETS, registers }),
    scrapeBytes: new Counter({ name: 'deucalion_dispatcher_scrape_received_bytes_total', help: 'Bytes received from the target (as sent, compressed or not).', registers }),
    scrapeBodyBytes: new Gauge({ name: 'deucalion_dispatcher_scrape_body_bytes', help: 'Decoded body size of the last successful scrape.', registers }),
    targetUp: new Gauge({ name: 'deucalion_dispatcher_target_up', help: '1 if the last scrape succeeded, else 0 (like Prometheus up).', registers }),
    samples: new Counter({ name: 'deucalion_dispatcher_samples_total', help: 'Samples parsed from scrapes.', registers }),
    parseErrors: new Counter({ name: 'deucalion_dispatcher_parse_errors_total', help: 'Malformed exposition lines skipped.', registers }),
    cycleDuration: new Histogram({ name: 'deucalion_dispatcher_detect_duration_seconds', help: 'Time to parse a scrape body and run the detectors on it.', buckets: DURATION_BUCKETS, registers }),
    series: new Gauge({ name: 'deucalion_dispatcher_series', help: 'Series tracked (present in the last scrape and matched by a detector).', registers }),
    seriesVanished: new Gauge({ name: 'deucalion_dispatcher_series_vanished', help: 'Series gone from the target, still fed as missing until series.vanishAfter.', registers }),
    seriesRefused: new Counter({ name: 'deucalion_dispatcher_series_refused_total', help: 'New series ignored because series.max series are tracked.', registers }),
    anomalies: new Counter({ name: 'deucalion_dispatcher_anomalies_total', help: 'Anomalous samples found, by detector.', labelNames: ['detector'], registers }),
    resolved: new Counter({ name: 'deucalion_dispatcher_resolved_total', help: 'Series reported back to normal, by detector.', labelNames: ['detector'], registers }),
    eventsSent: new Counter({ name: 'deucalion_dispatcher_events_sent_total', help: 'Anomaly CloudEvents accepted by the sink.', registers }),
    bytesSent: new Counter({ name: 'deucalion_dispatcher_sent_bytes_total', help: 'Body bytes of anomaly CloudEvents accepted by the sink: all the monitoring data that leaves the pod.', registers }),
    sendFailures: new Counter({ name: 'deucalion_dispatcher_send_failures_total', help: 'Failed attempts to send an event to the sink, by reason (network, http_<status>).', labelNames: ['reason'], registers }),
    bufferEvents: new Gauge({ name: 'deucalion_dispatcher_buffer_events', help: 'Anomaly events waiting for the sink.', registers }),
    bufferCapacity: new Gauge({ name: 'deucalion_dispatcher_buffer_capacity_events', help: 'Size of the event buffer (sink.buffer).', registers }),
    droppedEvents: new Counter({ name: 'deucalion_dispatcher_dropped_events_total', help: 'Anomaly events given up on, by reason (buffer_full, rejected, shutdown, no_sink).', labelNames: ['reason'], registers }),
    droppedFindings: new Counter({ name: 'deucalion_dispatcher_dropped_findings_total', help: 'Anomalies and resolved entries in dropped events, by reason.', labelNames: ['reason'], registers }),
    reloads: new Counter({ name: 'deucalion_dispatcher_config_reloads_total', help: 'Config reloads after the file changed, by result (success, failure).', labelNames: ['result'], registers }),
    reloadSuccess: new Gauge({ name: 'deucalion_dispatcher_config_last_reload_successful', help: '1 if the last config load succeeded.', registers }),
    reloadTime: new Gauge({ name: 'deucalion_dispatcher_config_last_reload_success_timestamp_seconds', help: 'Time of the last successful config load.', registers }),
  };
  for (const result of ['ok', 'timeout', 'http_status', 'body_too_large', 'content_type', 'encoding', 'network']) m.scrapes.inc({ result }, 0);
  for (const reason of ['buffer_full', 'rejected', 'shutdown', 'no_sink']) {
    m.droppedEvents.inc({ reason }, 0);
    m.droppedFindings.inc({ reason }, 0);
  }
  for (const result of ['success', 'failure']) m.reloads.inc({ result }, 0);
  registerProcessMetrics(registry);
  return m;
}

/** process_cpu_seconds_total and process_resident_memory_bytes, read on scrape. Not prom-client's
 *  collectDefaultMetrics: that one also starts event-loop-lag and GC observers the sidecar can skip. */
function registerProcessMetrics(registry: RegistryT): void {
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.', registers: [registry] }).set(
    Math.round((Date.now() - process.uptime() * 1000) / 1000),
  );
}
