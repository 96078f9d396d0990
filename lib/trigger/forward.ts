// A run's findings to the sink: all detectors' anomalies and resolves merged into as few
// io.deucalion.anomaly.v1 events as the per-event cap allows, source /federations/<id>, each sent with
// retries. What the sink never accepts is counted as dropped, never lost silently.
import { CloudEvent } from 'cloudevents';
import { EVENT_TYPES, federationSource, type Anomaly, type AnomalyData, type Resolved } from '../contracts/types.ts';
import { sendCloudEvent } from '../runtime/send.ts';
import { describeCallError } from './call-detector.ts';
import type { RetryPolicy } from './config.ts';
import { retrying } from './retry.ts';

export interface SinkSettings {
  url: string;
  timeoutMs: number;
  retry: RetryPolicy;
  maxAnomaliesPerEvent: number;
  /** Extension attributes on every event (validated by lib/sink-binding.ts). */
  extensions?: Record<string, string>;
}

export interface ForwardOutcome {
  events: number;
  /** Anomalies and resolves the sink accepted. */
  forwarded: number;
  dropped: number;
  retries: number;
  errors: string[];
}

/** Split findings into event payloads of at most `max` entries (anomalies first, then resolves). */
export function buildSinkPayloads(federation: string, anomalies: Anomaly[], resolved: Resolved[], max: number): AnomalyData[] {
  const payloads: AnomalyData[] = [];
  for (let i = 0; i < anomalies.length; i += max) payloads.push({ federation, anomalies: anomalies.slice(i, i + max) });
  const room = payloads.length > 0 ? max - payloads[payloads.length - 1].anomalies.length : 0;
  let next = 0;
  if (room > 0 && resolved.length > 0) {
    payloads[payloads.length - 1].resolved = resolved.slice(0, room);
    next = room;
  }
  for (; next < resolved.length; next += max) payloads.push({ federation, anomalies: [], resolved: resolved.slice(next, next + max) });
  return payloads;
}

export async function forwardFindings(
  sink: SinkSettings,
  federation: string,
  anomalies: Anomaly[],
  resolved: Resolved[],
  hooks: { signal?: AbortSignal; onRetry?: (err: unknown, attempt: number, delayMs: number) => void } = {},
): Promise<ForwardOutcome> {
  const outcome: ForwardOutcome = { events: 0, forwarded: 0, dropped: 0, retries: 0, errors: [] };
  for (const data of buildSinkPayloads(federation, anomalies, resolved, sink.maxAnomaliesPerEvent)) {
    const size = data.anomalies.length + (data.resolved?.length ?? 0);
    const event = new CloudEvent<AnomalyData>({
      ...sink.extensions,
      type: EVENT_TYPES.anomaly,
      source: federationSource(federation),
      subject: 'scrape-trigger',
      datacontenttype: 'application/json',
      data,
    });
    try {
      await retrying(() => sendCloudEvent(sink.url, event, { timeoutMs: sink.timeoutMs, signal: hooks.signal }), sink.retry, {
        signal: hooks.signal,
        onRetry: (err, attempt, delay) => {
          outcome.retries++;
          hooks.onRetry?.(err, attempt, delay);
        },
      });
      outcome.events++;
      outcome.forwarded += size;
    } catch (err) {
      outcome.dropped += size;
      outcome.errors.push(`sink ${sink.url}: ${describeCallError(err)}`);
    }
  }
  return outcome;
}
