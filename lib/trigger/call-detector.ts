// One window event to one detector function: a timeout per attempt long enough for a cold start,
// retries on connection refused / 5xx / 429 (a detector scaled to zero that starts on demand is
// waited for), and the reply checked: an io.deucalion.anomaly.v1 event, or 204 for nothing.
import type { AnomalyData } from '../contracts/types.ts';
import { EVENT_TYPES } from '../contracts/types.ts';
import { validateAnomalies } from '../contracts/validate.ts';
import { eventData, type AnyCloudEvent } from '../runtime/cloudevent.ts';
import { HttpError } from '../runtime/http-error.ts';
import { SendError, sendCloudEvent } from '../runtime/send.ts';
import type { RetryPolicy } from './config.ts';
import { retrying } from './retry.ts';

export interface DetectorCallOptions {
  timeoutMs: number;
  retry: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export interface DetectorCallResult {
  /** The detector's findings; undefined for 204. */
  data?: AnomalyData;
  attempts: number;
  bytesSent: number;
}

export class DetectorReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectorReplyError';
  }
}

export async function callDetector(url: string, event: AnyCloudEvent, options: DetectorCallOptions): Promise<DetectorCallResult> {
  let attempts = 0;
  const result = await retrying(
    () => {
      attempts++;
      return sendCloudEvent(url, event, { timeoutMs: options.timeoutMs, signal: options.signal });
    },
    options.retry,
    { signal: options.signal, onRetry: options.onRetry },
  );
  if (result.status === 204) return { attempts, bytesSent: result.bytesSent };
  const reply = result.reply;
  if (!reply) throw new DetectorReplyError(`${url} answered HTTP ${result.status} without a CloudEvent: ${result.body.slice(0, 200)}`);
  if (reply.type !== EVENT_TYPES.anomaly) throw new DetectorReplyError(`${url} answered with a ${reply.type} event, expected ${EVENT_TYPES.anomaly}`);
  try {
    return { data: validateAnomalies(eventData(reply)), attempts, bytesSent: result.bytesSent };
  } catch (err) {
    throw new DetectorReplyError(`${url} answered with an invalid anomaly event: ${err instanceof HttpError ? err.message : String(err)}`);
  }
}

/** A short reason for the run report: the status and the detector's own 4xx reason if it gave one. */
export function describeCallError(err: unknown): string {
  if (err instanceof SendError && err.status !== undefined && err.body) {
    try {
      const reason = (JSON.parse(err.body) as { error?: string }).error;
      if (reason) return `HTTP ${err.status}: ${reason}`;
    } catch {
      // not our runtime's JSON error body
    }
  }
  return err instanceof Error ? err.message : String(err);
}
