// The dispatcher's https paths (lib/dispatcher/https-client.ts) against real TLS servers with
// self-signed certificates made by openssl: the scrape of an https target with each `tls:` setting,
// and anomaly events to an https sink trusting its CA, as a Knative SinkBinding's K_CA_CERTS asks.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { getCACertificates, setDefaultCACertificates, TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SinkConfig, TargetConfig } from '../../lib/dispatcher/config.ts';
import { createEvent } from '../../lib/dispatcher/event.ts';
import { HttpsClient } from '../../lib/dispatcher/https-client.ts';
import { ScrapeError, Scraper } from '../../lib/dispatcher/scrape.ts';
import { EventSink } from '../../lib/dispatcher/sink.ts';
import { silentLogger } from '../../lib/log.ts';
import { makeCert } from '../injector/tls.ts';
import { startSink, startTarget, waitFor, type ServerTls, type Sink, type Target } from './harness.ts';

let server: ServerTls;
let client: { cert: string; key: string };
let other: { cert: string; key: string };
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-https-'));
  const pem = (name: string, cn: string) => {
    const files = makeCert(dir, cn, name);
    return { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') };
  };
  server = pem('server', 'metrics.local');
  client = pem('client', 'deucalion-dispatcher');
  other = pem('other', 'someone-else');
});

const targetConfig = (url: string, tls?: TargetConfig['tls']): TargetConfig => ({ url, intervalMs: 1000, timeoutMs: 2000, bodySizeLimit: 1 << 20, gzip: false, fallbackFormat: 'prometheus', tls });

let target: Target | undefined;
let scraper: Scraper | undefined;
afterEach(async () => {
  scraper?.close();
  await target?.close();
  scraper = target = undefined;
});

describe('scraping an https target', () => {
  it('refuses a certificate it was not told to trust, naming the reason', async () => {
    target = await startTarget({ tls: server });
    scraper = new Scraper();
    const err = await scraper.scrape(targetConfig(target.url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScrapeError);
    expect(err).toMatchObject({ reason: 'network' });
    expect((err as Error).message).toMatch(/self[- ]signed certificate/i);
    expect(target.scrapes()).toBe(0);
  });

  it('trusts tls.ca, and keeps one TLS connection across scrapes', async () => {
    target = await startTarget({ tls: server });
    scraper = new Scraper();
    for (let i = 0; i < 3; i++) {
      const result = await scraper.scrape(targetConfig(target.url, { ca: server.cert }));
      expect(result.text).toContain('app_queue_depth{queue="orders"}');
    }
    expect([target.scrapes(), target.connections()]).toEqual([3, 1]);
  });

  it('trusts tls.ca besides the default CAs (NODE_EXTRA_CA_CERTS, say), not instead of them', async () => {
    const defaults = getCACertificates('default');
    setDefaultCACertificates([...defaults, other.cert]); // what NODE_EXTRA_CA_CERTS=other.crt gives at startup
    try {
      target = await startTarget({ tls: other });
      scraper = new Scraper();
      await expect(scraper.scrape(targetConfig(target.url, { ca: server.cert }))).resolves.toMatchObject({ format: 'openmetrics' });
    } finally {
      setDefaultCACertificates(defaults);
    }
  });

  it('accepts any certificate with insecureSkipVerify', async () => {
    target = await startTarget({ tls: server });
    scraper = new Scraper();
    await expect(scraper.scrape(targetConfig(target.url, { insecureSkipVerify: true }))).resolves.toMatchObject({ format: 'openmetrics' });
  });

  it('checks the certificate against serverName instead of the URL host', async () => {
    target = await startTarget({ tls: server });
    scraper = new Scraper();
    // The certificate names localhost and 127.0.0.1 (its SAN), not metrics.example.
    const wrong = await scraper.scrape(targetConfig(target.url, { ca: server.cert, serverName: 'metrics.example' })).catch((e: Error) => e);
    expect((wrong as Error).message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match/);
    await expect(scraper.scrape(targetConfig(target.url, { ca: server.cert, serverName: 'localhost' }))).resolves.toMatchObject({ format: 'openmetrics' });
  });

  it('presents certFile/keyFile to a target that asks for a client certificate', async () => {
    target = await startTarget({ tls: { ...server, clientCa: client.cert } });
    scraper = new Scraper();
    const without = await scraper.scrape(targetConfig(target.url, { ca: server.cert })).catch((e: Error) => e);
    expect(without).toBeInstanceOf(ScrapeError);
    const wrongClient = await scraper.scrape(targetConfig(target.url, { ca: server.cert, cert: other.cert, key: other.key })).catch((e: Error) => e);
    expect(wrongClient).toBeInstanceOf(ScrapeError);
    await expect(scraper.scrape(targetConfig(target.url, { ca: server.cert, cert: client.cert, key: client.key }))).resolves.toMatchObject({ format: 'openmetrics' });
    expect(target.scrapes()).toBe(1);
  });

  it('applies the body size limit and the timeout as over http, and recovers after a timeout', async () => {
    let slow = false;
    target = await startTarget({
      tls: server,
      mutate: (body, _n, res) => {
        if (!slow) return undefined;
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(body), 400);
        return 'handled';
      },
    });
    scraper = new Scraper();
    const tls = { ca: server.cert };
    await expect(scraper.scrape({ ...targetConfig(target.url, tls), bodySizeLimit: 100 })).rejects.toMatchObject({ reason: 'body_too_large' });
    slow = true;
    await expect(scraper.scrape({ ...targetConfig(target.url, tls), timeoutMs: 100 })).rejects.toMatchObject({ reason: 'timeout' });
    slow = false;
    await expect(scraper.scrape(targetConfig(target.url, tls))).resolves.toMatchObject({ format: 'openmetrics' });
  });
});

