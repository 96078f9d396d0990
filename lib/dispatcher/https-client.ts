// The https counterpart of http-client.ts, with the same surface (get, post, abort, close) and the same
// errors, so the scrape and the sink pick a client by the URL's scheme and handle both alike. It goes
// through node:https, loaded on first use: TLS is rare for a sidecar's loopback target, and its cost
// (OpenSSL, the TLS stack) is then paid only by pods that need it. One kept-alive connection per
// client, like the plain client; a request that fails on a reused connection before any byte of the
// answer is retried once, by the same rule (isStaleConnection).
import type { ClientRequest, IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { HttpClient, HttpClientError, isStaleConnection, type HttpClientOptions, type RawResponse, type RequestClient } from './http-client.ts';

/** What a target or a sink may say about TLS (config: `tls:`); PEM text, not file names. */
export interface TlsSettings {
  /** CA certificates trusted in addition to the default ones (Node's bundled CAs, NODE_EXTRA_CA_CERTS). */
  ca?: string;
  /** Client certificate and key, for servers that ask for one. */
  cert?: string;
  key?: string;
  /** Name checked against the server's certificate (and sent as SNI) instead of the URL's host. */
  serverName?: string;
  /** Accept any certificate: for a loopback target with a self-signed one. */
  insecureSkipVerify?: boolean;
}

interface Pending {
  req: ClientRequest;
  settled: boolean;
  reject(err: Error): void;
}

export class HttpsClient implements RequestClient {
  private readonly idleMs: number | undefined;
  private agent: Https.Agent | undefined;
  private pending: Pending | undefined;
  private tls: TlsSettings = {};
  private tlsOptions: SecureRequestOptions = {};

  constructor(options: HttpClientOptions = {}) {
    this.idleMs = options.idleMs;
  }

  /**
   * TLS settings for the requests that follow (a config reload may change them). Called before each
   * request by PeerClients; the scrape and the sink send one request at a time, so a change never
   * cuts one in flight. Throws what createSecureContext throws for unusable PEM (the config check
   * reports that first: tlsProblem).
   */
  configure(tls: TlsSettings | undefined): void {
    const next = tls ?? {};
    if (sameTls(this.tls, next)) return;
    this.tlsOptions = tlsOptions(next);
    this.tls = next;
    // Connections made under the old settings must not carry the new requests.
    this.agent?.destroy();
    this.agent = undefined;
  }

  get(url: URL, headers: Record<string, string>, maxBody: number): Promise<RawResponse> {
    return this.request('GET', url, headers, undefined, maxBody);
  }

  post(url: URL, headers: Record<string, string>, body: Buffer, maxBody: number): Promise<RawResponse> {
    return this.request('POST', url, { ...headers, 'Content-Length': String(body.length) }, body, maxBody);
  }

  abort(reason = 'aborted'): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p || p.settled) return;
    p.settled = true;
    p.req.destroy();
    p.reject(new HttpClientError('aborted', reason));
  }

  close(): void {
    this.abort('client closed');
    this.agent?.destroy();
    this.agent = undefined;
  }

  private request(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: Buffer | undefined, maxBody: number): Promise<RawResponse> {
    return this.send(method, url, headers, body, maxBody).catch((err: unknown) => {
      if (isStaleConnection(err)) return this.send(method, url, headers, body, maxBody);
      throw err;
    });
  }

  private send(method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, maxBody: number): Promise<RawResponse> {
    const https = process.getBuiltinModule('node:https');
    // One socket, kept alive; `timeout` closes it once idle that long (Node's agent destroys a free
    // socket on timeout, and shortens it to what the server's Keep-Alive header announces).
    this.agent ??= new https.Agent({ keepAlive: true, maxSockets: 1, timeout: this.idleMs });
    return new Promise<RawResponse>((resolve, reject) => {
      // "Before any byte of the answer" as the plain client means it: nothing read on the socket since
      // the request went out (a partial status line counts as an answer, so that request is not re-sent).
      let socket: Socket | undefined;
      let readBefore = 0;
      const req = https.request(url, { method, headers, agent: this.agent, ...this.tlsOptions });
      req.on('socket', (s: Socket) => {
        socket = s;
        readBefore = s.bytesRead;
      });
      const pending: Pending = { req, settled: false, reject };
      this.pending = pending;
      const fail = (err: HttpClientError) => {
        if (pending.settled) return;
        pending.settled = true;
        if (this.pending === pending) this.pending = undefined;
        req.destroy();
        reject(err);
      };
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > maxBody) fail(new HttpClientError('too_large', `body size limit of ${maxBody} bytes exceeded`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (pending.settled) return;
          pending.settled = true;
          if (this.pending === pending) this.pending = undefined;
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: out, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes), wireBytes: bytes });
        });
        res.on('error', () => fail(new HttpClientError('network', 'connection closed before the body was complete')));
        res.on('close', () => {
          if (!res.complete) fail(new HttpClientError('network', 'connection closed before the body was complete'));
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const nothingRead = socket === undefined || socket.bytesRead === readBefore;
        fail(new HttpClientError('network', `${err.code ?? ''} ${err.message}`.trim(), nothingRead, req.reusedSocket));
      });
      req.end(body);
    });
  }
}

