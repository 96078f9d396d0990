// The public, versioned event contracts of DESIGN.md §3. The JSON Schemas in ./schemas are the source
// of truth for the wire format; these types mirror them for TypeScript callers.

export const EVENT_TYPES = {
  window: 'io.deucalion.window.v1',
  anomaly: 'io.deucalion.anomaly.v1',
  ping: 'dev.knative.sources.ping',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** Header the OpenFaaS cron-connector sets on its plain (non-CloudEvent) POST. */
export const CRON_CONNECTOR_HEADER = 'x-connector';
export const CRON_CONNECTOR_VALUE = 'cron-connector';

export type Labels = Record<string, string>;

export interface Expected {
  lower: number;
  upper: number;
}

export interface WindowSeries {
  labels: Labels;
  /** Unix milliseconds, ascending. */
  timestamps: number[];
  /** null on the wire stands for NaN (a missing sample). */
  values: (number | null)[];
}

export interface WindowData {
  federation: string;
  query: string;
  start: number;
  end: number;
  /** Resolution in milliseconds. */
  step: number;
  /** Report only points at or after this time; earlier points warm the detector up. */
  reportFrom?: number;
  params?: Record<string, unknown>;
  series: WindowSeries[];
}

export interface Anomaly {
  detector: string;
  labels: Labels;
  timestamp: number;
  /** null when the sample is missing (an absent series). */
  value: number | null;
  /** ≥ 1 means anomalous. */
  score: number;
  expected?: Expected;
}

export interface Resolved {
  detector: string;
  labels: Labels;
  timestamp: number;
}

export interface AnomalyData {
  federation?: string;
  namespace?: string;
  pod?: string;
  anomalies: Anomaly[];
  resolved?: Resolved[];
}

export interface TriggerQuery {
  expr: string;
  detectors?: string[];
}

/** Optional overrides a PingSource carries for one scrape-trigger run. */
export interface TriggerOverrides {
  federation?: string;
  window?: string;
  step?: string;
  queries?: TriggerQuery[];
}

/** Event source of a pod's dispatcher. */
export function podSource(namespace: string, pod: string): string {
  return `/namespaces/${namespace}/pods/${pod}`;
}

/** Event source of a federation's trigger or detector functions. */
export function federationSource(federation: string): string {
  return `/federations/${federation}`;
}
