// The dispatcher's small HTTP/1.1 client (lib/dispatcher/http-client.ts) against a raw TCP server, so
// the test sees the exact bytes and every connection. Scrape-side behaviour (gzip, chunked, dribbled
// bodies, timeouts) is covered through the Scraper in scrape.test.ts; this file covers what the sink
// relies on: POST bodies, connection reuse, the one retry on a stale connection, the idle close.
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, HttpClientError } from '../../lib/dispatcher/http-client.ts';
import { waitFor } from './harness.ts';

interface Received {
  connection: number;
  head: string;
  body: string;
}

/** Each complete request (head + Content-Length body) goes to `answer`, with its connection's number
 *  and its index on that connection; `answer` writes the response (or misbehaves). */
async function rawServer(answer: (socket: Socket, req: Received, indexOnConnection: number) => void) {
  const received: Received[] = [];
  const closed: number[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closed.push(connection);
    });
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    let index = 0;
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const req = { connection, head, body: pending.toString('utf8', end + 4, end + 4 + length) };
        pending = pending.subarray(end + 4 + length);
        received.push(req);
        answer(socket, req, index++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: new URL(`http://127.0.0.1:${port}/events`),
    received,
    closed,
    connections: () => connections,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const ACCEPTED = 'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n';

let server: Awaited<ReturnType<typeof rawServer>> | undefined;
let client: HttpClient | undefined;
afterEach(() => {
  client?.close();
  server?.close();
  client = server = undefined;
});

describe('HttpClient', () => {
  it('POSTs bodies with their Content-Length and reads the answers, all over one connection', async () => {
    server = await rawServer((socket, req) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(req.body) + 4}\r\n\r\necho${req.body}`));
    client = new HttpClient();
    for (const text of ['{"a":1}', '{"b":"é ü"}', '{}']) {
      const answer = await client.post(server.url, { 'Content-Type': 'application/json' }, Buffer.from(text), 1024);
      expect([answer.status, answer.body.toString('utf8')]).toEqual([200, `echo${text}`]);
    }
    expect(server.received.map((r) => r.body)).toEqual(['{"a":1}', '{"b":"é ü"}', '{}']);
    expect(server.received[1].head).toMatch(/^POST \/events HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    expect(server.received[1].head).toContain(`\r\nContent-Length: ${Buffer.byteLength('{"b":"é ü"}')}`);
    expect(server.connections()).toBe(1);
  });

  it('retries once on a fresh connection when the kept-alive one is reset before any answer', async () => {
    // The race of a server closing an idle connection just as the next request goes out.
    server = await rawServer((socket, _req, index) => (index === 1 ? socket.resetAndDestroy() : socket.write(ACCEPTED)));
    client = new HttpClient();
    expect((await client.post(server.url, {}, Buffer.from('first'), 1024)).status).toBe(202);
    expect((await client.post(server.url, {}, Buffer.from('second'), 1024)).status).toBe(202);
    expect(server.received.map((r) => [r.connection, r.body])).toEqual([
      [1, 'first'],
      [1, 'second'],
      [2, 'second'],
    ]);
  });

  it('does not retry once the answer has started, nor on a fresh connection', async () => {
    server = await rawServer((socket, req) => {
      if (req.body === 'cut') socket.end('HTTP/1.1 202 Accepted\r\nContent-Length: 10\r\n\r\nabc');
      else if (req.body === 'reset') socket.resetAndDestroy();
      else socket.write(ACCEPTED);
    });
    client = new HttpClient();
    await client.post(server.url, {}, Buffer.from('ok'), 1024);
    await expect(client.post(server.url, {}, Buffer.from('cut'), 1024)).rejects.toThrow('connection closed before the body was complete');
    await expect(client.post(server.url, {}, Buffer.from('reset'), 1024)).rejects.toMatchObject({ code: 'network', beforeResponse: true });
    expect(server.received.map((r) => r.body)).toEqual(['ok', 'cut', 'reset']);
  });

  it('closes its kept-alive connection after idleMs without a request, and reconnects for the next', async () => {
    server = await rawServer((socket) => socket.write(ACCEPTED));
    client = new HttpClient({ idleMs: 100 });
    await client.post(server.url, {}, Buffer.from('1'), 1024);
    await client.post(server.url, {}, Buffer.from('2'), 1024);
    await waitFor(() => server!.closed.length === 1, 'the idle connection closed by the client', 3000);
    await client.post(server.url, {}, Buffer.from('3'), 1024);
    expect(server.received.map((r) => [r.connection, r.body])).toEqual([
      [1, '1'],
      [1, '2'],
      [2, '3'],
    ]);
  });

  it('abort() fails the pending request, without a retry', async () => {
    server = await rawServer(() => {}); // never answers
    client = new HttpClient();
    const pending = client.post(server.url, {}, Buffer.from('x'), 1024);
    await waitFor(() => server!.received.length === 1, 'the request at the server');
    client.abort('timed out after 10 ms');
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpClientError);
    expect(err).toMatchObject({ code: 'aborted', message: 'timed out after 10 ms' });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received).toHaveLength(1);
  });
});