/** A peer's client by the URL's scheme: the small plain client for http:, an HttpsClient (made on
 *  first use) with the given tls settings for https:. What the scrape and the sink each hold. */
export class PeerClients {
  private readonly options: HttpClientOptions;
  private readonly plain: HttpClient;
  private secure: HttpsClient | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.options = options;
    this.plain = new HttpClient(options);
  }

  for(url: URL, tls: TlsSettings | undefined): RequestClient {
    if (url.protocol !== 'https:') return this.plain;
    this.secure ??= new HttpsClient(this.options);
    this.secure.configure(tls);
    return this.secure;
  }

  close(): void {
    this.plain.close();
    this.secure?.close();
  }
}

/** https.request options; `secureContext` goes through the agent to tls.connect. */
type SecureRequestOptions = Https.RequestOptions & { secureContext?: SecureContext };

function tlsOptions(tls: TlsSettings): SecureRequestOptions {
  const options: SecureRequestOptions = {};
  // One secure context for the settings' life: given as `ca`/`cert`/`key`, the agent would key every
  // request on ~180 kB of PEM and build a context per connection.
  const context = secureContext(tls);
  if (context) options.secureContext = context;
  if (tls.serverName) options.servername = tls.serverName;
  if (tls.insecureSkipVerify) options.rejectUnauthorized = false;
  return options;
}

/** The secure context for a CA and/or client certificate; undefined when the defaults will do. */
function secureContext(tls: TlsSettings): SecureContext | undefined {
  if (!tls.ca && !tls.cert && !tls.key) return undefined;
  const nodeTls = process.getBuiltinModule('node:tls');
  // A `ca` replaces the default CAs (Node's bundled ones and NODE_EXTRA_CA_CERTS): add to them instead,
  // as Go's clients and Knative's do with K_CA_CERTS.
  const ca = tls.ca ? [...nodeTls.getCACertificates('default'), tls.ca] : undefined;
  return nodeTls.createSecureContext({ ca, cert: tls.cert, key: tls.key });
}

/** Why these settings cannot make a TLS context (a key that does not match its certificate, an
 *  encrypted key, broken PEM), or undefined when they can. The message carries no PEM text. */
export function tlsProblem(tls: TlsSettings): string | undefined {
  try {
    secureContext(tls);
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return `${e.code ?? 'ERR_TLS'}: ${e.message.split('\n')[0]}`;
  }
}

function sameTls(a: TlsSettings, b: TlsSettings): boolean {
  return a.ca === b.ca && a.cert === b.cert && a.key === b.key && a.serverName === b.serverName && a.insecureSkipVerify === b.insecureSkipVerify;
}
