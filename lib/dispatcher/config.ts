// The dispatcher's config (see docs/dispatcher.md): YAML from the mounted ConfigMap, with defaults from
// the pod's downward-API environment. Validated once per load; every problem is reported with its field
// path, and a config that fails validation is never half-applied.
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { DEFAULT_DETECTOR, findDetector } from '../detectors/index.ts';
import { parseSelector, type Selector } from '../expo/index.ts';
import type { AnyDetector } from '../sdk/detector.ts';
import { eventExtensions, hasPemCertificate } from '../sink-binding.ts';
import { ConfigError, Fields, join, type RawObject } from './fields.ts';
import { tlsProblem, type TlsSettings } from './https-client.ts';

export { ConfigError };

export const DEFAULT_CONFIG_PATH = '/etc/deucalion/config.yaml';
export const DEFAULT_HTTP_PORT = 9464;

export type ScrapeFormat = 'prometheus' | 'openmetrics';

export interface TargetConfig {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** Limit on the uncompressed body, like Prometheus' body_size_limit. */
  bodySizeLimit: number;
  /** Ask for gzip (Prometheus' enable_compression). */
  gzip: boolean;
  /** Format when the Content-Type names none; 'none' fails the scrape, like Prometheus 3. */
  fallbackFormat: ScrapeFormat | 'none';
  /** For an https target (Prometheus' tls_config). */
  tls?: TlsSettings;
}

export interface DetectorConfig {
  /** The detector's own name (reported in anomalies). */
  name: string;
  /** As written in the config: a built-in name or a module path. */
  ref: string;
  detector: AnyDetector;
  params: ReturnType<AnyDetector['resolveParams']>;
  match: string | undefined;
  selector: Selector | undefined;
  /** Equal fingerprints across a reload keep the per-series state of this detector. */
  fingerprint: string;
}

export interface SeriesConfig {
  /** Tracked series at most; new series beyond it are counted and ignored. */
  max: number;
  /** How long a vanished series is still fed "missing" before it is forgotten. */
  vanishAfterMs: number;
  /** Consecutive normal scores before an anomalous series is reported resolved. */
  resolveAfter: number;
}

export interface SinkConfig {
  /** Undefined: no sink (anomalies are logged and counted as dropped). */
  url: string | undefined;
  timeoutMs: number;
  /** Events (one per scrape cycle with findings) kept while the sink is down. */
  bufferEvents: number;
  retryBaseMs: number;
  retryMaxMs: number;
  mode: 'binary' | 'structured';
  /** For an https sink; its CA defaults to $K_CA_CERTS (Knative SinkBinding). */
  tls?: TlsSettings;
  /** CloudEvent extension attributes on every event: $K_CE_OVERRIDES, then sink.extensions. */
  extensions?: Record<string, string>;
}

export interface ListenConfig {
  host: string;
  port: number;
  /** False when the port is the default: then a taken port falls back to a free one (with a warning). */
  explicit: boolean;
}

export interface DispatcherConfig {
  /** Where it came from (file path, or "environment"), for messages. */
  source: string;
  target: TargetConfig;
  detectors: DetectorConfig[];
  series: SeriesConfig;
  sink: SinkConfig;
  listen: ListenConfig;
  /** Pod identity from the downward API. */
  namespace: string;
  pod: string;
}

export interface LoadOptions {
  /** For messages and for resolving relative detector module paths. */
  source: string;
  env: NodeJS.ProcessEnv;
  /** Imports a detector module (functions/index.ts loadDetectorModule); injected to keep it lazy. */
  loadModule?: (path: string) => Promise<AnyDetector>;
  /** Where relative paths (detector modules, TLS files) start: the config file's directory. Default:
   *  the directory of `source` when it is a path, else the working directory. */
  baseDir?: string;
}

const TOP = ['target', 'detectors', 'series', 'sink', 'listen'] as const;
const TARGET = ['url', 'interval', 'timeout', 'bodySizeLimit', 'gzip', 'fallbackFormat', 'tls'] as const;
const DETECTOR = ['name', 'match', 'params'] as const;
const SERIES = ['max', 'vanishAfter', 'resolveAfter'] as const;
const SINK = ['url', 'timeout', 'buffer', 'retryBase', 'retryMax', 'mode', 'tls', 'extensions'] as const;
const TLS = ['caFile', 'certFile', 'keyFile', 'serverName', 'insecureSkipVerify'] as const;

