// The sidecar dispatcher (issue 3, docs/dispatcher.md): scrape the pod's own metrics on localhost, run
// SDK detectors online per series, send only anomalies (io.deucalion.anomaly.v1) to the sink.
export { startDispatcher, checkConfig, type DispatcherOptions, type RunningDispatcher } from './dispatcher.ts';
export { loadConfig, ConfigError, DEFAULT_CONFIG_PATH, DEFAULT_HTTP_PORT, type DispatcherConfig, type DetectorConfig } from './config.ts';
export { DetectionEngine } from './engine.ts';
export { Scraper, ScrapeError, SCRAPE_ACCEPT, formatOf } from './scrape.ts';
export { EventSink, retryDelay } from './sink.ts';
export { createDispatcherMetrics, type DispatcherMetrics } from './metrics.ts';
