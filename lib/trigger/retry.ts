// Retrying calls to functions that may be scaled to zero. Unlike the runtime's full-jitter
// withRetry (delay anywhere in [0, cap]), equal jitter (delay in [cap/2, cap]) gives a guaranteed
// minimum total wait, so "8 attempts" reliably outlasts a detector's cold start of a few seconds.
import { SendError } from '../runtime/send.ts';
import type { RetryPolicy } from './config.ts';

export function equalJitterDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** attempt);
  return Math.floor(cap / 2 + (random() * cap) / 2);
}

/** Least total wait `policy` guarantees before giving up (what a cold start can take). */
export function minimumPatienceMs(policy: RetryPolicy): number {
  let total = 0;
  for (let attempt = 0; attempt < policy.attempts - 1; attempt++) total += Math.floor(Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** attempt) / 2);
  return total;
}

/** Connection refused or reset, timeouts, 5xx, 408 and 429: a function still starting or overloaded. */
export function isTransient(err: unknown): boolean {
  return err instanceof SendError && err.retryable;
}

export async function retrying<T>(
  work: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: { signal?: AbortSignal; onRetry?: (err: unknown, attempt: number, delayMs: number) => void; random?: () => number } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (attempt + 1 >= policy.attempts || !isTransient(err) || hooks.signal?.aborted) throw err;
      const delay = equalJitterDelay(attempt, policy, hooks.random);
      hooks.onRetry?.(err, attempt + 1, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
