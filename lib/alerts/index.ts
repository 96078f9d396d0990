// Alert delivery to Prometheus Alertmanager (API v2) with Prometheus' firing/resolve semantics.
export { loadAlertConfig, parseAlertmanagerUrls, parseSeverities, AlertConfigError, ALERT_DEFAULTS } from './config.ts';
export type { AlertConfig, SeverityLevel } from './config.ts';
export { buildAlertLabels, sanitizeLabelName, formatSelector } from './labels.ts';
export { buildAlerts, originOf, severityOf } from './map.ts';
export type { PostableAlert, AlertBatch, AlertOrigin, SeriesChange } from './map.ts';
export { postAlerts, AlertmanagerError } from './alertmanager-client.ts';
export { AlertDelivery } from './delivery.ts';
export type { DeliveryReport, TargetResult } from './delivery.ts';
export { EmbeddedSink, formatAlertLine } from './sink.ts';
export { AlertForwarder } from './forwarder.ts';
export { createAlertMetrics } from './metrics.ts';
