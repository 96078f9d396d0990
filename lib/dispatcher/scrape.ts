// HTTP scrape of the pod's metrics endpoint the way Prometheus does it: the same Accept header
// (OpenMetrics preferred, text 0.0.4 accepted), gzip, a timeout header and deadline, a limit on the
// uncompressed body, and the format chosen from the response's Content-Type.
//
// node:http is taken with process.getBuiltinModule, not `import`: an ESM import of node:http builds its
// namespace eagerly, which loads undici for http.WebSocket and costs the sidecar ~13 MB of RSS.
import type { Agent, IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { ScrapeFormat, TargetConfig } from './config.ts';

/** Prometheus' default scrape_protocols (no native histograms), with legacy name escaping: our parser
 *  reads classic names only, so the target is asked to escape UTF-8 names to underscores. */
export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,' +
  'text/plain;version=1.0.0;escaping=underscores;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';

export const USER_AGENT = 'deucalion-dispatcher/0.1';

export type ScrapeFailure = 'timeout' | 'http_status' | 'body_too_large' | 'content_type' | 'encoding' | 'network';

export class ScrapeError extends Error {
  readonly reason: ScrapeFailure;
  constructor(reason: ScrapeFailure, message: string) {
    super(message);
    this.name = 'ScrapeError';
    this.reason = reason;
  }
}

export interface ScrapeResult {
  format: ScrapeFormat;
  text: string;
  /** Bytes received on the wire (compressed, if it was). */
  wireBytes: number;
  /** Bytes of the decoded body. */
  bodyBytes: number;
}

/** Format named by a Content-Type, or undefined when it names none we read. */
export function formatOf(contentType: string | undefined): ScrapeFormat | undefined {
  if (!contentType) return undefined;
  const mime = contentType.split(';', 1)[0].trim().toLowerCase();
  if (mime === 'application/openmetrics-text') return 'openmetrics';
  if (mime === 'text/plain') return 'prometheus';
  return undefined;
}

export class Scraper {
  private readonly http = process.getBuiltinModule('node:http');
  private https: typeof Https | undefined;
  private readonly agent: Agent;

  constructor() {
    // One keep-alive connection, as Prometheus keeps one per target: no TCP handshake per scrape.
    this.agent = new this.http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  scrape(target: TargetConfig): Promise<ScrapeResult> {
    const url = new URL(target.url);
    const headers = {
      accept: SCRAPE_ACCEPT,
      'accept-encoding': target.gzip ? 'gzip' : 'identity',
      'user-agent': USER_AGENT,
      'x-prometheus-scrape-timeout-seconds': String(target.timeoutMs / 1000),
    };
    const secure = url.protocol === 'https:';
    if (secure) this.https ??= process.getBuiltinModule('node:https');
    const request = secure ? this.https!.request : this.http.request;
    return new Promise<ScrapeResult>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, result?: ScrapeResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(result!);
      };
      const req = request(url, { method: 'GET', headers, agent: secure ? undefined : this.agent }, (res) => {
        readResponse(res, target, finish);
      });
      const timer = setTimeout(() => finish(new ScrapeError('timeout', `scrape timed out after ${target.timeoutMs} ms`)), target.timeoutMs);
      req.on('error', (err) => finish(new ScrapeError('network', `scrape of ${target.url} failed: ${describeNetError(err)}`)));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function readResponse(res: IncomingMessage, target: TargetConfig, finish: (err: Error | undefined, result?: ScrapeResult) => void): void {
  if (res.statusCode !== 200) {
    res.resume();
    finish(new ScrapeError('http_status', `server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
    return;
  }
  const contentType = res.headers['content-type'];
  const format = formatOf(contentType) ?? (target.fallbackFormat === 'none' ? undefined : target.fallbackFormat);
  if (!format) {
    res.resume();
    finish(new ScrapeError('content_type', `received unsupported Content-Type ${JSON.stringify(contentType ?? '')} and no fallbackFormat is set`));
    return;
  }
  let body: Readable = res;
  const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') body = res.pipe(createGunzip());
  else if (encoding === 'deflate') body = res.pipe(createInflate());
  else if (encoding !== 'identity' && encoding !== '') {
    res.resume();
    finish(new ScrapeError('encoding', `unsupported Content-Encoding ${JSON.stringify(encoding)}`));
    return;
  }
  let wireBytes = 0;
  res.on('data', (chunk: Buffer) => (wireBytes += chunk.length));
  const chunks: Buffer[] = [];
  let bodyBytes = 0;
  body.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.length;
    if (bodyBytes > target.bodySizeLimit) {
      body.destroy();
      res.destroy();
      finish(new ScrapeError('body_too_large', `body size limit of ${target.bodySizeLimit} bytes exceeded`));
      return;
    }
    chunks.push(chunk);
  });
  body.on('error', (err: Error) => finish(new ScrapeError(body === res ? 'network' : 'encoding', `reading the body failed: ${err.message}`)));
  res.on('close', () => {
    if (!res.complete) finish(new ScrapeError('network', 'connection closed before the body was complete'));
  });
  body.on('end', () => {
    const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, bodyBytes).toString('utf8');
    finish(undefined, { format, text, wireBytes, bodyBytes });
  });
}

function describeNetError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code} ${e.message}` : String(e.message ?? err);
}
