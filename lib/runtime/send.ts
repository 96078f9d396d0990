// Sending CloudEvents with fetch: a timeout, status checks, and the reply event parsed. The SDK's own
// httpTransport has neither a timeout nor status checks, so it is not used.
import { encodeCloudEvent, isCloudEventRequest, parseCloudEvent, type AnyCloudEvent } from './cloudevent.ts';

export interface SendOptions {
  mode?: 'binary' | 'structured';
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SendResult {
  status: number;
  /** The reply event, when the receiver answered with one. */
  reply?: AnyCloudEvent;
  /** Raw reply body when it was not an event (e.g. a 400's reason). */
  body: string;
  bytesSent: number;
}

export class SendError extends Error {
  readonly status?: number;
  readonly body?: string;
  constructor(message: string, status?: number, body?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SendError';
    this.status = status;
    this.body = body;
  }
  /** 4xx other than 408/429 will not get better by retrying. */
  get retryable(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** POST one event. Resolves for 2xx; throws SendError otherwise (with status and body). */
export async function sendCloudEvent(url: string, event: AnyCloudEvent, options: SendOptions = {}): Promise<SendResult> {
  const { headers, body } = encodeCloudEvent(event, options.mode);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { ...headers, ...options.headers }, body, signal });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${options.timeoutMs ?? 10_000} ms` : describeFetchError(err);
    throw new SendError(`sending ${event.type} to ${url} failed: ${reason}`, undefined, undefined, { cause: err });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new SendError(`sending ${event.type} to ${url} failed: HTTP ${response.status} ${text.slice(0, 500)}`, response.status, text);
  }
  const replyHeaders: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    replyHeaders[key] = value;
  });
  const reply = response.status !== 204 && isCloudEventRequest(replyHeaders) ? parseCloudEvent(replyHeaders, text) : undefined;
  return { status: response.status, reply, body: text, bytesSent: Buffer.byteLength(body) };
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  signal?: AbortSignal;
  /** Return false to stop retrying this error. */
  retryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Exponential backoff with full jitter (delay uniform in [0, min(max, base·2^n)]). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      const last = attempt + 1 >= options.attempts;
      if (last || options.signal?.aborted || (options.retryable && !options.retryable(err))) throw err;
      const delay = backoffDelay(attempt, options.baseMs, options.maxMs);
      options.onRetry?.(err, attempt + 1, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
