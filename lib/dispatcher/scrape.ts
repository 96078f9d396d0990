// HTTP scrape of the pod's metrics endpoint the way Prometheus does it: the same Accept header
// (OpenMetrics preferred, text 0.0.4 accepted), gzip, a timeout header and deadline, a limit on the
// uncompressed body, and the format chosen from the response's Content-Type. Plain http (the pod's
// own localhost endpoint) goes through the small client of http-client.ts; https through
// https-client.ts (node:https, with the target's tls settings).
//
// Builtins are taken with process.getBuiltinModule, not `import`: an ESM import of a builtin evaluates
// every lazy getter of its namespace (node:http's loads undici for WebSocket, ~13 MB of RSS in the
// sidecar). node:https is loaded only for https targets and node:zlib only for compressed bodies (a
// loopback target is not asked for gzip by default).
import type { ScrapeFormat, TargetConfig } from './config.ts';
import { HttpClientError, type RawResponse } from './http-client.ts';
import { PeerClients } from './https-client.ts';

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
  private readonly clients = new PeerClients();

  scrape(target: TargetConfig): Promise<ScrapeResult> {
    const url = new URL(target.url);
    const headers = {
      Accept: SCRAPE_ACCEPT,
      'Accept-Encoding': target.gzip ? 'gzip' : 'identity',
      'User-Agent': USER_AGENT,
      'X-Prometheus-Scrape-Timeout-Seconds': String(target.timeoutMs / 1000),
    };
    return new Promise<ScrapeResult>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | undefined, result?: ScrapeResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(result!);
      };
      // One keep-alive connection, as Prometheus keeps one per target: no TCP handshake per scrape.
      const client = this.clients.for(url, target.tls);
      const timer = setTimeout(() => {
        settle(new ScrapeError('timeout', `scrape timed out after ${target.timeoutMs} ms`));
        client.abort('scrape timed out');
      }, target.timeoutMs);
      const onResponse = (r: RawResponse) => {
        try {
          settle(undefined, decodeResponse(r, target));
        } catch (err) {
          settle(err as Error);
        }
      };
      const onError = (err: Error) => {
        if (err instanceof HttpClientError && err.code === 'too_large') settle(new ScrapeError('body_too_large', err.message));
        else settle(new ScrapeError('network', `scrape of ${target.url} failed: ${describeNetError(err)}`));
      };
      client.get(url, headers, target.bodySizeLimit).then(onResponse, onError);
    });
  }

  close(): void {
    this.clients.close();
  }
}

/** Status, format and content decoding of a complete response; throws ScrapeError. */
function decodeResponse(r: RawResponse, target: TargetConfig): ScrapeResult {
  if (r.status !== 200) throw new ScrapeError('http_status', `server returned HTTP status ${r.status} ${r.statusText}`.trim());
  const contentType = r.headers['content-type'];
  const format = formatOf(contentType) ?? (target.fallbackFormat === 'none' ? undefined : target.fallbackFormat);
  if (!format) throw new ScrapeError('content_type', `received unsupported Content-Type ${JSON.stringify(contentType ?? '')} and no fallbackFormat is set`);
  const encoding = (r.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const zlib = encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate' ? process.getBuiltinModule('node:zlib') : undefined;
  const decode = zlib && (encoding === 'deflate' ? zlib.inflateSync : zlib.gunzipSync);
  if (!decode && encoding !== 'identity' && encoding !== '') throw new ScrapeError('encoding', `unsupported Content-Encoding ${JSON.stringify(encoding)}`);
  // Decompressed in one synchronous call: for the kB to MB of a scrape that is cheaper than a zlib
  // stream per scrape (a new inflate context and a thread-pool hop per chunk).
  let body = r.body;
  if (decode) {
    try {
      body = decode(r.body, { maxOutputLength: target.bodySizeLimit });
    } catch (err) {
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
      throw tooLarge ? new ScrapeError('body_too_large', `body size limit of ${target.bodySizeLimit} bytes exceeded`) : new ScrapeError('encoding', `reading the body failed: ${(err as Error).message}`);
    }
  }
  return { format, text: body.toString('utf8'), wireBytes: r.wireBytes, bodyBytes: body.length };
}

function describeNetError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code} ${e.message}` : String(e.message ?? err);
}
