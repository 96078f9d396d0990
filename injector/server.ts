// The webhook's HTTPS edge: route, check content type and size, decode, call admit(), encode,
// count and log. All decisions live in lib/inject/.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { admit, type AdmitResult } from '../lib/inject/admit.ts';
import type { InjectorConfig } from '../lib/inject/config.ts';
import type { Lookups } from '../lib/inject/lookups.ts';
import { createInjectorMetrics, type InjectorMetrics } from '../lib/inject/metrics.ts';
import { readTlsPair, watchTlsFiles } from '../lib/inject/tls-watch.ts';
import type { Logger } from '../lib/log.ts';
import { statusOf } from '../lib/runtime/http-error.ts';
import { readReviewBody, recordAdmission } from '../lib/inject/http-review.ts';

export interface InjectorServerOptions {
  port: number;
  host?: string;
  certFile: string;
  keyFile: string;
  config: InjectorConfig;
  lookups: Lookups;
  log: Logger;
  metrics?: InjectorMetrics;
  /** Extra readiness condition (the reconciler's cache synced); default always ready. */
  ready?: () => boolean;
  tlsPollMs?: number;
}

export interface RunningInjector {
  server: Server;
  port: number;
  url: string;
  metrics: InjectorMetrics;
  close(): Promise<void>;
}

export async function startInjectorServer(options: InjectorServerOptions): Promise<RunningInjector> {
  const { config, lookups, log } = options;
  const metrics = options.metrics ?? createInjectorMetrics();
  const server = createServer({ ...readTlsPair(options.certFile, options.keyFile), minVersion: 'TLSv1.2' }, (req, res) => {
    route(req, res).catch((err: unknown) => {
      log.error('unhandled request error', { err });
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    });
  });
  // The API server keeps connections open between admissions; don't close them under it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  const tls = watchTlsFiles({
    certFile: options.certFile,
    keyFile: options.keyFile,
    pollMs: options.tlsPollMs,
    onReload: (pair) => {
      server.setSecureContext({ ...pair, minVersion: 'TLSv1.2' });
      metrics.tlsReloads.inc({ result: 'ok' });
      log.info('TLS certificate reloaded', { certFile: options.certFile });
    },
    onError: (err) => {
      metrics.tlsReloads.inc({ result: 'error' });
      metrics.errors.inc({ stage: 'tls_reload' });
      log.warn('TLS certificate reload failed; keeping the previous one', { err });
    },
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/mutate') {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST\n', { allow: 'POST' });
      return mutate(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'use GET\n', { allow: 'GET' });
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
    if (path === '/readyz') return (options.ready?.() ?? true) ? send(res, 200, 'text/plain', 'ok\n') : send(res, 503, 'text/plain', 'not ready\n');
    if (path === '/metrics') return send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
    send(res, 404, 'text/plain', 'not found\n');
  }

  async function mutate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
    let result: AdmitResult;
    try {
      result = await admit(await readReviewBody(req), { config, lookups });
    } catch (err) {
      const status = statusOf(err);
      metrics.errors.inc({ stage: 'request' });
      metrics.latency.observe({ outcome: 'rejected' }, seconds());
      log.warn('bad admission request', { status, reason: (err as Error).message });
      return send(res, status, 'text/plain', `${(err as Error).message}\n`);
    }
    send(res, 200, 'application/json', JSON.stringify(result.review));
    recordAdmission(result, seconds(), metrics, log, config.failurePolicy);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `https://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        tls.close();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
