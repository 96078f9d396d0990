// The client against scripted HTTP servers on 127.0.0.1: the exact wire form, gzip, range splitting,
// and one clear error per failure mode (Prometheus' envelopes, a proxy's HTML, refused, timeout).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../lib/prometheus/client.ts';
import { PrometheusError } from '../../lib/prometheus/errors.ts';
import { freePort } from '../support/process.ts';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form: URLSearchParams;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
});

async function serve(answer: (seen: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, form: new URLSearchParams(body) };
      seen.push(s);
      answer(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown, gzip = false): void {
  const text = JSON.stringify(body);
  if (gzip) {
    res.writeHead(status, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(text));
  } else {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  }
}

/** A matrix answer with one series `x` holding a point per step of the asked range. */
function matrixFor(form: URLSearchParams): unknown {
  const start = Number(form.get('start'));
  const end = Number(form.get('end'));
  const step = Number(form.get('step'));
  const values: [number, string][] = [];
  for (let t = start; t <= end + 1e-9; t += step) values.push([t, String(t)]);
  return { status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'x' }, values }] } };
}

describe('queryRange', () => {
  it('POSTs a form with seconds, asks for gzip, and decodes a gzipped matrix into ms and numbers', async () => {
    const { url, seen } = await serve((_s, res) =>
      json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { pod: 'a' }, values: [[1700000000, '1'], [1700000015, 'NaN'], [1700000030, '+Inf']] }] } }, true),
    );
    const client = createPrometheusClient({ url: `${url}/`, timeoutMs: 7000 });
    const result = await client.queryRange({ query: 'rate(x[1m])', start: 1_700_000_000_000, end: 1_700_000_030_000, step: 15_000 });
    expect(seen[0].method).toBe('POST');
    expect(seen[0].path).toBe('/api/v1/query_range');
    expect(seen[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(seen[0].headers['accept-encoding']).toContain('gzip');
    expect(Object.fromEntries(seen[0].form)).toEqual({ query: 'rate(x[1m])', start: '1700000000', end: '1700000030', step: '15', timeout: '7' });
    expect(result.requests).toBe(1);
    expect(result.series).toHaveLength(1);
    expect(result.series[0].labels).toEqual({ pod: 'a' });
    expect(result.series[0].timestamps).toEqual([1_700_000_000_000, 1_700_000_015_000, 1_700_000_030_000]);
    expect(result.series[0].values[0]).toBe(1);
    expect(result.series[0].values[1]).toBeNaN();
    expect(result.series[0].values[2]).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps a path prefix of the base URL', async () => {
    const { url, seen } = await serve((s, res) => json(res, 200, matrixFor(s.form)));
    await createPrometheusClient({ url: `${url}/prometheus` }).queryRange({ query: 'x', start: 0, end: 0, step: 1000 });
    expect(seen[0].path).toBe('/prometheus/api/v1/query_range');
  });

  it('splits a range over 11,000 points per series into requests Prometheus accepts and joins the series', async () => {
    const { url, seen } = await serve((s, res) => {
      const points = (Number(s.form.get('end')) - Number(s.form.get('start'))) / Number(s.form.get('step'));
      if (points > 11_000) return json(res, 400, { status: 'error', errorType: 'bad_data', error: 'exceeded maximum resolution of 11,000 points per timeseries' });
      json(res, 200, matrixFor(s.form));
    });
    const step = 1000;
    const result = await createPrometheusClient({ url }).queryRange({ query: 'x', start: 0, end: 25_000 * step, step });
    expect(seen).toHaveLength(3);
    expect(result.requests).toBe(3);
    expect(result.series).toHaveLength(1);
    const ts = result.series[0].timestamps;
    expect(ts).toHaveLength(25_001);
    expect(ts.every((t, i) => t === i * step)).toBe(true);
  });

  const failures: { name: string; answer: (res: ServerResponse) => void; kind: string; message: string; status?: number; errorType?: string }[] = [
    {
      name: 'bad PromQL (400 bad_data)',
      answer: (res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: '1:6: parse error: unexpected end of input' }),
      kind: 'api',
      status: 400,
      errorType: 'bad_data',
      message: 'query_range "rate(x" failed: bad_data: 1:6: parse error: unexpected end of input (HTTP 400)',
    },
    {
      name: 'execution error (422)',
      answer: (res) => json(res, 422, { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' }),
      kind: 'api',
      status: 422,
      errorType: 'execution',
      message: 'failed: execution: query processing would load too many samples into memory (HTTP 422)',
    },
    {
      name: "a proxy's HTML error page",
      answer: (res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>502 Bad Gateway</body></html>');
      },
      kind: 'http',
      status: 502,
      message: 'failed: HTTP 502: <html><body>502 Bad Gateway</body></html>',
    },
    {
      name: 'a 200 that is not JSON',
      answer: (res) => res.writeHead(200).end('hello'),
      kind: 'invalid-response',
      status: 200,
      message: 'failed: HTTP 200 with a body that is not JSON: hello',
    },
    {
      name: 'a vector where a matrix belongs',
      answer: (res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result: [] } }),
      kind: 'invalid-response',
      message: 'expected a matrix result, got vector',
    },
  ];
  it.each(failures)('$name → PrometheusError $kind', async ({ answer, kind, message, status, errorType }) => {
    const { url } = await serve((_s, res) => answer(res));
    const err = await createPrometheusClient({ url, retries: 0 })
      .queryRange({ query: 'rate(x', start: 0, end: 0, step: 1000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    const e = err as PrometheusError;
    expect(e.kind).toBe(kind);
    expect(e.message).toContain(message);
    expect(e.message).toContain(`Prometheus ${url}`);
    expect(e.status).toBe(status);
    expect(e.errorType).toBe(errorType);
  });

  it('says a refused connection is "unreachable", after its retries', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const err = (await createPrometheusClient({ url, retries: 1, retryBackoffMs: 1 })
      .queryRange({ query: 'x', start: 0, end: 0, step: 1000 })
      .catch((e: unknown) => e)) as PrometheusError;
    expect(err.kind).toBe('unreachable');
    expect(err.message).toBe(`Prometheus ${url} is unreachable: ECONNREFUSED`);
    expect(err.retryable).toBe(true);
  });

  it('times out a Prometheus that does not answer', async () => {
    const { url } = await serve(() => {});
    const err = (await createPrometheusClient({ url, timeoutMs: 200, retries: 0 })
      .queryRange({ query: 'x', start: 0, end: 0, step: 1000 })
      .catch((e: unknown) => e)) as PrometheusError;
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe(`Prometheus ${url}: query_range "x" timed out after 200 ms`);
  });

  it('retries a 503 and succeeds; does not retry bad_data', async () => {
    let calls = 0;
    const { url } = await serve((s, res) => (++calls === 1 ? json(res, 503, { status: 'error', errorType: 'unavailable', error: 'starting' }) : json(res, 200, matrixFor(s.form))));
    const ok = await createPrometheusClient({ url, retryBackoffMs: 1 }).queryRange({ query: 'x', start: 0, end: 0, step: 1000 });
    expect(ok.requests).toBe(2);

    const bad = await serve((_s, res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: 'nope' }));
    await createPrometheusClient({ url: bad.url, retryBackoffMs: 1 }).queryRange({ query: 'x', start: 0, end: 0, step: 1000 }).catch(() => {});
    expect(bad.seen).toHaveLength(1);
  });
});

