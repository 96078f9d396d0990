// Prometheus HTTP API client: see ./client.ts.
export { createPrometheusClient } from './client.ts';
export type { PrometheusClient, PrometheusClientOptions, RangeQuery, RangeResult, InstantSample } from './client.ts';
export { PrometheusError } from './errors.ts';
export type { PrometheusErrorKind } from './errors.ts';
export { MAX_RESOLUTION, splitRange, mergeRangeResults, labelsKey, parseSampleValue } from './range.ts';
export type { RangeSeries, TimeRange } from './range.ts';
