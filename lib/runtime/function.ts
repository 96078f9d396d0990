// The shape every Deucalion function has (after knative/func's handle(context, event?)): the HTTP
// runtime in ./server.ts serves any of them, and `deucalion invoke` calls them in-process.
import type { Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { AnyCloudEvent, HeaderMap } from './cloudevent.ts';

export interface FunctionContext {
  log: Logger;
  /** Request headers, lower-cased (e.g. `x-connector` of the OpenFaaS cron-connector). */
  headers: HeaderMap;
  /** Raw request body, for handlers that accept non-CloudEvent POSTs. */
  body: string;
}

/**
 * A plain JSON answer instead of a CloudEvent: for a caller that must not get an event back (the
 * scrape-trigger's run report; a reply event to a PingSource would be routed as a new event).
 */
export interface JsonReply {
  readonly json: unknown;
  /** HTTP status; default 200. */
  readonly status?: number;
}

export function isJsonReply(reply: unknown): reply is JsonReply {
  return typeof reply === 'object' && reply !== null && 'json' in reply && !('specversion' in reply);
}

export interface DeucalionFunction {
  readonly name: string;
  /**
   * Handle one request. `event` is undefined when the request carried no CloudEvent (a plain POST).
   * Return an event to answer with it, undefined for 204, a JsonReply for plain JSON; throw HttpError
   * for a 4xx with a reason.
   */
  handle(context: FunctionContext, event?: AnyCloudEvent): Promise<AnyCloudEvent | JsonReply | undefined>;
  init?(): Promise<void>;
  shutdown?(): Promise<void>;
  readiness?(): boolean | Promise<boolean>;
  liveness?(): boolean | Promise<boolean>;
  /** The function's own metrics, served at /metrics together with the runtime's. */
  metrics?: Registry;
}

export interface FunctionOptions {
  /** Path of a YAML/JSON config file (--config), if any. */
  config?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
}