describe('query and ready', () => {
  it('reads vectors and scalars', async () => {
    const { url } = await serve((s, res) =>
      s.form.get('query') === '1'
        ? json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [10, '1'] } })
        : json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { a: 'b' }, value: [10, '2'] }] } }),
    );
    const client = createPrometheusClient({ url });
    expect(await client.query('1')).toEqual([{ labels: {}, timestamp: 10_000, value: 1 }]);
    expect(await client.query('x')).toEqual([{ labels: { a: 'b' }, timestamp: 10_000, value: 2 }]);
  });

  it('ready: /-/ready, else a trivial query where /-/ready is not served, else a clear error', async () => {
    const ready = await serve((s, res) => (s.path === '/-/ready' ? res.writeHead(200).end('ok') : res.writeHead(500).end()));
    await expect(createPrometheusClient({ url: ready.url }).ready()).resolves.toBeUndefined();

    const proxy = await serve((s, res) => (s.path === '/-/ready' ? res.writeHead(404).end() : json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } })));
    await expect(createPrometheusClient({ url: proxy.url }).ready()).resolves.toBeUndefined();
    expect(proxy.seen.map((s) => s.path)).toEqual(['/-/ready', '/api/v1/query']);

    const starting = await serve((_s, res) => res.writeHead(503).end('Service Unavailable'));
    await expect(createPrometheusClient({ url: starting.url }).ready()).rejects.toThrow(`Prometheus ${starting.url} is not ready: HTTP 503 on /-/ready`);

    const down = `http://127.0.0.1:${await freePort()}`;
    await expect(createPrometheusClient({ url: down }).ready()).rejects.toThrow(`Prometheus ${down} is unreachable: ECONNREFUSED`);
  });
});

describe('queryRange in parallel slices', () => {
  it('asks for `parallel` contiguous slices at once and joins them in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const { url, seen } = await serve((s, res) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => {
        inFlight--;
        json(res, 200, matrixFor(s.form));
      }, 50);
    });
    const step = 1000;
    const result = await createPrometheusClient({ url }).queryRange({ query: 'x', start: 0, end: 239 * step, step, parallel: 2 });
    expect(seen.map((s) => [Number(s.form.get('start')), Number(s.form.get('end'))]).sort((a, b) => a[0] - b[0])).toEqual([
      [0, 119],
      [120, 239],
    ]);
    expect(peak).toBe(2);
    expect(result.series[0].timestamps).toEqual(Array.from({ length: 240 }, (_, i) => i * step));
  });
});
