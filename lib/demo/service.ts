// One Bookinfo service of the demo: answers requests (calling its downstreams like Bookinfo does) and
// exposes realistic Prometheus metrics: request counters by method/path/code, latency histograms,
// client-side counters per downstream, and prom-client's process/Node.js metrics (real CPU seconds
// and resident memory of this process). Incidents are switched on over POST /admin/incident.
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createRandom } from '../random.ts';
import type { DemoService } from './topology.ts';

export type IncidentKind = 'latency' | 'errors' | 'leak' | 'traffic-drop';

export interface ServiceOptions {
  service: DemoService;
  /** Base URL of every other service by name. */
  peers: Record<string, string>;
  port?: number;
  host?: string;
  /** Deterministic jitter (seeded PRNG); default from the name. */
  seed?: number;
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { service } = options;
  const registry = new Registry();
  registry.setDefaultLabels({ app: service.name.replace(/-v\d+$/, ''), version: /-(v\d+)$/.exec(service.name)?.[1] ?? 'v1' });
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests served, by method, path and status code.', labelNames: ['method', 'path', 'code'] as const, registers: [registry] });
  const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'Time to serve an HTTP request.', labelNames: ['method', 'path'] as const, buckets: BUCKETS, registers: [registry] });
  const inflight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests being served.', registers: [registry] });
  const clientRequests = new Counter({ name: 'http_client_requests_total', help: 'Requests to downstream services, by target and status code.', labelNames: ['target', 'code'] as const, registers: [registry] });
  const clientDuration = new Histogram({ name: 'http_client_request_duration_seconds', help: 'Time waiting for a downstream service.', labelNames: ['target'] as const, buckets: BUCKETS, registers: [registry] });
  const path = `/${service.name.replace(/-v\d+$/, '')}`;
  // Series exist from the start (at 0), as in a real app that has served both outcomes before:
  // detectors need their history before an error burst begins.
  for (const code of ['200', '500']) requests.inc({ method: 'GET', path, code }, 0);
  for (const target of Object.keys(service.calls)) for (const code of ['200', '500']) clientRequests.inc({ target, code }, 0);

  const incidents = new Map<IncidentKind, number>(); // kind → until (ms)
  const leaked: Buffer[] = [];
  let leakTimer: NodeJS.Timeout | undefined;
  const active = (kind: IncidentKind) => (incidents.get(kind) ?? 0) > Date.now();
  const random = createRandom(options.seed ?? hash(service.name));
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const roundRobin = new Map<string, number>();
  const filler = 'x'.repeat(service.bodyBytes);

  const callDownstream = async (logical: string): Promise<number> => {
    const targets = service.calls[logical];
    const i = roundRobin.get(logical) ?? 0;
    roundRobin.set(logical, i + 1);
    const name = targets[i % targets.length];
    const base = options.peers[name];
    const stop = clientDuration.startTimer({ target: logical });
    const code = base ? await get(agent, `${base}${'/' + logical}`) : 503;
    stop();
    clientRequests.inc({ target: logical, code: String(code === 200 ? 200 : 500) });
    return code;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const stop = duration.startTimer({ method: 'GET', path });
    inflight.inc();
    let code = 200;
    try {
      // own work: a lognormal-ish wait around workMs, plus the incident's extra latency
      let wait = service.workMs * Math.exp((random() - 0.5) * 0.8);
      if (active('latency')) wait += 250 + random() * 100;
      await sleep(wait);
      const results = await Promise.all(Object.keys(service.calls).map(callDownstream));
      if (results.some((c) => c !== 200)) code = 500;
      if (active('errors') && random() < 0.5) code = 500;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: service.name, ok: code === 200, items: results.length, text: filler }));
    } finally {
      inflight.dec();
      stop();
      requests.inc({ method: req.method ?? 'GET', path, code: String(code) });
    }
  };

  const admin = async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    let parsed: { kind?: string; ms?: number };
    try {
      parsed = JSON.parse(body) as { kind?: string; ms?: number };
    } catch {
      parsed = {};
    }
    const kind = parsed.kind as IncidentKind;
    if (!['latency', 'errors', 'leak'].includes(kind) || !(Number(parsed.ms) > 0)) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return void res.end('expected {"kind": "latency"|"errors"|"leak", "ms": duration}');
    }
    incidents.set(kind, Date.now() + Number(parsed.ms));
    if (kind === 'leak') startLeak(Number(parsed.ms));
    res.writeHead(204);
    res.end();
  };

  // A real leak: retain 3 MB/s of touched memory until the incident ends, then free it.
  const startLeak = (ms: number) => {
    clearInterval(leakTimer);
    const until = Date.now() + ms;
    leakTimer = setInterval(() => {
      if (Date.now() > until) {
        clearInterval(leakTimer);
        leaked.length = 0;
        return;
      }
      leaked.push(Buffer.alloc(300 * 1024, 1));
    }, 100);
  };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    if (url === '/healthz') return void res.end('ok');
    if (url === '/admin/incident' && req.method === 'POST') return void admin(req, res);
    void serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1')}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(leakTimer);
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function get(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 500));
      res.on('error', () => resolve(500));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(503));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
