// A small Prometheus HTTP API client (docs/querying/api.md): query_range and query as POST forms
// (long PromQL fits), gzip, a timeout per request (also sent as Prometheus' own `timeout`), a few
// retries on transient failures, ranges split under the 11,000-points limit, and every failure as a
// PrometheusError whose message names the server, the call and the reason.
//
//   const prom = createPrometheusClient({ url: 'http://127.0.0.1:9090' });
//   const { series } = await prom.queryRange({ query: 'up', start, end, step: 15_000 });
import type { Labels } from '../contracts/types.ts';
import { PrometheusError, describeFetchFailure } from './errors.ts';
import { parseRangeResponse, type ParsedEnvelope } from './parse-matrix.ts';
import { MAX_RESOLUTION, mergeRangeResults, parseSampleValue, splitRange, type RangeSeries } from './range.ts';

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus:9090 or http://host/prometheus (a path prefix is kept). */
  url: string;
  /** Per HTTP request; default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a transient failure (unreachable, timeout, 5xx, 429); default 2. */
  retries?: number;
  /** First retry delay; doubles each time; default 250 ms. */
  retryBackoffMs?: number;
  /** Points per series per request; default Prometheus' 11,000. */
  maxPointsPerRequest?: number;
  headers?: Record<string, string>;
}

export interface RangeQuery {
  query: string;
  /** Unix ms, inclusive. */
  start: number;
  /** Unix ms, inclusive. */
  end: number;
  /** Resolution, ms. */
  step: number;
  signal?: AbortSignal;
  /**
   * Fetch the range as this many time slices in parallel (default 1). Prometheus evaluates and
   * encodes one query on one core; slices use more, and each step's value is the same either way.
   */
  parallel?: number;
}

export interface RangeResult {
  series: RangeSeries[];
  /** Prometheus' warnings, if any. */
  warnings: string[];
  /** HTTP requests made (sub-ranges and retries). */
  requests: number;
}

export interface InstantSample {
  labels: Labels;
  timestamp: number;
  value: number;
}

export interface PrometheusClient {
  readonly url: string;
  queryRange(query: RangeQuery): Promise<RangeResult>;
  /** Instant query; a scalar comes back as one sample with no labels. */
  query(expr: string, options?: { time?: number; signal?: AbortSignal }): Promise<InstantSample[]>;
  /** Resolves when Prometheus is ready: /-/ready, or a trivial query where /-/ready is not served. */
  ready(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void>;
}

type Envelope = ParsedEnvelope;

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.retryBackoffMs ?? 250;
  const maxPoints = Math.min(options.maxPointsPerRequest ?? MAX_RESOLUTION, MAX_RESOLUTION);
  const what = (call: string, expr: string) => `Prometheus ${base}: ${call} "${expr.length > 200 ? `${expr.slice(0, 200)}…` : expr}"`;

