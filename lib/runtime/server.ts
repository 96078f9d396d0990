// One HTTP adapter serves any function as a CloudEvents endpoint (binary or structured in, binary
// out, 204 for nothing), with Knative and OpenFaaS health paths, /metrics, a body limit and graceful
// shutdown. Plain node:http rather than express: a handful of routes, and every dependency counts on
// the data path of a scaled-to-zero function's cold start.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';
import { createLogger, type Logger } from '../log.ts';
import { encodeCloudEvent, isCloudEventRequest, parseCloudEvent, type AnyCloudEvent } from './cloudevent.ts';
import { isJsonReply, type DeucalionFunction } from './function.ts';
import { HttpError, statusOf } from './http-error.ts';
import { readBody } from './read-body.ts';

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export interface ServeOptions {
  port?: number;
  host?: string;
  bodyLimit?: number;
  log?: Logger;
}

export interface RunningFunction {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stop accepting, finish in-flight requests, then run the function's shutdown hook. */
  close(): Promise<void>;
}

const READINESS_PATHS = new Set(['/health/readiness', '/_/ready', '/readyz']);
const LIVENESS_PATHS = new Set(['/health/liveness', '/_/health', '/healthz']);

export async function serveFunction(fn: DeucalionFunction, options: ServeOptions = {}): Promise<RunningFunction> {
  const log = options.log ?? createLogger(fn.name);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const registry = new Registry();
  const requests = new Counter({
    name: 'deucalion_function_requests_total',
    help: 'Function invocations by HTTP status code.',
    labelNames: ['function', 'code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'deucalion_function_request_duration_seconds',
    help: 'Time to answer one invocation.',
    labelNames: ['function'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const metrics = fn.metrics ? Registry.merge([registry, fn.metrics]) : registry;
  await fn.init?.();

  const invoke = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const stop = duration.startTimer({ function: fn.name });
    let status = 500;
    try {
      const body = await readBody(req, bodyLimit);
      const event = isCloudEventRequest(req.headers) ? parseCloudEvent(req.headers, body) : undefined;
      const reply = await fn.handle({ log, headers: req.headers, body }, event);
      if (isJsonReply(reply)) {
        status = reply.status ?? 200;
        sendJson(res, status, reply.json);
        return;
      }
      status = reply ? 200 : 204;
      sendEvent(res, reply);
    } catch (err) {
      status = statusOf(err);
      const message = err instanceof HttpError ? err.message : 'internal error';
      if (status >= 500) log.error('invocation failed', { err, status });
      else log.warn('rejected request', { reason: message, status });
      sendJson(res, status, { error: message });
    } finally {
      requests.inc({ function: fn.name, code: String(status) });
      stop();
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (READINESS_PATHS.has(path)) return probe(res, fn.readiness);
      if (LIVENESS_PATHS.has(path)) return probe(res, fn.liveness);
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(await metrics.metrics());
        return;
      }
    }
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, { error: `method ${req.method} not allowed: POST a CloudEvent` });
      return;
    }
    await invoke(req, res);
  };

  const server = createServer({ requestTimeout: 60_000, keepAliveTimeout: 65_000 }, (req, res) => {
    route(req, res).catch((err: unknown) => {
      log.error('request failed', { err });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info('function listening', { function: fn.name, port });

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    server,
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await fn.shutdown?.();
      })();
      return closing;
    },
  };
}

async function probe(res: ServerResponse, check?: () => boolean | Promise<boolean>): Promise<void> {
  let ok = true;
  try {
    ok = check ? await check() : true;
  } catch {
    ok = false;
  }
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
  res.end(ok ? 'ok\n' : 'not ready\n');
}

function sendEvent(res: ServerResponse, event: AnyCloudEvent | undefined): void {
  if (!event) {
    res.writeHead(204);
    res.end();
    return;
  }
  const { headers, body } = encodeCloudEvent(event);
  res.writeHead(200, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
