// scrape-trigger configuration: the YAML of docs/federated.md (schema: ./config.schema.json), with
// environment fallbacks (FEDERATION, PROMETHEUS_URL, DETECTORS_BASE_URL, K_SINK, and a SinkBinding's
// K_CA_CERTS and K_CE_OVERRIDES). Validated once at
// startup; every error names the file and the field path. Durations become milliseconds here.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { DEFAULT_DETECTOR } from '../detectors/index.ts';
import { parseDuration } from '../duration.ts';
import { eventExtensions, hasPemCertificate } from '../sink-binding.ts';
import schema from './config.schema.json' with { type: 'json' };

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface DetectorTarget {
  /** detector-<name> */
  name: string;
  url: string;
  params?: Record<string, unknown>;
}

export interface QueryConfig {
  expr: string;
  detectors: DetectorTarget[];
}

export interface TriggerConfig {
  federation: string;
  prometheus: { url: string; timeoutMs: number; retries: number; concurrency: number; parallel: number };
  windowMs: number;
  stepMs: number;
  lookbackMs: number;
  maxWindowMs: number;
  warmupMs: number;
  queries: QueryConfig[];
  detectors: {
    baseUrl?: string;
    urls: Record<string, string>;
    timeoutMs: number;
    concurrency: number;
    retry: RetryPolicy;
    maxPointsPerEvent: number;
    maxBytesPerEvent: number;
  };
  sink: {
    url: string;
    timeoutMs: number;
    retry: RetryPolicy;
    maxAnomaliesPerEvent: number;
    /** CloudEvent extension attributes on every event: $K_CE_OVERRIDES, then sink.extensions. */
    extensions?: Record<string, string>;
    /** sink.caCerts or $K_CA_CERTS: PEM CA certificates to trust for an https sink, besides the default ones. */
    caCerts?: string;
  };
}

export const TRIGGER_DEFAULTS = {
  window: '1h',
  step: '15s',
  lookback: '0s',
  prometheus: { timeout: '30s', retries: 2, concurrency: 2, parallel: 2 },
  detectors: {
    timeout: '30s',
    concurrency: 4,
    // 8 tries with equal jitter wait at least ~8.9 s in all: a detector scaled to zero has time to start.
    retry: { attempts: 8, backoff: '250ms', maxBackoff: '5s' },
    maxPointsPerEvent: 200_000,
    // 1 MiB: OpenFaaS queues and many gateways cap bodies near there, and a detector's peak RSS follows it.
    maxBytesPerEvent: 1024 * 1024,
  },
  sink: { timeout: '10s', retry: { attempts: 5, backoff: '250ms', maxBackoff: '5s' }, maxAnomaliesPerEvent: 5000 },
  detector: `detector-${DEFAULT_DETECTOR}`,
} as const;

export class TriggerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TriggerConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateSchema = ajv.compile(schema);

type Raw = Record<string, any>;
type RawRetry = { attempts?: number; backoff?: string | number; maxBackoff?: string | number };

/** Read, validate and resolve the config file (optional when the environment says enough). */
export function loadTriggerConfig(file: string | undefined, env: NodeJS.ProcessEnv): TriggerConfig {
  return resolveTriggerConfig(file ? readConfigFile(file) : {}, env, file ?? 'config');
}