  /** One POST to an /api/v1 endpoint; returns the envelope's data or throws PrometheusError. */
  const post = async (path: string, form: URLSearchParams, label: string, signal?: AbortSignal): Promise<Envelope> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': 'gzip', accept: 'application/json', ...options.headers },
        body: form,
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (err) {
      if (timeout.aborted) throw new PrometheusError('timeout', `${label} timed out after ${timeoutMs} ms`, { cause: err });
      if (signal?.aborted) throw new PrometheusError('timeout', `${label} was cancelled`, { cause: err });
      throw new PrometheusError('unreachable', `Prometheus ${base} is unreachable: ${describeFetchFailure(err)}`, { cause: err });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      if (timeout.aborted) throw new PrometheusError('timeout', `${label} timed out after ${timeoutMs} ms`, { cause: err });
      throw new PrometheusError('unreachable', `${label}: the answer broke off: ${describeFetchFailure(err)}`, { cause: err });
    }
    let envelope: Envelope;
    try {
      envelope = parseRangeResponse(text);
    } catch {
      const kind = response.ok ? 'invalid-response' : 'http';
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      throw new PrometheusError(kind, `${label} failed: HTTP ${response.status}${response.ok ? ' with a body that is not JSON' : ''}: ${snippet || '(empty body)'}`, { status: response.status });
    }
    if (envelope.status === 'error' || !response.ok) {
      const reason = envelope.error ? `${envelope.errorType ?? 'error'}: ${envelope.error}` : `unexpected answer ${text.slice(0, 200)}`;
      throw new PrometheusError('api', `${label} failed: ${reason} (HTTP ${response.status})`, { status: response.status, errorType: envelope.errorType });
    }
    if (envelope.status !== 'success' || envelope.resultType === undefined) {
      throw new PrometheusError('invalid-response', `${label}: not a Prometheus API answer: ${text.slice(0, 200)}`, { status: response.status });
    }
    return envelope;
  };

  /** post() with retries on transient errors; counts requests. */
  const postWithRetry = async (path: string, form: URLSearchParams, label: string, count: { requests: number }, signal?: AbortSignal): Promise<Envelope> => {
    for (let attempt = 0; ; attempt++) {
      count.requests++;
      try {
        return await post(path, form, label, signal);
      } catch (err) {
        if (attempt >= retries || !(err instanceof PrometheusError) || !err.retryable || signal?.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** attempt));
      }
    }
  };

  const seconds = (ms: number) => String(ms / 1000);

  const query = async (expr: string, opts: { time?: number; signal?: AbortSignal } = {}): Promise<InstantSample[]> => {
    const form = new URLSearchParams({ query: expr, timeout: seconds(timeoutMs) });
    if (opts.time !== undefined) form.set('time', seconds(opts.time));
    const envelope = await postWithRetry('/api/v1/query', form, what('query', expr), { requests: 0 }, opts.signal);
    const { resultType } = envelope;
    const result = envelope.other ?? envelope.series;
    if (resultType === 'scalar' || resultType === 'string') {
      const [t, v] = result as [number, string];
      return [{ labels: {}, timestamp: Math.round(t * 1000), value: parseSampleValue(v) }];
    }
    if (resultType === 'vector' && Array.isArray(result)) {
      return (result as { metric: Labels; value?: [number, string] }[])
        .filter((r) => r.value)
        .map((r) => ({ labels: r.metric, timestamp: Math.round(r.value![0] * 1000), value: parseSampleValue(r.value![1]) }));
    }
    throw new PrometheusError('invalid-response', `${what('query', expr)}: unexpected result type ${resultType}`);
  };

  return {
    url: base,
    async queryRange({ query, start, end, step, signal, parallel = 1 }) {
      const label = what('query_range', query);
      const count = { requests: 0 };
      const warnings: string[] = [];
      const points = Math.floor((end - start) / step) + 1;
      const ranges = splitRange(start, end, step, Math.min(maxPoints, Math.ceil(points / Math.max(1, parallel))));
      const parts: RangeSeries[][] = new Array(ranges.length);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < ranges.length) {
          const index = next++;
          const range = ranges[index];
          const form = new URLSearchParams({ query, start: seconds(range.start), end: seconds(range.end), step: seconds(step), timeout: seconds(timeoutMs) });
          const envelope = await postWithRetry('/api/v1/query_range', form, label, count, signal);
          if (envelope.warnings) warnings.push(...envelope.warnings);
          if (envelope.resultType !== 'matrix' || !envelope.series) {
            throw new PrometheusError('invalid-response', `${label}: expected a matrix result, got ${envelope.resultType ?? 'none'}`);
          }
          parts[index] = envelope.series;
        }
      };
      // At most `parallel` requests at once; beyond that one at a time, which bounds our memory.
      await Promise.all(Array.from({ length: Math.min(Math.max(1, parallel), ranges.length) }, lane));
      return { series: mergeRangeResults(parts), warnings, requests: count.requests };
    },

    query,

    async ready(opts = {}) {
      const signal = AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 2000), ...(opts.signal ? [opts.signal] : [])]);
      let response: Response;
      try {
        response = await fetch(`${base}/-/ready`, { signal });
        await response.text();
      } catch (err) {
        if (signal.aborted) throw new PrometheusError('timeout', `Prometheus ${base}: /-/ready did not answer within ${opts.timeoutMs ?? 2000} ms`, { cause: err });
        throw new PrometheusError('unreachable', `Prometheus ${base} is unreachable: ${describeFetchFailure(err)}`, { cause: err });
      }
      if (response.ok) return;
      // Behind a proxy or a Prometheus-compatible server /-/ready may not exist; a trivial query tells.
      if (response.status === 404) {
        await query('1', { signal });
        return;
      }
      throw new PrometheusError('http', `Prometheus ${base} is not ready: HTTP ${response.status} on /-/ready`, { status: response.status });
    },
  };
}
