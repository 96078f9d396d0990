// POST /api/v2/alerts to one Alertmanager. Plain fetch with a timeout: the API is one call, and a
// generated OpenAPI client would add weight to a function that cold-starts.
import type { PostableAlert } from './map.ts';

export class AlertmanagerError extends Error {
  readonly status?: number;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlertmanagerError';
    this.status = status;
  }
  /** Network errors, timeouts, 5xx, 408 and 429 may pass on a retry; other 4xx (invalid alerts) will not. */
  get retryable(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export function alertsEndpoint(baseUrl: string): string {
  return `${baseUrl}/api/v2/alerts`;
}

/** Resolves when Alertmanager answered 2xx; throws AlertmanagerError otherwise. */
export async function postAlerts(baseUrl: string, alerts: PostableAlert[], timeoutMs: number): Promise<void> {
  const url = alertsEndpoint(baseUrl);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : describeFetchError(err);
    throw new AlertmanagerError(`POST ${url}: ${reason}`, undefined, { cause: err });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new AlertmanagerError(`POST ${url}: HTTP ${response.status} ${text.trim().slice(0, 300)}`, response.status);
}

/**
 * Label sets of the alerts Alertmanager holds as not yet resolved (active, silenced, inhibited or
 * unprocessed) among those matching every `equal` label, as sorted-JSON keys (see labelKey).
 */
export async function fetchActiveLabelSets(baseUrl: string, equal: Record<string, string>, timeoutMs: number): Promise<Set<string>> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(equal)) query.append('filter', `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  const endpoint = alertsEndpoint(baseUrl);
  let response: Response;
  try {
    response = await fetch(`${endpoint}?${query}`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : describeFetchError(err);
    throw new AlertmanagerError(`GET ${endpoint}: ${reason}`, undefined, { cause: err });
  }
  if (!response.ok) throw new AlertmanagerError(`GET ${endpoint}: HTTP ${response.status}`, response.status);
  const alerts = (await response.json()) as { labels: Record<string, string> }[];
  return new Set(alerts.map((a) => labelKey(a.labels)));
}

/** A label set as a string key, independent of key order. */
export function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
