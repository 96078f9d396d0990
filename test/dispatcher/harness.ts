// Real HTTP peers for dispatcher tests: a target app serving metrics (seeded noise, injectable spikes,
// Prometheus text or OpenMetrics by Accept, gzip when asked) and a sink that receives CloudEvents,
// validates them with the SDK and the anomaly schema, and can go down and come back on the same port.
// Either serves https instead when given a certificate.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { validateAnomalies, type AnomalyData } from '../../lib/contracts/index.ts';
import { eventData, parseCloudEvent, type AnyCloudEvent } from '../../lib/runtime/index.ts';
import { gaussian, seededRandom } from '../support/signals.ts';

export interface TargetOptions {
  seed?: number;
  gauges?: number;
  counters?: number;
  /** Scrape number (1-based) → metric name whose value spikes in that scrape. */
  spikes?: Map<number, string>;
  /** Replace the body (e.g. corrupt it); return undefined to serve the generated one. */
  mutate?: (body: string, scrape: number, res: ServerResponse) => string | Buffer | undefined | 'handled';
  /** Synthetic sample timestamps this far apart (ms) for counters and histograms. */
  stepMs?: number;
  tls?: ServerTls;
}

/** Serve https with this certificate (PEM); with clientCa, only to clients whose certificate it signed. */
export interface ServerTls {
  cert: string;
  key: string;
  clientCa?: string;
}

function serve(handler: RequestListener, tls: ServerTls | undefined): Server | HttpsServer {
  if (!tls) return createServer(handler);
  const clientAuth = tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {};
  return createHttpsServer({ cert: tls.cert, key: tls.key, ...clientAuth }, handler);
}

export interface Target {
  url: string;
  scrapes(): number;
  /** TCP connections accepted so far. */
  connections(): number;
  lastHeaders(): IncomingMessage['headers'] | undefined;
  close(): Promise<void>;
}

/** The exposition the target serves at scrape `n` (1-based), Prometheus text 0.0.4. */
export function createExposition(options: TargetOptions = {}): (n: number, openMetrics: boolean) => string {
  const random = seededRandom(options.seed ?? 7);
  const normal = gaussian(random);
  const gauges = options.gauges ?? 8;
  const counters = options.counters ?? 4;
  const stepMs = options.stepMs ?? 1000;
  const t0 = Date.now();
  const counterValues = new Array<number>(counters).fill(1000);
  const buckets = [0.05, 0.1, 0.25, 0.5, 1];
  const bucketCounts = new Array<number>(buckets.length + 1).fill(0);
  let sum = 0;
  return (n, om) => {
    const spike = options.spikes?.get(n);
    const ts = t0 + n * stepMs;
    const tsText = om ? (ts / 1000).toFixed(3) : String(ts);
    const lines: string[] = [];
    lines.push('# HELP app_temperature_celsius Sensor temperature.', '# TYPE app_temperature_celsius gauge');
    for (let k = 0; k < gauges; k++) {
      const name = 'app_temperature_celsius';
      const value = 20 + k + normal() * 0.5 + (spike === `${name}:${k}` ? 500 : 0);
      lines.push(`${name}{sensor="s${k}",zone="a \\"quoted\\" zone"} ${value.toFixed(4)}`);
    }
    lines.push('# HELP app_queue_depth Items waiting.', '# TYPE app_queue_depth gauge');
    lines.push(`app_queue_depth{queue="orders"} ${(50 + normal() * 2 + (spike === 'app_queue_depth' ? 5000 : 0)).toFixed(3)}`);
    lines.push(`app_queue_depth{queue="mail"} ${(10 + normal()).toFixed(3)}`);
    const family = om ? 'app_requests' : 'app_requests_total';
    lines.push('# HELP app_requests_total Requests handled.', `# TYPE ${family} counter`);
    for (let k = 0; k < counters; k++) {
      counterValues[k] += 100 + normal() * 10 + (spike === `app_requests_total:${k}` ? 100_000 : 0);
      lines.push(`app_requests_total{route="/r${k}"} ${counterValues[k].toFixed(0)} ${tsText}`);
    }
    lines.push('# HELP app_latency_seconds Request latency.', '# TYPE app_latency_seconds histogram');
    const observations = 200 + Math.round(normal() * 10);
    for (let i = 0; i < observations; i++) {
      const v = Math.abs(0.2 + normal() * 0.1);
      sum += v;
      let b = buckets.findIndex((le) => v <= le);
      if (b < 0) b = buckets.length;
      bucketCounts[b]++;
    }
    let cumulative = 0;
    for (let b = 0; b <= buckets.length; b++) {
      cumulative += bucketCounts[b];
      lines.push(`app_latency_seconds_bucket{le="${b < buckets.length ? buckets[b] : '+Inf'}"} ${cumulative} ${tsText}`);
    }
    lines.push(`app_latency_seconds_sum ${sum.toFixed(3)} ${tsText}`, `app_latency_seconds_count ${cumulative} ${tsText}`);
    lines.push('# HELP app_build_info Build information.', '# TYPE app_build_info gauge', 'app_build_info{version="1.2.3"} 1');
    if (om) lines.push('# EOF');
    return lines.join('\n') + '\n';
  };
}

