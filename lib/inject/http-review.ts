// The webhook's request and bookkeeping halves, kept out of the HTTPS entry: read an
// AdmissionReview body (415/413/400 as HttpError), and count and log one answered admission.
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log.ts';
import { HttpError } from '../runtime/http-error.ts';
import { readBody } from '../runtime/read-body.ts';
import type { AdmitResult } from './admit.ts';
import type { FailurePolicy } from './config.ts';
import type { InjectorMetrics } from './metrics.ts';

/** The API server sends at most a few MB per object; Istio caps at 6 MiB. */
export const BODY_LIMIT = 6 * 1024 * 1024;

export async function readReviewBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, `expected Content-Type application/json, got "${type}"`);
  }
  const text = await readBody(req, limit);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `request body is not JSON: ${(err as Error).message}`);
  }
}

/** Metrics and one JSON log line per admission; the patch itself only at debug. */
export function recordAdmission(result: AdmitResult, seconds: number, metrics: InjectorMetrics, log: Logger, failurePolicy: FailurePolicy): void {
  const { outcome } = result;
  metrics.requests.inc({ dry_run: String(result.dryRun) });
  metrics.latency.observe({ outcome: outcome.kind }, seconds);
  for (const err of result.lookupErrors) {
    metrics.errors.inc({ stage: 'lookup' });
    log.warn('API lookup failed; deciding from the pod alone', { err });
  }
  const fields = { uid: result.review.response?.uid, namespace: result.namespace, pod: result.pod, dryRun: result.dryRun, ms: Math.round(seconds * 1e5) / 100 };
  if (outcome.kind === 'injected') {
    if (!result.dryRun) metrics.injections.inc({ mode: outcome.mode });
    log.info('injected', { ...fields, mode: outcome.mode });
    log.debug('patch', { ...fields, patch: outcome.ops });
  } else if (outcome.kind === 'skipped') {
    for (const reason of outcome.reasons) metrics.skips.inc({ reason });
    log.info('skipped', { ...fields, reasons: outcome.reasons, reason: outcome.message });
  } else {
    metrics.errors.inc({ stage: 'internal' });
    log.error('injection failed', { ...fields, failurePolicy, reason: outcome.message });
  }
}
