// The built-in Prometheus stand-in of `deucalion up` and the demo, for machines without Prometheus:
// scrapes a federation's targets on its interval and answers /api/v1/query_range and /api/v1/query
// (same JSON envelopes and error types as Prometheus) for the PromQL subset in ./promql.ts, plus
// /-/ready, /-/healthy, /api/v1/status/buildinfo and /api/v1/targets.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDuration } from '../../duration.ts';
import { evaluate, parseQuery, QueryError, type Value } from './promql.ts';
import { SeriesStore, type StoreTarget } from './store.ts';

export interface MiniPromOptions {
  job: string;
  targets: StoreTarget[];
  scrapeIntervalMs: number;
  port?: number;
  host?: string;
}

export interface MiniProm {
  readonly url: string;
  readonly store: SeriesStore;
  close(): Promise<void>;
}

const MAX_POINTS = 11_000;

export async function startMiniProm(options: MiniPromOptions): Promise<MiniProm> {
  const store = new SeriesStore(Math.ceil(3_600_000 / options.scrapeIntervalMs));
  const health = new Map<string, { up: boolean; last: number }>();
  const tick = async () => {
    const t = Date.now();
    await Promise.all(
      options.targets.map(async (target) => {
        const up = await store.scrape(target, options.job, t, Math.max(500, options.scrapeIntervalMs));
        health.set(target.url, { up, last: t });
      }),
    );
  };
  const timer = setInterval(() => void tick(), options.scrapeIntervalMs);
  void tick();

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { status: 'error', errorType: 'internal', error: String(err) }));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST') for (const [k, v] of new URLSearchParams(await readText(req))) params.append(k, v);
    switch (url.pathname) {
      case '/-/ready':
      case '/-/healthy':
        return sendText(res, 200, 'Prometheus stand-in (deucalion up) is Ready.\n');
      case '/api/v1/status/buildinfo':
        return send(res, 200, { status: 'success', data: { version: 'deucalion-built-in', revision: '', branch: '', goVersion: '' } });
      case '/api/v1/targets':
        return send(res, 200, {
          status: 'success',
          data: {
            activeTargets: options.targets.map((t) => ({ scrapeUrl: t.url, labels: { job: options.job, ...t.labels }, health: health.get(t.url)?.up ? 'up' : 'unknown', lastScrape: new Date(health.get(t.url)?.last ?? 0).toISOString() })),
            droppedTargets: [],
          },
        });
      case '/api/v1/query_range':
        return queryRange(params, res);
      case '/api/v1/query':
        return queryInstant(params, res);
      default:
        return sendText(res, 404, 'not found: the built-in Prometheus stand-in serves only /api/v1/query_range, /api/v1/query and health endpoints\n');
    }
  };

  const queryRange = (params: URLSearchParams, res: ServerResponse) => {
    try {
      const node = parseQuery(required(params, 'query'));
      const start = parseTime(required(params, 'start'));
      const end = parseTime(required(params, 'end'));
      const step = parseStep(required(params, 'step'));
      if (end < start) throw new QueryError('end timestamp must not be before start time');
      if ((end - start) / step > MAX_POINTS) throw new QueryError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      const series = new Map<string, { metric: Record<string, string>; values: [number, string][] }>();
      for (let t = start; t <= end; t += step) {
        const v = evaluate(node, store, t);
        for (const p of typeof v === 'number' ? [{ labels: {}, value: v }] : v) {
          const key = JSON.stringify(p.labels);
          const s = series.get(key) ?? { metric: p.labels, values: [] };
          s.values.push([t / 1000, formatValue(p.value)]);
          series.set(key, s);
        }
      }
      send(res, 200, { status: 'success', data: { resultType: 'matrix', result: [...series.values()] } });
    } catch (err) {
      badData(res, err);
    }
  };

  const queryInstant = (params: URLSearchParams, res: ServerResponse) => {
    try {
      const node = parseQuery(required(params, 'query'));
      const t = params.get('time') ? parseTime(params.get('time')!) : Date.now();
      const v: Value = evaluate(node, store, t);
      if (typeof v === 'number') return send(res, 200, { status: 'success', data: { resultType: 'scalar', result: [t / 1000, formatValue(v)] } });
      send(res, 200, { status: 'success', data: { resultType: 'vector', result: v.map((p) => ({ metric: p.labels, value: [t / 1000, formatValue(p.value)] })) } });
    } catch (err) {
      badData(res, err);
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') throw new QueryError(`missing parameter "${name}"`);
  return v;
}

/** Unix seconds (float) or RFC 3339, like Prometheus. */
function parseTime(raw: string): number {
  const n = Number(raw);
  if (Number.isFinite(n)) return Math.round(n * 1000);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new QueryError(`invalid time "${raw}"`);
  return ms;
}

function parseStep(raw: string): number {
  const n = Number(raw);
  let ms: number;
  try {
    ms = Number.isFinite(n) ? n * 1000 : parseDuration(raw);
  } catch {
    throw new QueryError(`invalid step "${raw}"`);
  }
  if (!(ms > 0)) throw new QueryError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  return ms;
}

function formatValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

function badData(res: ServerResponse, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  send(res, 400, { status: 'error', errorType: 'bad_data', error: message });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      s += d;
      if (s.length > 1_000_000) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}
