export { HttpError, badRequest, statusOf } from './http-error.ts';
export { CloudEvent, parseCloudEvent, encodeCloudEvent, eventData, isCloudEventRequest } from './cloudevent.ts';
export type { AnyCloudEvent, HeaderMap, EncodedEvent } from './cloudevent.ts';
export type { DeucalionFunction, FunctionContext, FunctionOptions, JsonReply } from './function.ts';
export { isJsonReply } from './function.ts';
export { serveFunction, DEFAULT_BODY_LIMIT } from './server.ts';
export type { ServeOptions, RunningFunction } from './server.ts';
export { sendCloudEvent, withRetry, backoffDelay, SendError } from './send.ts';
export type { SendOptions, SendResult, RetryOptions } from './send.ts';