export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const render = createExposition(options);
  let scrapes = 0;
  let connections = 0;
  let headers: IncomingMessage['headers'] | undefined;
  const server = serve((req, res) => {
    scrapes++;
    headers = req.headers;
    const om = String(req.headers.accept ?? '').startsWith('application/openmetrics-text');
    const generated = render(scrapes, om);
    const mutated = options.mutate?.(generated, scrapes, res);
    if (mutated === 'handled') return;
    const body = mutated ?? generated;
    const head: Record<string, string> = { 'content-type': om ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8' };
    let out = typeof body === 'string' ? Buffer.from(body) : body;
    if (String(req.headers['accept-encoding'] ?? '').includes('gzip') && mutated === undefined) {
      out = gzipSync(out);
      head['content-encoding'] = 'gzip';
    }
    res.writeHead(200, head);
    res.end(out);
  }, options.tls);
  server.on('connection', () => void connections++);
  const port = await listen(server, 0);
  const scheme = options.tls ? 'https' : 'http';
  return { url: `${scheme}://127.0.0.1:${port}/metrics`, scrapes: () => scrapes, connections: () => connections, lastHeaders: () => headers, close: () => close(server, new Set()) };
}

export interface ReceivedEvent {
  event: AnyCloudEvent;
  data: AnomalyData;
  headers: IncomingMessage['headers'];
}

export interface Sink {
  url: string;
  events: ReceivedEvent[];
  /** Requests that were not valid anomaly events (answered 400). */
  invalid: string[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Stop listening and cut open connections: the sink is down (connection refused). */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startSink(options: { tls?: ServerTls } = {}): Promise<Sink> {
  const events: ReceivedEvent[] = [];
  const invalid: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const event = parseCloudEvent(req.headers, Buffer.concat(chunks).toString('utf8'));
        const data = eventData(event);
        validateAnomalies(data);
        events.push({ event, data: data as AnomalyData, headers: req.headers });
        res.writeHead(202).end();
      } catch (err) {
        invalid.push((err as Error).message);
        res.writeHead(400).end((err as Error).message);
      }
    });
  };
  const start = () => {
    const server = serve(handler, options.tls);
    server.on('connection', (s: Socket) => {
      connections++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    return server;
  };
  let server = start();
  const port = await listen(server, 0);
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    events,
    invalid,
    connections: () => connections,
    down: () => close(server, sockets),
    async up() {
      server = start();
      await listen(server, port);
    },
    close: () => close(server, sockets),
  };
}

function listen(server: Server | HttpsServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

function close(server: Server | HttpsServer, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
    for (const s of sockets) s.destroy();
  });
}

/** Poll `check` until it returns true (or throw after timeoutMs with `what`). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