/** Parse YAML text (undefined: no file) and validate it; throws ConfigError listing every problem. */
export async function loadConfig(text: string | undefined, options: LoadOptions): Promise<DispatcherConfig> {
  const f = new Fields();
  let raw: unknown = {};
  if (text !== undefined) {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) throw new ConfigError(options.source, doc.errors.map((e) => `not valid YAML: ${e.message.split('\n')[0]}`));
    raw = doc.toJS() ?? {};
  }
  const top = f.object(raw, '', TOP) ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(options.source, f.issues);
  const env = options.env;
  // Relative paths are relative to the config file, which is where a ConfigMap puts them.
  const baseDir = options.baseDir ?? (isAbsolute(options.source) || options.source.startsWith('.') ? dirname(resolve(options.source)) : process.cwd());
  const target = readTarget(f, top.target, env, baseDir);
  const series = readSeries(f, top.series);
  const sink = readSink(f, top.sink, env, baseDir);
  const listen = readListen(f, top.listen, env);
  const detectors = await readDetectors(f, top.detectors, options, baseDir);
  if (f.issues.length > 0) throw new ConfigError(options.source, f.issues);
  return { source: options.source, target: target!, detectors, series, sink, listen, namespace: nonEmpty(env.POD_NAMESPACE) ?? 'default', pod: nonEmpty(env.POD_NAME) ?? 'unknown' };
}

function readTarget(f: Fields, value: unknown, env: NodeJS.ProcessEnv, baseDir: string): TargetConfig | undefined {
  const t = f.object(value, 'target', TARGET) ?? {};
  let url = f.url(f.string(t.url, 'target.url'), 'target.url');
  if (t.url === undefined) url = urlFromAnnotations(f, env);
  const intervalMs = f.duration(t.interval, 'target.interval', 15_000, 10);
  const timeoutMs = f.duration(t.timeout, 'target.timeout', Math.min(10_000, intervalMs), 1);
  if (timeoutMs > intervalMs) f.fail('target.timeout', `must not exceed target.interval (${intervalMs} ms), got ${timeoutMs} ms`);
  const bodySizeLimit = f.bytes(t.bodySizeLimit, 'target.bodySizeLimit', 16 * 1024 * 1024);
  // Compression saves network bytes at the cost of CPU on both ends; on the loopback a sidecar scrapes
  // there are no bytes to save, so by default only remote targets are asked for gzip.
  const gzip = f.boolean(t.gzip, 'target.gzip', url === undefined || !isLoopback(new URL(url).hostname));
  const fallbackFormat = f.oneOf(t.fallbackFormat, 'target.fallbackFormat', ['prometheus', 'openmetrics', 'none'] as const, 'prometheus');
  const tls = readTls(f, t.tls, 'target', url, baseDir, undefined);
  return url === undefined ? undefined : { url, intervalMs, timeoutMs, bodySizeLimit, gzip, fallbackFormat, tls };
}

/**
 * `tls: { caFile, certFile, keyFile, serverName, insecureSkipVerify }`, Prometheus' tls_config in
 * this file's spelling. Files are read here, at each (re)load, and a TLS context is built from them,
 * so a missing file, a key that does not match its certificate or an encrypted key is reported with
 * its field, never at the first scrape. `envCa` (the sink's $K_CA_CERTS) is the CA when no caFile is
 * written; it is ignored for a plain-http URL, where a Knative SinkBinding never sets it.
 */
