// The sidecar dispatcher's lifecycle: load the config (or wait for it), serve /metrics /healthz
// /readyz, scrape on the interval, reload when the mounted config changes, flush on shutdown.
import { dirname, resolve } from 'node:path';
import { formatDuration } from '../duration.ts';
import { createLogger, silentLogger, type Logger } from '../log.ts';
import { ConfigError, loadConfig, type DispatcherConfig, type ListenConfig } from './config.ts';
import { runCycle, ThrottledWarn } from './cycle.ts';
import { DetectionEngine } from './engine.ts';
import type { TlsSettings } from './https-client.ts';
import { createDispatcherMetrics, type DispatcherMetrics } from './metrics.ts';
import { Scraper } from './scrape.ts';
import { startStatusServer, type StatusServer } from './server.ts';
import { EventSink } from './sink.ts';
import { watchConfigFile, type ConfigWatcher } from './watch.ts';

export interface DispatcherOptions {
  configPath: string;
  env: NodeJS.ProcessEnv;
  log?: Logger;
  /** Config poll period besides the directory watch (default 10 s). */
  pollMs?: number;
}

export interface RunningDispatcher {
  /** Base URL of /metrics /healthz /readyz. */
  url: string;
  port: number;
  metrics: DispatcherMetrics;
  /** Re-read the config file now (also done on change). */
  reload(): Promise<void>;
  /** Stop scraping, deliver buffered events until `graceMs` passes, close. */
  stop(graceMs?: number): Promise<void>;
}

export async function startDispatcher(options: DispatcherOptions): Promise<RunningDispatcher> {
  const log = options.log ?? createLogger('dispatcher');
  const metrics = createDispatcherMetrics();
  const path = options.configPath;
  const initial = await readConfig(path, options.env, log);
  if (initial.error && initial.exists) throw initial.error; // a config that is there but wrong: fail at startup
  let config = initial.config;
  let configHash = initial.hash;
  let notReady = config ? undefined : `no config: ${initial.error?.message ?? path}`;
  if (config) markLoaded(metrics);
  else log.warn('no usable config yet; waiting for it (not ready)', { path, error: initial.error?.message });

  const scraper = new Scraper();
  const warn = new ThrottledWarn(log);
  let engine = config ? new DetectionEngine(config.detectors, config.series) : undefined;
  const sinkHooks = {
    sent: (event: { findings: number }, bytes: number) => {
      metrics.eventsSent.inc();
      metrics.bytesSent.inc(bytes);
    },
    failed: (reason: string) => metrics.sendFailures.inc({ reason }),
    dropped: (reason: string, event: { findings: number }) => {
      metrics.droppedEvents.inc({ reason });
      metrics.droppedFindings.inc({ reason }, event.findings);
    },
    depth: (n: number) => metrics.bufferEvents.set(n),
  };
  const sink = new EventSink(config?.sink ?? { url: undefined, timeoutMs: 5000, bufferEvents: 1000, retryBaseMs: 500, retryMaxMs: 30_000, mode: 'binary' }, sinkHooks, log);
  metrics.bufferCapacity.set(config?.sink.bufferEvents ?? 1000);

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let lastCycleAt = Date.now();

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    if (!stopping && config) timer = setTimeout(tick, Math.max(0, delayMs));
  };
  const tick = () => {
    if (!config || !engine || stopping) return;
    const current = config;
    const start = Date.now();
    lastCycleAt = start;
    inFlight = runCycle(current, { scraper, engine, sink, metrics, log, warn })
      .catch((err: unknown) => log.error('scrape cycle failed', { error: err }))
      .finally(() => {
        inFlight = undefined;
        // Keep to the interval grid; a cycle longer than the interval skips the missed slots.
        const interval = (config ?? current).target.intervalMs;
        let next = start + interval;
        while (next <= Date.now()) next += interval;
        schedule(next - Date.now());
      });
  };

  const apply = (next: DispatcherConfig) => {
    const previous = config;
    if (previous && !sameListen(previous.listen, next.listen)) log.warn('listen changed in the config: restart to apply it', { listen: next.listen });
    if (!engine) engine = new DetectionEngine(next.detectors, next.series);
    else if (!previous || detectorsChanged(previous, next)) engine.reconfigure(next.detectors, next.series);
    sink.update(next.sink);
    metrics.bufferCapacity.set(next.sink.bufferEvents);
    config = next;
    notReady = undefined;
    if (!inFlight) schedule(previous && previous.target.intervalMs === next.target.intervalMs ? next.target.intervalMs - (Date.now() - lastCycleAt) : 0);
  };

  let reloading: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    reloading ??= (async () => {
      try {
        const got = await readConfig(path, options.env, log, configHash);
        if (got.hash === configHash) return;
        configHash = got.hash;
        if (!got.config) {
          metrics.reloads.inc({ result: 'failure' });
          metrics.reloadSuccess.set(0);
          log.warn(config ? 'config reload failed; keeping the running config' : 'config still unusable', { path, error: got.error?.message });
          return;
        }
        const first = !config;
        apply(got.config);
        metrics.reloads.inc({ result: 'success' });
        markLoaded(metrics);
        log.info(first ? 'config loaded' : 'config reloaded', { path, target: got.config.target.url, detectors: got.config.detectors.map((d) => d.ref), sink: got.config.sink.url });
      } finally {
        reloading = undefined;
      }
    })();
    return reloading;
  };

  const server: StatusServer = await startStatusServer({
    listen: config?.listen ?? initial.listen,
    registry: metrics.registry,
    log,
    ready: () => (stopping ? 'shutting down' : notReady),
    healthy: () => {
      if (!config) return undefined;
      const limit = 3 * config.target.intervalMs + config.target.timeoutMs + 10_000;
      return Date.now() - lastCycleAt > limit ? `scrape loop stalled: no cycle for ${Date.now() - lastCycleAt} ms` : undefined;
    },
  });
  const watcher: ConfigWatcher = watchConfigFile(path, () => void reload().catch((err: unknown) => log.error('config reload crashed', { error: err })), { pollMs: options.pollMs });
  log.info('dispatcher started', { config: path, http: server.url, target: config?.target.url, interval: config?.target.intervalMs, detectors: config?.detectors.map((d) => d.ref), sink: config?.sink.url ?? null, pod: config ? `${config.namespace}/${config.pod}` : undefined });
  schedule(0);

  return {
    url: server.url,
    port: server.port,
    metrics,
    reload,
    async stop(graceMs = 10_000) {
      stopping = true;
      clearTimeout(timer);
      watcher.close();
      const deadline = Date.now() + graceMs;
      await inFlight;
      await sink.flush(deadline);
      scraper.close();
      await server.close();
      log.info('dispatcher stopped');
    },
  };
}

