// io.deucalion.anomaly.v1 CloudEvents, encoded for HTTP by hand. The cloudevents SDK (what
// lib/runtime uses) pulls in ajv and its formats, several MB of RSS the sidecar does not need for one
// fixed event type; the receivers validate with the SDK (tested in test/dispatcher).
import { EVENT_TYPES, type AnomalyData } from '../contracts/types.ts';

export interface OutgoingEvent {
  id: string;
  time: string;
  source: string;
  data: AnomalyData;
  /** Anomalies + resolved entries in it, for counting drops. */
  findings: number;
}

// Ids are unique per source (what the spec asks): process start (base 36) + a sequence number.
const PREFIX = `${Date.now().toString(36)}-${process.pid.toString(36)}-`;
let sequence = 0;

export function createEvent(source: string, data: AnomalyData, now = Date.now()): OutgoingEvent {
  return { id: `${PREFIX}${++sequence}`, time: new Date(now).toISOString(), source, data, findings: data.anomalies.length + (data.resolved?.length ?? 0) };
}

export interface EncodedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Binary mode (ce-* headers, JSON body) by default, as DESIGN.md §3 says; structured on request.
 * `extensions` (validated by lib/sink-binding.ts: never a core attribute, header-safe values) are
 * added as attributes.
 */
export function encodeEvent(event: OutgoingEvent, mode: 'binary' | 'structured', extensions?: Record<string, string>): EncodedRequest {
  if (mode === 'structured') {
    const envelope = { specversion: '1.0', id: event.id, source: event.source, type: EVENT_TYPES.anomaly, time: event.time, ...extensions, datacontenttype: 'application/json', data: event.data };
    return { headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: Buffer.from(JSON.stringify(envelope)) };
  }
  const headers: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-id': event.id,
    'ce-source': event.source,
    'ce-type': EVENT_TYPES.anomaly,
    'ce-time': event.time,
    'content-type': 'application/json',
  };
  for (const name in extensions) headers[`ce-${name}`] = extensions[name];
  return { headers, body: Buffer.from(JSON.stringify(event.data)) };
}
