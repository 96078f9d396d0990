// A TCP proxy on 127.0.0.1 that counts the bytes in each direction: the network benchmark's boundary
// when it cannot create network namespaces (not root, or no `ip`). Counts payload bytes only, no
// TCP/IP headers, so figures are a little lower than on a veth.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface CountingProxy {
  readonly port: number;
  /** Bytes client → server (requests) and server → client (responses). */
  readonly counts: { up: number; down: number };
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CountingProxy> {
  const counts = { up: 0, down: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host: targetHost });
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => (counts.up += d.length));
    upstream.on('data', (d: Buffer) => (counts.down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
