// A minimal HTTP/1.1 client over one keep-alive TCP connection, for the dispatcher's two plain-http
// peers: the scraped target (GET every interval) and the event sink (a POST per anomaly event).
// Hand-written because it runs for the life of every pod: measured on Node 24, scraping a 36 kB body
// once a second costs ~1.0 ms/s of CPU through node:http and ~0.6 ms/s this way (no
// ClientRequest/IncomingMessage streams, agent bookkeeping or header validation per request), and an
// event ~1.4 ms through node:http with a new connection, ~0.95 ms this way (docs/dispatcher.md, "Cost").
// It speaks just what these peers need: status line, headers, Content-Length, chunked or
// close-delimited bodies, keep-alive. HTTPS goes through node:https instead (https-client.ts, the same
// surface: RequestClient).
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Bytes of the body as sent (before any content decoding). */
  wireBytes: number;
}

export class HttpClientError extends Error {
  /** network: the connection failed; too_large: the body limit was hit; aborted: abort() was called. */
  readonly code: 'too_large' | 'network' | 'aborted';
  /** Failed before any byte of the response arrived. */
  readonly beforeResponse: boolean;
  /** The request went out on a kept-alive connection that an earlier request had used. */
  readonly reusedConnection: boolean;
  constructor(code: 'too_large' | 'network' | 'aborted', message: string, beforeResponse = false, reusedConnection = false) {
    super(message);
    this.code = code;
    this.beforeResponse = beforeResponse;
    this.reusedConnection = reusedConnection;
  }
}

/**
 * A kept-alive connection the server closed while idle fails before any byte of the response (closed
 * or reset): such a request is retried once, on a fresh connection. The server saw no complete request
 * then, or answered nothing; a POST may in rare cases be delivered twice, which at-least-once event
 * delivery allows (the sink retries failed sends anyway).
 */
export function isStaleConnection(err: unknown): boolean {
  return err instanceof HttpClientError && err.code === 'network' && err.beforeResponse && err.reusedConnection;
}

/** What the scrape and the sink need of a client: HttpClient for http:, HttpsClient for https:. */
export interface RequestClient {
  /** GET `url`. Rejects with HttpClientError; the caller owns the timeout (call abort()). */
  get(url: URL, headers: Record<string, string>, maxBody: number): Promise<RawResponse>;
  /** POST `body` to `url`; Content-Length is set by the client. Like get() otherwise. */
  post(url: URL, headers: Record<string, string>, body: Buffer, maxBody: number): Promise<RawResponse>;
  /** Drop the connection (timeout, target changed); a pending request fails with code 'aborted'. */
  abort(reason?: string): void;
  close(): void;
}

export interface HttpClientOptions {
  /** Close the kept-alive connection after this long without a request (default: keep it). */
  idleMs?: number;
}

const MAX_HEAD = 64 * 1024;
/** Socket reads land here (net.connect `onread`), not in a fresh Buffer per read pushed through a
 *  Readable stream: measured by perf on the sidecar bench, the stream path was ~7% of its CPU. */
const READ_BUFFER_BYTES = 64 * 1024;

interface Exchange {
  resolve(r: RawResponse): void;
  reject(e: Error): void;
  maxBody: number;
  head: Buffer[];
  headBytes: number;
  headers?: Record<string, string>;
  status: number;
  statusText: string;
  body: Buffer[];
  bodyBytes: number;
  /** Content-Length, or -1 for chunked, or -2 for read-until-close. */
  length: number;
  chunkLeft: number;
  /** Chunked decoder: bytes of a size line or CRLF carried over a packet boundary. */
  pendingLine: string;
  chunkState: 'size' | 'data' | 'crlf' | 'trailer' | 'done';
  received: boolean;
  keepAlive: boolean;
  /** Sent on a connection an earlier request used. */
  reused: boolean;
}

