// One error type for everything that can go wrong talking to Prometheus, with a sentence that says
// which server, which call and why: unreachable, timed out, an HTTP error without an API envelope
// (a proxy's 502 page), or Prometheus' own error envelope ({status: "error", errorType, error}).

export type PrometheusErrorKind = 'unreachable' | 'timeout' | 'http' | 'api' | 'invalid-response';

export class PrometheusError extends Error {
  readonly kind: PrometheusErrorKind;
  /** HTTP status, when an answer arrived. */
  readonly status?: number;
  /** Prometheus' errorType (bad_data, execution, timeout, canceled, internal, unavailable, not_found). */
  readonly errorType?: string;
  constructor(kind: PrometheusErrorKind, message: string, details: { status?: number; errorType?: string; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.name = 'PrometheusError';
    this.kind = kind;
    this.status = details.status;
    this.errorType = details.errorType;
  }

  /** Worth another try: the server or the network, not the query. */
  get retryable(): boolean {
    if (this.kind === 'unreachable' || this.kind === 'timeout') return true;
    if (this.errorType === 'timeout' || this.errorType === 'unavailable' || this.errorType === 'canceled') return true;
    return this.status !== undefined && (this.status >= 500 || this.status === 429) && this.errorType !== 'execution';
  }
}

/** Short reason for a failed fetch (ECONNREFUSED rather than "fetch failed"). */
export function describeFetchFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.message && !cause.message.includes(cause.code) ? `${cause.code} (${cause.message})` : cause.code;
  return cause?.message ?? (err as Error).message;
}