function readTls(f: Fields, value: unknown, owner: 'target' | 'sink', url: string | undefined, baseDir: string, envCa: string | undefined): TlsSettings | undefined {
  const path = `${owner}.tls`;
  const t = f.object(value, path, TLS);
  const https = url !== undefined && url.startsWith('https:');
  if (t && url !== undefined && !https) f.fail(path, `applies to an https:// ${owner}.url only, got ${url}`);
  if (!https) return undefined;
  const issuesBefore = f.issues.length;
  const read = (field: 'caFile' | 'certFile' | 'keyFile', looksRight: (text: string) => boolean, what: string): string | undefined => {
    const name = f.string(t?.[field], join(path, field));
    if (name === undefined) return undefined;
    // PEM pasted where a file name belongs must not be echoed: it may be a private key.
    if (name.includes('-----BEGIN') || name.includes('\n')) {
      f.fail(join(path, field), 'expected a file name, got PEM text (put it into a file, e.g. in the ConfigMap, and name that)');
      return undefined;
    }
    const file = isAbsolute(name) ? name : resolve(baseDir, name);
    let text: string;
    try {
      text = process.getBuiltinModule('node:fs').readFileSync(file, 'utf8');
    } catch (err) {
      f.fail(join(path, field), `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return undefined;
    }
    if (!looksRight(text)) f.fail(join(path, field), `${file} holds no PEM ${what}`);
    return text;
  };
  const settings: TlsSettings = {};
  settings.ca = read('caFile', hasPemCertificate, 'certificate');
  if (settings.ca === undefined && envCa !== undefined) {
    if (hasPemCertificate(envCa)) settings.ca = envCa;
    else f.fail(`${path} (from K_CA_CERTS)`, 'holds no PEM certificate');
  }
  settings.cert = read('certFile', hasPemCertificate, 'certificate');
  settings.key = read('keyFile', (text) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text), 'private key');
  if ((t?.certFile === undefined) !== (t?.keyFile === undefined)) f.fail(path, 'certFile and keyFile go together');
  settings.serverName = f.string(t?.serverName, join(path, 'serverName'));
  // SNI carries host names only (RFC 6066); an address belongs in the URL, where it is checked too.
  if (settings.serverName !== undefined && (/^[\d.]+$/.test(settings.serverName) || settings.serverName.includes(':'))) {
    f.fail(join(path, 'serverName'), `expected a host name, got the address ${settings.serverName} (put an address into ${owner}.url instead)`);
  }
  settings.insecureSkipVerify = f.boolean(t?.insecureSkipVerify, join(path, 'insecureSkipVerify'), false);
  for (const k of Object.keys(settings) as (keyof TlsSettings)[]) if (settings[k] === undefined || settings[k] === false) delete settings[k];
  if (f.issues.length === issuesBefore) {
    const problem = tlsProblem(settings);
    if (problem) f.fail(path, `cannot make a TLS context of these files: ${problem}`);
  }
  return Object.keys(settings).length === 0 ? undefined : settings;
}

/** localhost, 127.0.0.0/8 or ::1 (URL hostnames keep IPv6 brackets). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** http://127.0.0.1:$DEUCALION_SCRAPE_PORT$DEUCALION_SCRAPE_PATH, from the pod's prometheus.io annotations. */
function urlFromAnnotations(f: Fields, env: NodeJS.ProcessEnv): string | undefined {
  const port = nonEmpty(env.DEUCALION_SCRAPE_PORT);
  if (port === undefined) {
    f.fail('target.url', 'required (or annotate the pod with prometheus.io/port, which the injector passes as DEUCALION_SCRAPE_PORT)');
    return undefined;
  }
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    f.fail('target.url', `DEUCALION_SCRAPE_PORT (prometheus.io/port) is not a port number: ${JSON.stringify(port)}`);
    return undefined;
  }
  let path = nonEmpty(env.DEUCALION_SCRAPE_PATH) ?? '/metrics';
  if (!path.startsWith('/')) path = `/${path}`;
  return f.url(`http://127.0.0.1:${port}${path}`, 'target.url (from DEUCALION_SCRAPE_PORT/DEUCALION_SCRAPE_PATH)');
}

function readSeries(f: Fields, value: unknown): SeriesConfig {
  const s = f.object(value, 'series', SERIES) ?? {};
  return {
    max: f.integer(s.max, 'series.max', 10_000, 1, 10_000_000),
    vanishAfterMs: f.duration(s.vanishAfter, 'series.vanishAfter', 10 * 60_000),
    resolveAfter: f.integer(s.resolveAfter, 'series.resolveAfter', 3, 1, 1_000_000),
  };
}

function readSink(f: Fields, value: unknown, env: NodeJS.ProcessEnv, baseDir: string): SinkConfig {
  const s = f.object(value, 'sink', SINK) ?? {};
  const written = f.string(s.url, 'sink.url');
  const url = written !== undefined ? f.url(written, 'sink.url') : f.url(nonEmpty(env.K_SINK), 'sink.url (from K_SINK)');
  const retryBaseMs = f.duration(s.retryBase, 'sink.retryBase', 500, 1);
  const retryMaxMs = f.duration(s.retryMax, 'sink.retryMax', 30_000, 1);
  if (retryMaxMs < retryBaseMs) f.fail('sink.retryMax', `must be at least sink.retryBase (${retryBaseMs} ms)`);
  return {
    url,
    timeoutMs: f.duration(s.timeout, 'sink.timeout', 5_000, 1),
    bufferEvents: f.integer(s.buffer, 'sink.buffer', 1_000, 1, 1_000_000),
    retryBaseMs,
    retryMaxMs,
    mode: f.oneOf(s.mode, 'sink.mode', ['binary', 'structured'] as const, 'binary'),
    tls: readTls(f, s.tls, 'sink', url, baseDir, nonEmpty(env.K_CA_CERTS)),
    extensions: readExtensions(f, s.extensions, env),
  };
}

/** $K_CE_OVERRIDES (a SinkBinding's ceOverrides), with sink.extensions over it name by name. */
function readExtensions(f: Fields, written: unknown, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  try {
    return eventExtensions(env.K_CE_OVERRIDES, written);
  } catch (err) {
    f.issues.push((err as Error).message);
    return undefined;
  }
}

/** `listen: 9464`, `":9464"` or `"127.0.0.1:9464"`; DEUCALION_HTTP_PORT overrides the port. */
function readListen(f: Fields, value: unknown, env: NodeJS.ProcessEnv): ListenConfig {
  let host = '0.0.0.0';
  let port = DEFAULT_HTTP_PORT;
  let explicit = false;
  if (value !== undefined && value !== null) {
    const match = /^(?:(.*):)?(\d+)$/.exec(String(value));
    if ((typeof value !== 'number' && typeof value !== 'string') || !match || Number(match[2]) > 65535) {
      f.fail('listen', `expected a port or host:port, got ${JSON.stringify(value)}`);
    } else {
      if (match[1]) host = match[1].replace(/^\[|\]$/g, '');
      port = Number(match[2]);
      explicit = true;
    }
  }
  const fromEnv = nonEmpty(env.DEUCALION_HTTP_PORT);
  if (fromEnv !== undefined) {
    if (!/^\d+$/.test(fromEnv) || Number(fromEnv) > 65535) f.fail('listen (from DEUCALION_HTTP_PORT)', `not a port number: ${JSON.stringify(fromEnv)}`);
    else {
      port = Number(fromEnv);
      explicit = true;
    }
  }
  return { host, port, explicit };
}

async function readDetectors(f: Fields, value: unknown, options: LoadOptions, baseDir: string): Promise<DetectorConfig[]> {
  if (value !== undefined && value !== null && !Array.isArray(value)) {
    f.fail('detectors', 'expected a list of {name, match?, params?}');
    return [];
  }
  const list = value === undefined || value === null || (value as unknown[]).length === 0 ? [{ name: DEFAULT_DETECTOR }] : (value as unknown[]);
  const out: DetectorConfig[] = [];
  for (let i = 0; i < list.length; i++) {
    const path = join('detectors', i);
    const d = f.object(list[i], path, DETECTOR);
    if (!d) {
      if (list[i] === undefined || list[i] === null) f.fail(path, 'expected a mapping with a name');
      continue;
    }
    const entry = await readDetector(f, d, path, options, baseDir);
    if (entry) out.push(entry);
  }
  return out;
}

async function readDetector(f: Fields, d: RawObject, path: string, options: LoadOptions, baseDir: string): Promise<DetectorConfig | undefined> {
  const ref = f.string(d.name, join(path, 'name'));
  if (ref === undefined) {
    if (d.name === undefined) f.fail(join(path, 'name'), 'required: a built-in detector name or a module path');
    return undefined;
  }
  const detector = await findOrLoad(f, ref, join(path, 'name'), options, baseDir);
  const match = f.string(d.match, join(path, 'match'));
  let selector: Selector | undefined;
  if (match !== undefined) {
    try {
      selector = parseSelector(match);
    } catch (err) {
      f.fail(join(path, 'match'), (err as Error).message);
    }
  }
  if (!detector) return undefined;
  let params: DetectorConfig['params'];
  try {
    params = detector.resolveParams(d.params ?? {}, join(path, 'params'));
  } catch (err) {
    f.issues.push((err as Error).message);
    return undefined;
  }
  const fingerprint = JSON.stringify([ref, match ?? '', params]);
  return { name: detector.name, ref, detector, params, match, selector, fingerprint };
}

async function findOrLoad(f: Fields, ref: string, path: string, options: LoadOptions, baseDir: string): Promise<AnyDetector | undefined> {
  const builtin = findDetector(ref);
  if (builtin) return builtin;
  if (!isModulePath(ref)) {
    f.fail(path, `unknown detector ${JSON.stringify(ref)}: not a built-in detector nor a module path (./x.ts, /abs/x.js)`);
    return undefined;
  }
  const file = isAbsolute(ref) ? ref : resolve(baseDir, ref);
  try {
    const load = options.loadModule ?? (async (p: string) => (await import('../../functions/index.ts')).loadDetectorModule(p));
    return await load(file);
  } catch (err) {
    f.fail(path, `cannot load detector module ${file}: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function isModulePath(ref: string): boolean {
  return /\.(ts|js|mjs|mts)$/.test(ref) || ref.startsWith('.') || isAbsolute(ref);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
