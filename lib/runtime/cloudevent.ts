// CloudEvents over HTTP, both modes, via the cloudevents SDK. The SDK neither validates parsed events
// nor accepts every spelling of content-type, so both are handled here, once.
import { CloudEvent, HTTP, ValidationError } from 'cloudevents';
import { HttpError } from './http-error.ts';

export { CloudEvent };
export type AnyCloudEvent = CloudEvent<unknown>;
export type HeaderMap = Record<string, string | string[] | undefined>;

/** Does this request carry a CloudEvent (binary `ce-*` headers, or a structured content-type)? */
export function isCloudEventRequest(headers: HeaderMap): boolean {
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  return headers['ce-id'] !== undefined || headers['ce-specversion'] !== undefined || contentType.startsWith('application/cloudevents');
}

function normalizeContentType(value: string): string {
  const lower = value.toLowerCase().replace(/\s+/g, '');
  const [mime, ...params] = lower.split(';');
  const charset = params.find((p) => p.startsWith('charset='));
  // The SDK matches exact strings; map every JSON spelling onto the two it knows.
  if (mime === 'application/json' || mime === 'application/cloudevents+json' || mime === 'application/cloudevents-batch+json') {
    return charset ? `${mime}; charset=utf-8` : mime;
  }
  return value;
}

/** Parse one HTTP request into a validated CloudEvent; throws HttpError(400) with the reason. */
export function parseCloudEvent(headers: HeaderMap, body: string): AnyCloudEvent {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (flat['content-type']) flat['content-type'] = normalizeContentType(flat['content-type']);
  if (flat['content-type']?.startsWith('application/cloudevents-batch')) {
    throw new HttpError(400, 'batched CloudEvents are not supported: send one event per request');
  }
  let parsed: AnyCloudEvent | AnyCloudEvent[];
  try {
    parsed = HTTP.toEvent<unknown>({ headers: flat, body }) as AnyCloudEvent | AnyCloudEvent[];
  } catch (err) {
    throw new HttpError(400, `not a valid CloudEvent: ${describe(err)}`, { cause: err });
  }
  const event = Array.isArray(parsed) ? parsed[0] : parsed;
  try {
    event.validate();
  } catch (err) {
    throw new HttpError(400, `not a valid CloudEvent: ${describe(err)}`, { cause: err });
  }
  if (event.specversion !== '1.0') throw new HttpError(400, `unsupported CloudEvents specversion ${event.specversion}: expected 1.0`);
  return event;
}

function describe(err: unknown): string {
  if (err instanceof ValidationError && Array.isArray(err.errors) && err.errors.length > 0) {
    const first = err.errors[0] as unknown;
    if (typeof first === 'string') return first;
    const e = first as { instancePath?: string; message?: string };
    return `${e.instancePath || 'event'} ${e.message ?? 'is invalid'}`.trim();
  }
  if (err instanceof SyntaxError) return `body is not JSON (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

export interface EncodedEvent {
  headers: Record<string, string>;
  body: string;
}

/** Encode an event for HTTP: binary mode by default (DESIGN.md §3), structured on request. */
export function encodeCloudEvent(event: AnyCloudEvent, mode: 'binary' | 'structured' = 'binary'): EncodedEvent {
  const message = mode === 'structured' ? HTTP.structured(event) : HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.headers)) headers[key] = String(value);
  const body = message.body;
  return { headers, body: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body) };
}

/** Data of an event as a plain value (the SDK keeps JSON strings of binary mode as strings). */
export function eventData(event: AnyCloudEvent): unknown {
  const data = event.data;
  if (typeof data === 'string' && /json/i.test(event.datacontenttype ?? 'application/json')) {
    try {
      return JSON.parse(data);
    } catch {
      throw new HttpError(400, 'event data is not valid JSON');
    }
  }
  return data;
}
