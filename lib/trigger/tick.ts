// What started a run: a Knative PingSource event (dev.knative.sources.ping, optional JSON data with
// overrides) or the OpenFaaS cron-connector's plain POST (no CloudEvent, X-Connector: cron-connector,
// empty body). Anything else is a 400 with the reason. Overrides are applied to the config here.
import { CRON_CONNECTOR_HEADER, CRON_CONNECTOR_VALUE, EVENT_TYPES, type TriggerOverrides } from '../contracts/types.ts';
import { validateTriggerOverrides } from '../contracts/validate.ts';
import { parseDuration } from '../duration.ts';
import { eventData, type AnyCloudEvent, type HeaderMap } from '../runtime/cloudevent.ts';
import { HttpError } from '../runtime/http-error.ts';
import { checkWindow, resolveQueries, type TriggerConfig } from './config.ts';

export type TickKind = 'ping' | 'cron';

export interface Tick {
  kind: TickKind;
  overrides?: TriggerOverrides;
  /** Event id of a PingSource tick. */
  id?: string;
}

const EXPECTED = `expected a ${EVENT_TYPES.ping} CloudEvent (Knative PingSource) or an OpenFaaS cron-connector POST (X-Connector: cron-connector, empty body)`;

export function parseTick(headers: HeaderMap, body: string, event?: AnyCloudEvent): Tick {
  if (event) {
    if (event.type !== EVENT_TYPES.ping) throw new HttpError(400, `scrape-trigger: ${EXPECTED}; got a ${event.type} event`);
    const data = event.data === undefined || event.data === null || event.data === '' ? undefined : eventData(event);
    if (data === undefined) return { kind: 'ping', id: event.id };
    return { kind: 'ping', id: event.id, overrides: validateTriggerOverrides(data) };
  }
  const connector = headers[CRON_CONNECTOR_HEADER];
  if (String(connector ?? '').toLowerCase() !== CRON_CONNECTOR_VALUE) {
    throw new HttpError(400, `scrape-trigger: ${EXPECTED}; got a plain POST${connector ? ` with X-Connector: ${String(connector)}` : ' without X-Connector'}`);
  }
  if (body.trim() !== '') throw new HttpError(400, 'scrape-trigger: a cron-connector POST has an empty body; send overrides in a PingSource event instead');
  return { kind: 'cron' };
}

/** The config for one run with a PingSource's overrides; a bad override is the sender's 400. */
export function applyOverrides(config: TriggerConfig, overrides: TriggerOverrides | undefined): TriggerConfig {
  if (!overrides) return config;
  const fail = (path: string, message: string): never => {
    throw new HttpError(400, `invalid trigger event: data.${path}: ${message}`);
  };
  const duration = (path: string, text: string): number => {
    try {
      return parseDuration(text);
    } catch (err) {
      return fail(path, (err as Error).message);
    }
  };
  const next: TriggerConfig = { ...config };
  if (overrides.federation !== undefined) next.federation = overrides.federation;
  if (overrides.step !== undefined) next.stepMs = duration('step', overrides.step);
  if (overrides.window !== undefined) next.windowMs = duration('window', overrides.window);
  checkWindow(next.stepMs, next.windowMs, fail);
  // A longer window than configured also lifts the catch-up cap, which must stay >= the window.
  if (next.maxWindowMs < next.windowMs) next.maxWindowMs = next.windowMs;
  // A shorter window keeps the normal run within it: warm-up at most the window less one step.
  if (overrides.window !== undefined) next.warmupMs = Math.min(next.warmupMs, next.windowMs - next.stepMs);
  if (overrides.queries !== undefined) next.queries = resolveQueries(overrides.queries, config, 'queries', fail);
  return next;
}
