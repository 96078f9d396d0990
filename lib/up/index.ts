// `deucalion up`: the whole system on this machine from a stack.yml. Start order: apps, Alertmanager,
// one Prometheus per federation, the gateway (functions start on first call), dispatchers, cron.
// Stop order is the reverse; every child process is stopped (see Supervisor) before stop() resolves.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startAlertmanager, alertmanagerBinary, type LocalAlertmanager } from './alertmanager.ts';
import { startDispatchers } from './dispatchers.ts';
import { UpBus } from './events.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { FunctionPool } from './pool.ts';
import { findFreePort, waitForReady } from './ports.ts';
import { startFederationPrometheus, type FederationPrometheus } from './prometheus.ts';
import { formatSummary, Recorder } from './recorder.ts';
import { startScheduler, type CronScheduler } from './scheduler.ts';
import { loadStack, type UpFunction, type UpStack } from './stack.ts';
import { Supervisor } from './supervisor.ts';
import { startView, type View } from './view.ts';

export interface UpOptions {
  file: string;
  env?: Record<string, string | undefined>;
  /** Where logs, configs and Prometheus data go; default a fresh temp dir, removed on stop unless kept. */
  workDir?: string;
  keepWorkDir?: boolean;
  gatewayPort?: number;
  /** 'built-in' forces the Prometheus stand-in even when prometheus is installed. */
  prometheus?: 'auto' | 'built-in';
  /** 'embedded' skips a local Alertmanager even when installed. */
  alertmanager?: 'auto' | 'embedded';
  out?: NodeJS.WritableStream;
  tty?: boolean;
  title?: string;
  /** Extra view panel (the demo's incidents). */
  extraView?: () => string[];
  /** Where OpenFaaS secrets are found locally (default: <stack dir>/.secrets, <stack dir>/deploy/openfaas). */
  secretsDirs?: string[];
}

export interface RunningUp {
  readonly bus: UpBus;
  readonly recorder: Recorder;
  readonly stack: UpStack;
  readonly gatewayUrl: string;
  readonly workDir: string;
  readonly federations: Map<string, FederationPrometheus>;
  readonly alertmanager?: LocalAlertmanager;
  /** Stop everything; resolves with the summary text. */
  stop(extraSummary?: string[]): Promise<string>;
}