const sinkConfig = (url: string, tls?: SinkConfig['tls']): SinkConfig => ({ url, timeoutMs: 2000, bufferEvents: 100, retryBaseMs: 20, retryMaxMs: 100, mode: 'binary', tls });
const data = (n: number) => ({ namespace: 'ns', pod: 'p', anomalies: [{ detector: 'zscore', labels: { __name__: 'm', i: String(n) }, timestamp: n, value: n, score: 2 }] });

function counters() {
  const c = { sent: 0, failed: [] as string[], dropped: 0 };
  return { c, hooks: { sent: () => void c.sent++, failed: (r: string) => void c.failed.push(r), dropped: () => void c.dropped++, depth: () => {} } };
}

describe('sending to an https sink', () => {
  let sink: Sink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('delivers valid CloudEvents over one connection when it trusts the sink CA', async () => {
    sink = await startSink({ tls: server });
    const { c, hooks } = counters();
    const events = new EventSink(sinkConfig(sink.url, { ca: server.cert }), hooks, silentLogger);
    for (let i = 1; i <= 3; i++) events.enqueue(createEvent('/namespaces/ns/pods/p', data(i)));
    await waitFor(() => sink!.events.length === 3, '3 events at the https sink', 10_000);
    await events.flush(Date.now() + 1000);
    expect(sink.events.map((e) => e.data.anomalies[0].value)).toEqual([1, 2, 3]);
    expect(sink.events[0].headers['user-agent']).toBe('deucalion-dispatcher/0.1');
    expect([c.sent, c.failed, c.dropped, sink.connections()]).toEqual([3, [], 0, 1]);
  });

  it('keeps an event it could not deliver to an untrusted sink, and delivers it once the CA is given', async () => {
    sink = await startSink({ tls: server });
    const { c, hooks } = counters();
    const events = new EventSink(sinkConfig(sink.url), hooks, silentLogger);
    events.enqueue(createEvent('/namespaces/ns/pods/p', data(7)));
    await waitFor(() => c.failed.length >= 2, 'failed sends', 10_000);
    expect([sink.events.length, events.depth, c.failed[0]]).toEqual([0, 1, 'network']);
    events.update(sinkConfig(sink.url, { ca: server.cert }));
    await waitFor(() => sink!.events.length === 1, 'the event after the CA came', 10_000);
    await events.flush(Date.now() + 1000);
    expect([c.sent, c.dropped]).toEqual([1, 0]);
  });
});

describe('HttpsClient', () => {
  let close: (() => void) | undefined;
  afterAll(() => close?.());

  /** A raw TLS server: `answer(socket, raw, body, indexOnConnection)` writes the response or misbehaves. */
  async function rawTlsServer(answer: (socket: TLSSocket, raw: import('node:net').Socket, body: string, index: number) => void) {
    const state = { connections: 0, bodies: [] as string[] };
    const tlsServer = createNetServer((raw) => {
      state.connections++;
      raw.on('error', () => {});
      const socket = new TLSSocket(raw, { isServer: true, cert: server.cert, key: server.key });
      let seen = 0;
      let pending = '';
      socket.on('error', () => {});
      socket.on('data', (d: Buffer) => {
        pending += d.toString('latin1');
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(pending)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const body = pending.slice(end + 4, end + 4 + length);
        pending = '';
        state.bodies.push(body);
        answer(socket, raw, body, seen++);
      });
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    close = () => tlsServer.close();
    return { state, url: new URL(`https://127.0.0.1:${(tlsServer.address() as { port: number }).port}/`) };
  }
  const ACCEPTED = 'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nKeep-Alive: timeout=30\r\n\r\n';

  it('re-sends once, on a fresh connection, a request whose kept-alive connection is reset before any answer', async () => {
    // The second request of each connection is met with a TCP RST under the TLS session: what a server
    // that closed an idle connection looks like to the client.
    const { state, url } = await rawTlsServer((socket, raw, _body, index) => (index === 1 ? raw.resetAndDestroy() : socket.write(ACCEPTED)));
    const https = new HttpsClient();
    https.configure({ ca: server.cert });
    try {
      expect((await https.post(url, {}, Buffer.from('one'), 1024)).status).toBe(202);
      expect((await https.post(url, {}, Buffer.from('two'), 1024)).status).toBe(202);
      expect([state.bodies, state.connections]).toEqual([['one', 'two', 'two'], 2]);
    } finally {
      https.close();
    }
  });

  it('does not re-send once the answer has begun, even on a reused connection', async () => {
    const { state, url } = await rawTlsServer((socket, raw, _body, index) => {
      if (index === 0) return socket.write(ACCEPTED);
      socket.write('HTTP/1.1 202 Acc');
      setTimeout(() => raw.resetAndDestroy(), 50);
    });
    const https = new HttpsClient();
    https.configure({ ca: server.cert });
    try {
      expect((await https.post(url, {}, Buffer.from('one'), 1024)).status).toBe(202);
      await expect(https.post(url, {}, Buffer.from('two'), 1024)).rejects.toMatchObject({ code: 'network', beforeResponse: false, reusedConnection: true });
      expect([state.bodies, state.connections]).toEqual([['one', 'two'], 1]);
    } finally {
      https.close();
    }
  });
});
