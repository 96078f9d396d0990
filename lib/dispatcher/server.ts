// The dispatcher's own HTTP port: GET /metrics, /healthz (liveness) and /readyz (readiness).
// node:http via process.getBuiltinModule: see scrape.ts for why not `import`.
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { ListenConfig } from './config.ts';

export interface Probe {
  /** undefined = OK, else the reason served with 503. */
  (): string | undefined;
}

export interface StatusServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface StatusServerOptions {
  listen: ListenConfig;
  registry: Registry;
  healthy: Probe;
  ready: Probe;
  log: Logger;
}

export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const http = process.getBuiltinModule('node:http');
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => send(200, text, options.registry.contentType),
        (err: unknown) => send(500, `collecting metrics failed: ${String(err)}\n`),
      );
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const problem = path === '/healthz' ? options.healthy() : options.ready();
      return problem === undefined ? send(200, 'ok\n') : send(503, `${problem}\n`);
    }
    send(404, 'not found: try /metrics, /healthz or /readyz\n');
  });
  server.keepAliveTimeout = 65_000;
  const { host, port, explicit } = options.listen;
  let bound: number;
  try {
    bound = await listen(server, host, port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || explicit) throw err;
    // The default port is taken (another sidecar, or an app using 9464 itself): keep detecting, on a
    // free port, and say so loudly; set `listen:` or DEUCALION_HTTP_PORT to choose one.
    bound = await listen(server, host, 0);
    options.log.warn('default HTTP port in use; serving /metrics /healthz /readyz on another port', { wanted: port, port: bound });
  }
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    port: bound,
    url: `http://${shownHost}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