export function readConfigFile(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TriggerConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (err) {
    throw new TriggerConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new TriggerConfigError(`${file}: expected a mapping of settings`);
  return parsed as Raw;
}

/** Validate a parsed config (plus environment fallbacks) and resolve it; `where` prefixes errors. */
export function resolveTriggerConfig(raw: Raw, env: NodeJS.ProcessEnv, where = 'config'): TriggerConfig {
  if (!validateSchema(raw)) throw new TriggerConfigError(`${where}: ${describeSchemaError(validateSchema.errors)}`);
  const fail = (path: string, message: string): never => {
    throw new TriggerConfigError(`${where}: ${path}: ${message}`);
  };
  const duration = (path: string, value: string | number | undefined, fallback: string): number => {
    try {
      return parseDuration(value ?? fallback);
    } catch (err) {
      return fail(path, (err as Error).message);
    }
  };
  const retry = (path: string, r: RawRetry | undefined, d: { attempts: number; backoff: string; maxBackoff: string }): RetryPolicy => {
    const policy = {
      attempts: r?.attempts ?? d.attempts,
      backoffMs: duration(`${path}.backoff`, r?.backoff, d.backoff),
      maxBackoffMs: duration(`${path}.maxBackoff`, r?.maxBackoff, d.maxBackoff),
    };
    if (policy.maxBackoffMs < policy.backoffMs) fail(`${path}.maxBackoff`, `must be at least backoff (${policy.backoffMs} ms)`);
    return policy;
  };

  const federation = raw.federation ?? nonEmpty(env.FEDERATION) ?? fail('federation', 'required (or set $FEDERATION)');
  const promUrl = raw.prometheus?.url ?? nonEmpty(env.PROMETHEUS_URL) ?? fail('prometheus.url', 'required (or set $PROMETHEUS_URL)');
  if (!/^https?:\/\//.test(promUrl)) fail('prometheus.url', `must be an http(s) URL, got "${promUrl}"`);
  const sinkUrl = raw.sink?.url ?? nonEmpty(env.K_SINK) ?? fail('sink.url', 'required (or set $K_SINK, as a Knative SinkBinding does)');
  if (!/^https?:\/\//.test(sinkUrl)) fail('sink.url', `must be an http(s) URL, got "${sinkUrl}"`);
  const caCerts = nonEmpty(raw.sink?.caCerts) ?? nonEmpty(env.K_CA_CERTS);
  if (caCerts !== undefined && !hasPemCertificate(caCerts)) fail(nonEmpty(raw.sink?.caCerts) ? 'sink.caCerts' : 'sink.caCerts (from K_CA_CERTS)', 'holds no PEM certificate');
  let extensions: Record<string, string> | undefined;
  try {
    extensions = eventExtensions(env.K_CE_OVERRIDES, raw.sink?.extensions);
  } catch (err) {
    throw new TriggerConfigError(`${where}: ${(err as Error).message}`);
  }
  if (!raw.queries) fail('queries', 'required: at least one {expr, detectors}');

  const stepMs = duration('step', raw.step, TRIGGER_DEFAULTS.step);
  const windowMs = duration('window', raw.window, TRIGGER_DEFAULTS.window);
  checkWindow(stepMs, windowMs, (path, message) => fail(path, message));
  const maxWindowMs = duration('maxWindow', raw.maxWindow, `${(4 * windowMs) / 1000}s`);
  if (maxWindowMs < windowMs) fail('maxWindow', `must be at least window (${windowMs} ms)`);
  const warmupMs = duration('warmup', raw.warmup, `${Math.floor(windowMs / 2) / 1000}s`);
  if (warmupMs >= maxWindowMs) fail('warmup', `must be below maxWindow (${maxWindowMs} ms)`);
  const lookbackMs = duration('lookback', raw.lookback, TRIGGER_DEFAULTS.lookback);

  const d = TRIGGER_DEFAULTS.detectors;
  const detectors = {
    baseUrl: raw.detectors?.baseUrl ?? nonEmpty(env.DETECTORS_BASE_URL),
    urls: (raw.detectors?.urls ?? {}) as Record<string, string>,
    timeoutMs: duration('detectors.timeout', raw.detectors?.timeout, d.timeout),
    concurrency: raw.detectors?.concurrency ?? d.concurrency,
    retry: retry('detectors.retry', raw.detectors?.retry, d.retry),
    maxPointsPerEvent: raw.detectors?.maxPointsPerEvent ?? d.maxPointsPerEvent,
    maxBytesPerEvent: raw.detectors?.maxBytesPerEvent ?? d.maxBytesPerEvent,
  };
  if (detectors.baseUrl !== undefined && !/^https?:\/\//.test(detectors.baseUrl)) fail('detectors.baseUrl', `must be an http(s) URL, got "${detectors.baseUrl}"`);
  const s = TRIGGER_DEFAULTS.sink;
  const p = TRIGGER_DEFAULTS.prometheus;
  const config: TriggerConfig = {
    federation,
    prometheus: {
      url: promUrl,
      timeoutMs: duration('prometheus.timeout', raw.prometheus?.timeout, p.timeout),
      retries: raw.prometheus?.retries ?? p.retries,
      concurrency: raw.prometheus?.concurrency ?? p.concurrency,
      parallel: raw.prometheus?.parallel ?? p.parallel,
    },
    windowMs,
    stepMs,
    lookbackMs,
    maxWindowMs,
    warmupMs,
    queries: [],
    detectors,
    sink: {
      url: sinkUrl,
      timeoutMs: duration('sink.timeout', raw.sink?.timeout, s.timeout),
      retry: retry('sink.retry', raw.sink?.retry, s.retry),
      maxAnomaliesPerEvent: raw.sink?.maxAnomaliesPerEvent ?? s.maxAnomaliesPerEvent,
      ...(extensions ? { extensions } : {}),
      ...(caCerts !== undefined ? { caCerts } : {}),
    },
  };
  config.queries = resolveQueries(raw.queries, config, 'queries', (path, message) => fail(path, message));
  return config;
}

type RawQuery = { expr: string; detectors?: (string | { name: string; params?: Record<string, unknown> })[] };

/** Queries with each detector's URL; `fail(path, message)` reports a detector nobody can reach. */
export function resolveQueries(raw: RawQuery[], config: Pick<TriggerConfig, 'detectors'>, path: string, fail: (path: string, message: string) => never): QueryConfig[] {
  return raw.map((q, i) => ({
    expr: q.expr,
    detectors: (q.detectors ?? [TRIGGER_DEFAULTS.detector]).map((entry, j) => {
      const name = typeof entry === 'string' ? entry : entry.name;
      const url = detectorUrl(config.detectors, name);
      if (!url) fail(`${path}[${i}].detectors[${j}]`, `no URL for ${name}: set detectors.urls.${name} or detectors.baseUrl (or $DETECTORS_BASE_URL)`);
      const target: DetectorTarget = { name, url: url! };
      if (typeof entry !== 'string' && entry.params) target.params = entry.params;
      return target;
    }),
  }));
}

/** Knative: urls[name]; OpenFaaS: baseUrl + name (a slash is added if missing). */
export function detectorUrl(detectors: { baseUrl?: string; urls: Record<string, string> }, name: string): string | undefined {
  const own = detectors.urls[name];
  if (own) return own;
  if (!detectors.baseUrl) return undefined;
  return `${detectors.baseUrl.endsWith('/') ? detectors.baseUrl : `${detectors.baseUrl}/`}${name}`;
}

/** Rules between window and step that a schema cannot say. */
export function checkWindow(stepMs: number, windowMs: number, fail: (path: string, message: string) => void): void {
  if (stepMs <= 0) fail('step', 'must be positive');
  if (windowMs < stepMs) fail('window', `must be at least one step (${stepMs} ms)`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The most specific schema violation, as "path: what was expected". */
function describeSchemaError(errors: ErrorObject[] | null | undefined): string {
  const list = (errors ?? []).filter((e) => e.keyword !== 'anyOf');
  const first = list.sort((a, b) => depth(b) - depth(a))[0];
  if (!first) return 'invalid';
  const path = fieldPath(first.instancePath) || '(top level)';
  if (first.keyword === 'additionalProperties') {
    return `${path === '(top level)' ? '' : `${path}: `}unknown setting "${(first.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (first.keyword === 'required') return `${path}: missing "${(first.params as { missingProperty: string }).missingProperty}"`;
  return `${path}: ${first.message ?? 'is invalid'}`;
}

function depth(e: ErrorObject): number {
  return e.instancePath.split('/').length + (e.keyword === 'type' ? 0 : 0.5);
}

/** /queries/0/detectors/1 → queries[0].detectors[1] */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}
