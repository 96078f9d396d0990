// The local gateway of `deucalion up`, routed like the OpenFaaS gateway: /function/<name>[.<ns>][/path]
// (sync) and /async-function/<name> (202, runs in the background), GET /system/functions. A call to a
// scaled-to-zero function waits for its cold start. Anomaly CloudEvents passing through (to the sink)
// are also published on the bus: that is how the terminal view sees every anomaly.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENT_TYPES, type AnomalyData } from '../contracts/types.ts';
import type { UpBus, AnomalyEvent } from './events.ts';
import type { FunctionPool } from './pool.ts';

const BODY_LIMIT = 16 * 1024 * 1024;
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection']);

export interface Gateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startGateway(pool: FunctionPool, bus: UpBus, port: number, host = '127.0.0.1'): Promise<Gateway> {
  const server: Server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => reply(res, 502, `gateway: ${(err as Error).message}`));
  });

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method === 'GET' && (url.pathname === '/healthz' || url.pathname === '/_/health')) return reply(res, 200, 'OK');
    if (req.method === 'GET' && url.pathname === '/system/functions') return listFunctions(res);
    const m = /^\/(function|async-function)\/([a-z0-9-]+)(?:\.[a-z0-9-]+)?(\/.*)?$/.exec(url.pathname);
    if (!m) return reply(res, 404, `no route for ${url.pathname}; use /function/<name>`);
    const [, kind, name, rest] = m;
    if (!pool.has(name)) return reply(res, 404, `no function "${name}"; known: ${[...pool.states.keys()].join(', ')}`);
    const body = await readAll(req);
    observeAnomalies(bus, req, body);
    const path = (rest ?? '/') + url.search;
    if (kind === 'async-function') {
      reply(res, 202, '');
      void invoke(name, req, path, body).catch(() => {});
      return;
    }
    const answer = await invoke(name, req, path, body);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const invoke = async (name: string, req: IncomingMessage, path: string, body: Buffer) => {
    const began = performance.now();
    let cold = false;
    let status = 502;
    try {
      const acquired = await pool.acquire(name);
      cold = acquired.cold;
      try {
        const answer = await forward(acquired.instance.port, req, path, body);
        status = answer.status;
        return answer;
      } finally {
        pool.release(name);
      }
    } catch (err) {
      const text = `gateway: ${name}: ${(err as Error).message}`;
      return { status, headers: { 'content-type': 'text/plain' }, body: Buffer.from(text) };
    } finally {
      bus.emit('invocation', { function: name, status, ms: performance.now() - began, cold });
    }
  };

  const listFunctions = (res: ServerResponse) => {
    const list = [...pool.states.values()].map((s) => ({
      name: s.fn.name,
      replicas: s.instance ? 1 : 0,
      availableReplicas: s.instance ? 1 : 0,
      invocationCount: s.invocations,
      annotations: s.fn.schedule ? { topic: 'cron-function', schedule: s.fn.schedule } : {},
    }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(list));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

function forward(port: number, req: IncomingMessage, path: string, body: Buffer): Promise<Answer> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = v;
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const out = request({ host: '127.0.0.1', port, path, method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const h: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) h[k] = v;
        resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > BODY_LIMIT) {
        reject(new Error(`request body over ${BODY_LIMIT} bytes`));
        req.destroy();
        return;
      }
      chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}

/** Publish an anomaly CloudEvent (binary or structured mode) on the bus; anything else is ignored. */
function observeAnomalies(bus: UpBus, req: IncomingMessage, body: Buffer): void {
  let type = req.headers['ce-type'];
  let source = req.headers['ce-source'];
  let data: unknown;
  try {
    if (type === undefined && String(req.headers['content-type'] ?? '').startsWith('application/cloudevents+json')) {
      const envelope = JSON.parse(body.toString()) as { type?: string; source?: string; data?: unknown };
      type = envelope.type;
      source = envelope.source;
      data = envelope.data;
    } else if (type === EVENT_TYPES.anomaly) {
      data = JSON.parse(body.toString());
    }
  } catch {
    return;
  }
  if (type !== EVENT_TYPES.anomaly || typeof source !== 'string') return;
  const d = data as Partial<AnomalyData> | undefined;
  if (!d || !Array.isArray(d.anomalies)) return;
  const pod = /^\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(source);
  const fed = /^\/federations\/([^/]+)$/.exec(source);
  const event: AnomalyEvent = {
    receivedAt: Date.now(),
    source,
    mode: pod ? 'sidecar' : fed ? 'federated' : 'other',
    namespace: d.namespace ?? pod?.[1],
    pod: d.pod ?? pod?.[2],
    federation: d.federation ?? fed?.[1],
    anomalies: d.anomalies,
    bytes: body.length,
  };
  bus.emit('anomaly', event);
}