const envName = (fed: string) => `PROMETHEUS_URL_${fed.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

export async function startUp(options: UpOptions): Promise<RunningUp> {
  const baseEnv = options.env ?? process.env;
  const draft = loadStack(options.file, baseEnv);
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'deucalion-up-'));
  const supervisor = new Supervisor(join(workDir, 'logs'));
  const bus = new UpBus();
  const recorder = new Recorder(bus);
  const view: View = startView(bus, recorder, { out: options.out ?? process.stdout, tty: options.tty ?? false, title: options.title ?? `deucalion up -f ${options.file}`, extra: options.extraView });
  const federations = new Map<string, FederationPrometheus>();
  let alertmanager: LocalAlertmanager | undefined;
  let gateway: Gateway | undefined;
  let pool: FunctionPool | undefined;
  let scheduler: CronScheduler | undefined;

  const stopAll = async () => {
    await scheduler?.stop();
    await pool?.close();
    await gateway?.close();
    await Promise.all([...federations.values()].map((f) => f.stop()));
    await supervisor.stopAll();
    supervisor.dispose();
    view.stop();
    if (!options.workDir && !options.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };

  try {
    // Ports first, so envsubst can point the stack at them (faas-cli semantics: ${VAR:-default}).
    const gatewayPort = options.gatewayPort ?? draft.gatewayPort;
    const promPorts = new Map<string, number>();
    for (const f of draft.federations) promPorts.set(f.name, f.port || (await findFreePort()));
    const gatewayUrlGuess = `http://127.0.0.1:${gatewayPort || (await findFreePort())}`;
    const vars: Record<string, string> = { DEUCALION_GATEWAY_URL: gatewayUrlGuess };
    for (const [fed, port] of promPorts) vars[envName(fed)] = `http://127.0.0.1:${port}`;
    const stack = loadStack(options.file, { ...baseEnv, ...vars });
    inferFederations(stack);

    for (const s of stack.services.filter((s) => s.command)) {
      const child = supervisor.start({ name: `app-${s.name}`, argv: s.command!, env: { ...process.env, ...s.env } });
      await waitForReady(s.metrics, { timeoutMs: 20_000, intervalMs: 50, abort: () => (child.process.exitCode !== null ? `app ${s.name} exited (${child.process.exitCode}):\n${child.tail()}` : undefined) });
      bus.emit('component', { name: s.name, kind: 'app', state: 'running', pid: child.pid, url: s.metrics, detail: s.sidecar ? 'sidecar mode' : s.federation ? `federation ${s.federation}` : 'unmonitored' });
    }

    const amBinary = options.alertmanager === 'embedded' ? undefined : alertmanagerBinary();
    if (amBinary) {
      alertmanager = await startAlertmanager(amBinary, supervisor, workDir);
      bus.emit('component', { name: 'alertmanager', kind: 'alertmanager', state: 'running', pid: alertmanager.pid, url: alertmanager.url });
    } else {
      bus.emit('component', { name: 'embedded sink', kind: 'alertmanager', state: 'running', detail: `no Alertmanager on PATH: alerts go to ${join(workDir, 'alerts.jsonl')}` });
    }

    for (const f of stack.federations) {
      const targets = f.services.map((name) => {
        const s = stack.services.find((x) => x.name === name)!;
        return { url: s.metrics, labels: { namespace: s.namespace, pod: s.name, service: s.name.replace(/-v\d+$/, '') } };
      });
      const prom = await startFederationPrometheus(f.name, targets, { supervisor, workDir, scrapeIntervalMs: f.scrapeIntervalMs, builtIn: options.prometheus === 'built-in', port: promPorts.get(f.name) });
      federations.set(f.name, prom);
      const detail = prom.kind === 'built-in' ? 'built-in stand-in (no prometheus on PATH): query_range over its own scrapes' : `prometheus, ${f.services.length} target(s)`;
      bus.emit('component', { name: `prometheus-${f.name}`, kind: 'prometheus', state: 'running', pid: prom.pid, url: prom.url, detail });
    }

    const sinkUrl = stack.sink ? `${gatewayUrlGuess}/function/${stack.sink}` : undefined;
    resolveSecrets(stack, options.secretsDirs ?? [join(dirname(stack.file), '.secrets'), join(dirname(stack.file), 'deploy', 'openfaas')], bus);
    const ctx: EnvContext = { stack, sinkUrl, gatewayUrl: gatewayUrlGuess, workDir, alertmanager, federations };
    pool = new FunctionPool(stack.functions, { supervisor, bus, baseEnv: (fn) => defaultEnv(fn, ctx), overrideEnv: (fn) => wiringEnv(fn, ctx) });
    gateway = await startGateway(pool, bus, Number(new URL(gatewayUrlGuess).port));
    bus.emit('component', { name: 'gateway', kind: 'gateway', state: 'running', url: gateway.url, detail: `/function/<name> for ${stack.functions.length} function(s)` });

    startDispatchers(stack.services, { supervisor, bus, workDir, sinkUrl, intervalMs: stack.scrapeIntervalMs });
    scheduler = startScheduler(stack.functions, gateway.url, bus);

    return {
      bus,
      recorder,
      stack,
      gatewayUrl: gateway.url,
      workDir,
      federations,
      alertmanager,
      async stop(extraSummary = []) {
        const active = alertmanager ? await alertmanager.countActive() : undefined;
        await stopAll();
        const extra = active !== undefined && !Number.isNaN(active) ? [`alertmanager held ${active} active alert(s) at shutdown`] : [];
        return formatSummary(recorder, [...extra, ...extraSummary]);
      },
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

/** A function named scrape-trigger-<fed> (or serving scrape-trigger with FEDERATION) belongs to <fed>. */
function inferFederations(stack: UpStack): void {
  for (const fn of stack.functions) {
    if (fn.federation || fn.serves !== 'scrape-trigger') continue;
    const match = stack.federations.find((f) => fn.name === `scrape-trigger-${f.name}` || fn.name.endsWith(`-${f.name}`));
    if (match) fn.federation = match.name;
  }
}

interface EnvContext {
  stack: UpStack;
  sinkUrl?: string;
  gatewayUrl: string;
  workDir: string;
  alertmanager?: LocalAlertmanager;
  federations: Map<string, FederationPrometheus>;
}

/** Defaults below the stack's own environment. */
function defaultEnv(fn: UpFunction, ctx: EnvContext): Record<string, string> {
  const env: Record<string, string> = { DEUCALION_GATEWAY_URL: ctx.gatewayUrl, OPENFAAS_NAME: fn.name };
  if (fn.federation) env.FEDERATION = fn.federation;
  return env;
}

/**
 * The local wiring, above the stack's environment: a stack.yml written for the cluster names the
 * gateway, Prometheus and Alertmanager by their Kubernetes service URLs, which do not resolve here.
 */
function wiringEnv(fn: UpFunction, ctx: EnvContext): Record<string, string> {
  const env: Record<string, string> = { OPENFAAS_URL: ctx.gatewayUrl, DETECTORS_BASE_URL: `${ctx.gatewayUrl}/function/` };
  if (ctx.sinkUrl && fn.name !== ctx.stack.sink) env.K_SINK = ctx.sinkUrl;
  if (fn.serves === 'alert-forwarder') {
    // empty = no Alertmanager: the forwarder's embedded sink
    env.ALERTMANAGER_URL = ctx.alertmanager?.url ?? '';
    env.ALERT_LOG_FILE = join(ctx.workDir, 'alerts.jsonl');
  }
  const prom = fn.federation ? ctx.federations.get(fn.federation) : undefined;
  if (prom) env.PROMETHEUS_URL = prom.url;
  return env;
}

const SECRET_PATH = /^\/var\/openfaas\/secrets\/([^/]+)$/;

/**
 * OpenFaaS mounts secrets at /var/openfaas/secrets/<name>; locally, like `faas-cli local-run`'s
 * ./.secrets, env values pointing there are redirected to <dir>/<name>[.yaml|.yml] when it exists.
 */
function resolveSecrets(stack: UpStack, dirs: string[], bus: UpBus): void {
  for (const fn of stack.functions) {
    for (const [key, value] of Object.entries(fn.env)) {
      const m = SECRET_PATH.exec(value);
      if (!m) continue;
      const local = dirs.flatMap((d) => ['', '.yaml', '.yml'].map((ext) => join(d, m[1] + ext))).find((p) => existsSync(p));
      if (local) fn.env[key] = local;
      else bus.emit('notice', { level: 'warn', msg: `${fn.name}: ${key}=${value} is an OpenFaaS secret; put it in ${dirs[0]}/${m[1]} to run it locally` });
    }
  }
}