export class HttpClient implements RequestClient {
  private readonly idleMs: number | undefined;
  private socket: Socket | undefined;
  /** host:port the socket is connected to (the target may change on reload). */
  private origin = '';
  private exchange: Exchange | undefined;
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** The request head of the last request: a scrape repeats the same request every interval. */
  private lastHead: { key: string; bytes: Buffer } | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.idleMs = options.idleMs;
  }

  get(url: URL, headers: Record<string, string>, maxBody: number): Promise<RawResponse> {
    return this.request('GET', url, headers, undefined, maxBody);
  }

  post(url: URL, headers: Record<string, string>, body: Buffer, maxBody: number): Promise<RawResponse> {
    return this.request('POST', url, { ...headers, 'Content-Length': String(body.length) }, body, maxBody);
  }

  abort(reason = 'aborted'): void {
    this.fail(new HttpClientError('aborted', reason));
  }

  close(): void {
    this.abort('client closed');
  }

  private request(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: Buffer | undefined, maxBody: number): Promise<RawResponse> {
    if (this.socket && this.origin !== url.host) this.abort('target changed');
    return this.send(method, url, headers, body, maxBody).catch((err: unknown) => {
      if (isStaleConnection(err)) return this.send(method, url, headers, body, maxBody);
      throw err;
    });
  }

  private send(method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, maxBody: number): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const reused = this.socket !== undefined && !this.socket.destroyed;
      if (!reused) this.open(url);
      const socket = this.socket!;
      this.exchange = { resolve, reject, maxBody, head: [], headBytes: 0, status: 0, statusText: '', body: [], bodyBytes: 0, length: -2, chunkLeft: 0, pendingLine: '', chunkState: 'size', received: false, keepAlive: true, reused };
      if (this.idleMs !== undefined) socket.setTimeout(0);
      if (body === undefined) socket.write(this.headBytes(method, url, headers));
      else {
        socket.cork(); // head and body in one segment
        socket.write(this.headBytes(method, url, headers));
        socket.write(body);
        socket.uncork();
      }
    });
  }

  private headBytes(method: string, url: URL, headers: Record<string, string>): Buffer {
    let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    head += '\r\n';
    if (this.lastHead?.key !== head) this.lastHead = { key: head, bytes: Buffer.from(head, 'latin1') };
    return this.lastHead.bytes;
  }

  private open(url: URL): void {
    // Events of a connection given up on (timeout, error) must not touch the next request's exchange.
    // The read buffer is reused, so onData copies what it keeps.
    const socket = connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: {
        buffer: this.readBuffer,
        callback: (bytes: number, buffer: Uint8Array) => {
          if (this.socket === socket) this.onData(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
          return true; // keep reading
        },
      },
    });
    socket.setNoDelay(true);
    this.origin = url.host;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const ex = this.exchange;
      if (this.socket === socket) this.fail(new HttpClientError('network', `${err.code ?? ''} ${err.message}`.trim(), ex !== undefined && !ex.received, ex?.reused));
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      const ex = this.exchange;
      if (ex && ex.headers && ex.length === -2) this.finish(); // close-delimited body ends here
      else if (ex) this.fail(ex.received ? new HttpClientError('network', 'connection closed before the body was complete') : new HttpClientError('network', 'connection closed before the response', true, ex.reused));
    });
    // Idle past idleMs with no request: close it ourselves, before the server does so under a request.
    socket.on('timeout', () => {
      if (this.socket !== socket || this.exchange) return;
      this.socket = undefined;
      socket.destroy();
    });
    this.socket = socket;
  }

  private fail(err: Error): void {
    const ex = this.exchange;
    this.exchange = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    ex?.reject(err);
  }

  private finish(): void {
    const ex = this.exchange!;
    this.exchange = undefined;
    if (!ex.keepAlive) {
      this.socket?.destroy();
      this.socket = undefined;
    } else if (this.idleMs !== undefined) this.socket?.setTimeout(this.idleMs);
    const body = ex.body.length === 1 ? ex.body[0] : Buffer.concat(ex.body, ex.bodyBytes);
    ex.resolve({ status: ex.status, statusText: ex.statusText, headers: ex.headers!, body, wireBytes: ex.bodyBytes });
  }

  /** `chunk` is a view of the reused read buffer: valid only during this call. */
  private onData(chunk: Buffer): void {
    const ex = this.exchange;
    if (!ex) return; // bytes after a complete response: ignore
    ex.received = true;
    let data = chunk;
    if (!ex.headers) {
      ex.headBytes += chunk.length;
      const all = ex.head.length === 0 ? chunk : Buffer.concat([...ex.head, chunk], ex.headBytes);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (ex.headBytes > MAX_HEAD) this.fail(new HttpClientError('network', 'response headers too large'));
        else ex.head.push(Buffer.from(chunk));
        return;
      }
      if (!this.parseHead(ex, all.toString('latin1', 0, end))) return;
      data = all.subarray(end + 4);
    }
    if (ex.length >= 0) this.addBody(ex, data.length > ex.length - ex.bodyBytes ? data.subarray(0, ex.length - ex.bodyBytes) : data);
    else if (ex.length === -1) this.addChunked(ex, data);
    else this.addBody(ex, data);
    if (this.exchange === ex && (ex.chunkState === 'done' || (ex.length >= 0 && ex.bodyBytes >= ex.length))) this.finish();
  }

  private parseHead(ex: Exchange, head: string): boolean {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (!status) {
      this.fail(new HttpClientError('network', `not an HTTP/1.x response: ${JSON.stringify(lines[0].slice(0, 40))}`));
      return false;
    }
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon <= 0) continue;
      const name = lines[i].slice(0, colon).trim().toLowerCase();
      const value = lines[i].slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    ex.status = Number(status[1]);
    ex.statusText = status[2] ?? '';
    ex.headers = headers;
    ex.keepAlive = !/\bclose\b/i.test(headers.connection ?? '') && lines[0].startsWith('HTTP/1.1');
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) ex.length = -1;
    else if (headers['content-length'] !== undefined && /^\d+$/.test(headers['content-length'])) ex.length = Number(headers['content-length']);
    else if (ex.status === 204 || ex.status === 304) ex.length = 0;
    else ex.keepAlive = false; // body runs to the end of the connection
    return true;
  }

  private addBody(ex: Exchange, data: Buffer): void {
    if (data.length === 0) return;
    ex.bodyBytes += data.length;
    if (ex.bodyBytes > ex.maxBody) {
      this.fail(new HttpClientError('too_large', `body size limit of ${ex.maxBody} bytes exceeded`));
      return;
    }
    ex.body.push(Buffer.from(data)); // a copy: `data` may be a view of the reused read buffer
  }

  private addChunked(ex: Exchange, data: Buffer): void {
    let i = 0;
    while (i < data.length && this.exchange === ex && ex.chunkState !== 'done') {
      if (ex.chunkState === 'data') {
        const n = Math.min(ex.chunkLeft, data.length - i);
        this.addBody(ex, data.subarray(i, i + n));
        ex.chunkLeft -= n;
        i += n;
        if (ex.chunkLeft === 0) ex.chunkState = 'crlf';
        continue;
      }
      const nl = data.indexOf(10, i);
      const piece = data.toString('latin1', i, nl < 0 ? data.length : nl + 1);
      i = nl < 0 ? data.length : nl + 1;
      ex.pendingLine += piece;
      if (nl < 0) {
        if (ex.pendingLine.length > 4096) this.fail(new HttpClientError('network', 'malformed chunked encoding'));
        continue;
      }
      const line = ex.pendingLine.trimEnd();
      ex.pendingLine = '';
      if (ex.chunkState === 'crlf') {
        if (line !== '') this.fail(new HttpClientError('network', 'malformed chunked encoding'));
        ex.chunkState = 'size';
      } else if (ex.chunkState === 'size') {
        const size = parseInt(line.split(';', 1)[0], 16);
        if (!/^[0-9a-fA-F]+/.test(line) || Number.isNaN(size)) this.fail(new HttpClientError('network', 'malformed chunked encoding'));
        else if (size === 0) ex.chunkState = 'trailer';
        else {
          ex.chunkLeft = size;
          ex.chunkState = 'data';
        }
      } else if (line === '') ex.chunkState = 'done'; // end of trailers
    }
  }
}
