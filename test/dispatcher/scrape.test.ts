import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../lib/dispatcher/config.ts';
import { SCRAPE_ACCEPT, ScrapeError, Scraper, formatOf } from '../../lib/dispatcher/scrape.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
let base = '';
let seen: IncomingMessage['headers'] = {};
const server = createServer((req, res) => {
  seen = req.headers;
  (routes.get(req.url ?? '') ?? ((_q, r) => r.writeHead(404).end()))(req, res);
});
const scraper = new Scraper();

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  scraper.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const target = (path: string, over: Partial<TargetConfig> = {}): TargetConfig => ({
  url: base + path,
  intervalMs: 1000,
  timeoutMs: 500,
  bodySizeLimit: 1000,
  gzip: true,
  fallbackFormat: 'prometheus',
  ...over,
});

const TEXT = 'a 1\nb{x="y"} 2\n';
routes.set('/text', (_q, r) => r.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(TEXT));
routes.set('/om', (_q, r) => r.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }).end('a 1\n# EOF\n'));
routes.set('/gzip', (_q, r) => r.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(TEXT)));
routes.set('/bomb', (_q, r) => r.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync('a 1\n'.repeat(10_000))));
routes.set('/badgzip', (_q, r) => r.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end('not gzip at all'));
routes.set('/big', (_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000)));
routes.set('/none', (_q, r) => r.writeHead(200).end(TEXT));
routes.set('/json', (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
routes.set('/500', (_q, r) => r.writeHead(500).end('boom'));
routes.set('/slow', (_q, r) => setTimeout(() => r.writeHead(200, { 'content-type': 'text/plain' }).end(TEXT), 2000));
routes.set('/br', (_q, r) => r.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'br' }).end('zz'));
routes.set('/chunked', (_q, r) => {
  r.writeHead(200, { 'content-type': 'text/plain' });
  r.write('a 1\n');
  setTimeout(() => r.end('b{x="y"} 2\n'), 5);
});
routes.set('/close-delimited', (_q, r) => {
  r.socket!.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n' + TEXT);
});
// A large body dribbled in uneven pieces (head split mid-line, chunk-size lines split): every read
// lands in the client's one reused read buffer, so anything it failed to copy would come out garbled.
const LARGE = Array.from({ length: 6000 }, (_, i) => `series_${i}{pod="p-${i % 97}",zone="z${i % 7}"} ${(i * 1.25).toFixed(2)}\n`).join('');
const PIECES = [1, 7, 300, 5000, 17, 70_000, 3, 20_000];
async function dribble(socket: NodeJS.WritableStream, bytes: Buffer): Promise<void> {
  for (let at = 0, i = 0; at < bytes.length; at += PIECES[i % PIECES.length], i++) {
    socket.write(bytes.subarray(at, at + PIECES[i % PIECES.length]));
    await new Promise((r) => setTimeout(r, 2));
  }
}
// A raw server, not node:http: the body is written by hand, and each request on the kept-alive
// connection is answered when its head has arrived.
function dribbleServer(response: () => Buffer): Promise<{ url: string; close(): void }> {
  const raw = createNetServer((socket) => {
    let pending = '';
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        void dribble(socket, response());
      }
    });
  });
  return new Promise((resolve) => raw.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(raw.address() as { port: number }).port}/metrics`, close: () => raw.close() })));
}
const byLength = () => {
  const body = Buffer.from(LARGE);
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
};
const chunked = () => {
  const pieces = [Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n')];
  for (let at = 0; at < LARGE.length; at += 20_000) {
    const chunk = Buffer.from(LARGE.slice(at, at + 20_000));
    pieces.push(Buffer.from(`${chunk.length.toString(16)};ext=1\r\n`), chunk, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(pieces);
};
routes.set('/idle-close', (q, r) => {
  r.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(TEXT.length) }).end(TEXT);
  setTimeout(() => q.socket.destroy(), 10); // the server drops the idle keep-alive connection
});
routes.set('/cut', (_q, r) => {
  r.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
  r.write('a 1\n');
  setTimeout(() => r.socket?.destroy(), 20);
});

describe('Scraper', () => {
  it("sends Prometheus' Accept header, gzip and the scrape timeout", async () => {
    await scraper.scrape(target('/text'));
    expect(seen.accept).toBe(SCRAPE_ACCEPT);
    expect(SCRAPE_ACCEPT.startsWith('application/openmetrics-text;version=1.0.0')).toBe(true);
    expect(seen['accept-encoding']).toBe('gzip');
    expect(seen['x-prometheus-scrape-timeout-seconds']).toBe('0.5');
    await scraper.scrape(target('/text', { gzip: false }));
    expect(seen['accept-encoding']).toBe('identity');
  });

  it.each([
    ['/text', 'prometheus', TEXT],
    ['/om', 'openmetrics', 'a 1\n# EOF\n'],
    ['/gzip', 'prometheus', TEXT],
    ['/none', 'prometheus', TEXT],
    ['/chunked', 'prometheus', TEXT],
    ['/close-delimited', 'prometheus', TEXT],
  ])('reads %s as %s', async (path, format, text) => {
    const r = await scraper.scrape(target(path));
    expect([r.format, r.text, r.bodyBytes]).toEqual([format, text, Buffer.byteLength(text)]);
  });

  it.each([
    ['Content-Length', byLength],
    ['chunked', chunked],
  ])('reads a %s body larger than its read buffer, sent in uneven pieces, intact and twice on one connection', async (_name, response) => {
    expect(LARGE.length).toBeGreaterThan(3 * 64 * 1024);
    const raw = await dribbleServer(response);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await scraper.scrape(target('', { url: raw.url, bodySizeLimit: 1 << 20, timeoutMs: 10_000, intervalMs: 10_000 }));
        expect(r.bodyBytes).toBe(LARGE.length);
        expect(r.text === LARGE).toBe(true);
      }
    } finally {
      raw.close();
    }
  });

  it('reconnects when the server closed the idle keep-alive connection', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await scraper.scrape(target('/idle-close'))).text).toBe(TEXT);
      await new Promise((r) => setTimeout(r, 30));
    }
  });

  it('keeps working after a timeout on the same target', async () => {
    await expect(scraper.scrape(target('/slow'))).rejects.toThrow('scrape timed out after 500 ms');
    expect((await scraper.scrape(target('/text'))).text).toBe(TEXT);
  });

  it('counts wire bytes before decompression', async () => {
    const r = await scraper.scrape(target('/gzip'));
    expect(r.wireBytes).toBe(gzipSync(TEXT).length);
  });

  it.each([
    ['/500', {}, 'http_status', 'server returned HTTP status 500 Internal Server Error'],
    ['/slow', {}, 'timeout', 'scrape timed out after 500 ms'],
    ['/big', {}, 'body_too_large', 'body size limit of 1000 bytes exceeded'],
    ['/bomb', {}, 'body_too_large', 'body size limit of 1000 bytes exceeded'],
    ['/badgzip', {}, 'encoding', /^reading the body failed: /],
    ['/br', {}, 'encoding', 'unsupported Content-Encoding "br"'],
    ['/json', { fallbackFormat: 'none' }, 'content_type', 'received unsupported Content-Type "application/json" and no fallbackFormat is set'],
    ['/none', { fallbackFormat: 'none' }, 'content_type', 'received unsupported Content-Type "" and no fallbackFormat is set'],
    ['/cut', {}, 'network', undefined],
    ['/nothing-here', {}, 'http_status', 'server returned HTTP status 404 Not Found'],
  ] as const)('fails %s (options %o) with reason %s', async (path, over, reason, message) => {
    const err = await scraper.scrape(target(path, over as Partial<TargetConfig>)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScrapeError);
    expect((err as ScrapeError).reason).toBe(reason);
    if (typeof message === 'string') expect((err as Error).message).toBe(message);
    else if (message) expect((err as Error).message).toMatch(message);
  });

  it('fails a refused connection as network', async () => {
    const err = (await scraper.scrape(target('/', { url: 'http://127.0.0.1:1/metrics' })).catch((e: unknown) => e)) as ScrapeError;
    expect(err.reason).toBe('network');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it.each([
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    ['text/plain; version=0.0.4', 'prometheus'],
    ['TEXT/PLAIN', 'prometheus'],
    ['application/json', undefined],
    [undefined, undefined],
  ])('maps Content-Type %s to %s', (ct, format) => {
    expect(formatOf(ct)).toBe(format);
  });
});