interface ReadResult {
  exists: boolean;
  hash: string;
  config?: DispatcherConfig;
  error?: Error;
  listen: ListenConfig;
}

/** `deucalion dispatcher --check`: read and validate the config exactly as the dispatcher would and say
 *  what it resolves to (or every problem found). */
export async function checkConfig(path: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; message: string }> {
  const read = await readConfig(path, env, silentLogger);
  if (read.error) return { ok: false, message: read.error instanceof ConfigError ? read.error.message : `${path}: ${read.error.message}` };
  const c = read.config!;
  const t = c.target;
  const lines = [
    `${c.source}: config OK`,
    `  target     ${t.url} every ${formatDuration(t.intervalMs)} (timeout ${formatDuration(t.timeoutMs)}, gzip ${t.gzip ? 'on' : 'off'})`,
    ...c.detectors.map((d, i) => `  ${i === 0 ? 'detectors ' : '          '} ${d.name}${d.ref !== d.name ? ` (${d.ref})` : ''} on ${d.match ?? 'every series'}`),
    `  series     at most ${c.series.max}`,
    ...(t.tls ? [`  target tls ${describeTls(t.tls)}`] : []),
    `  sink       ${c.sink.url ?? 'none: anomalies are logged and counted as dropped'}`,
    ...(c.sink.tls ? [`  sink tls   ${describeTls(c.sink.tls)}`] : []),
    ...(c.sink.extensions ? [`  extensions ${Object.entries(c.sink.extensions).map(([k, v]) => `${k}=${v}`).join(' ')}`] : []),
    `  listen     ${c.listen.host}:${c.listen.port}`,
    `  identity   pod ${c.namespace}/${c.pod}`,
  ];
  return { ok: true, message: lines.join('\n') };
}

/** What a tls setting does, in words (never the PEM text). */
function describeTls(tls: TlsSettings): string {
  const parts = [tls.insecureSkipVerify ? 'any certificate accepted (insecureSkipVerify)' : tls.ca ? 'trusts the default CAs and the given CA' : 'trusts the default CAs'];
  if (tls.serverName) parts.push(`checks the name ${tls.serverName}`);
  if (tls.cert) parts.push('presents a client certificate');
  return parts.join(', ');
}

/** Read and validate the file (or, when there is none, a config from the environment alone). An
 *  unchanged text (`previous`) is not parsed again: the poll runs every few seconds. */
async function readConfig(path: string, env: NodeJS.ProcessEnv, log: Logger, previous?: string): Promise<ReadResult> {
  let text: string | undefined;
  try {
    // Synchronous on purpose: a ConfigMap file is small (<= 1 MiB) and local, and the async read costs
    // four thread-pool round trips (open, stat, read, close), each waking the event loop, every poll.
    text = process.getBuiltinModule('node:fs').readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { exists: true, hash: `error:${String(err)}`, error: err as Error, listen: envListen(env) };
  }
  // The file is small: its text is its identity (no hashing, which would load node:crypto).
  const hash = text === undefined ? 'missing' : `file:${text}`;
  if (hash === previous) return { exists: text !== undefined, hash, listen: envListen(env) };
  try {
    const config = await loadConfig(text, { source: text === undefined ? `${path} (missing; environment only)` : path, env, baseDir: dirname(resolve(path)) });
    if (text === undefined) log.info('no config file; running on defaults from the environment', { path });
    return { exists: text !== undefined, hash, config, listen: config.listen };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { exists: text !== undefined, hash, error: err, listen: envListen(env) };
  }
}

function envListen(env: NodeJS.ProcessEnv): ListenConfig {
  const port = env.DEUCALION_HTTP_PORT?.trim();
  return port && /^\d+$/.test(port) ? { host: '0.0.0.0', port: Number(port), explicit: true } : { host: '0.0.0.0', port: 9464, explicit: false };
}

function markLoaded(metrics: DispatcherMetrics): void {
  metrics.reloadSuccess.set(1);
  metrics.reloadTime.set(Math.floor(Date.now() / 1000));
}

function sameListen(a: ListenConfig, b: ListenConfig): boolean {
  return a.host === b.host && a.port === b.port;
}

function detectorsChanged(a: DispatcherConfig, b: DispatcherConfig): boolean {
  return (
    a.detectors.map((d) => d.fingerprint).join('\n') !== b.detectors.map((d) => d.fingerprint).join('\n') ||
    a.series.max !== b.series.max ||
    a.series.vanishAfterMs !== b.series.vanishAfterMs ||
    a.series.resolveAfter !== b.series.resolveAfter
  );
}
