// The stack `deucalion up` runs: the OpenFaaS stack.yml users deploy with faas-cli (functions with
// environment, labels and cron annotations), plus an optional top-level `deucalion:` section that
// only `up` reads (faas-cli ignores unknown keys): local apps to run, which of them are in sidecar
// mode or in a federation, and local overrides per function. See docs/demo.md#deucalion-up.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseDuration } from '../duration.ts';
import { parseSchedule } from './cron.ts';
import { substituteEnv } from './envsubst.ts';

export interface UpFunction {
  /** The key in `functions:`; the gateway route is /function/<name>. */
  name: string;
  /** What `deucalion function X` serves: alert-forwarder, scrape-trigger, detector-<name> or a module path. */
  serves: string;
  env: Record<string, string>;
  config?: string;
  /** Cron schedule (annotations `topic: cron-function` + `schedule`). */
  schedule?: string;
  /** Federation this function belongs to (its scrape-trigger gets that Prometheus). */
  federation?: string;
  /** Idle time before scale to zero; undefined = keep running once started. */
  idleMs?: number;
  /** OpenFaaS secrets, mounted at /var/openfaas/secrets/<name> in the cluster. */
  secrets: string[];
}

export interface SidecarSpec {
  interval?: string;
  detectors?: unknown[];
  /** A complete dispatcher config file instead of the generated one. */
  config?: string;
}

export interface UpService {
  name: string;
  namespace: string;
  /** Command to start the app (argv); absent = the app is already running elsewhere. */
  command?: string[];
  env: Record<string, string>;
  /** The app's metrics URL (prometheus.io/port + path in Kubernetes). */
  metrics: string;
  sidecar?: SidecarSpec;
  federation?: string;
}

export interface UpFederation {
  name: string;
  scrapeIntervalMs: number;
  services: string[];
  /** Fixed port for its Prometheus (default: any free one). */
  port?: number;
}

export interface UpStack {
  file: string;
  gatewayPort: number;
  scrapeIntervalMs: number;
  /** The function anomaly events go to (K_SINK of dispatchers and functions), if any. */
  sink?: string;
  functions: UpFunction[];
  services: UpService[];
  federations: UpFederation[];
}

export class StackError extends Error {}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Read and validate a stack file; `env` feeds envsubst (faas-cli semantics). */
export function loadStack(file: string, env: Record<string, string | undefined> = process.env): UpStack {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StackError(`${file}: ${(err as Error).message}`);
  }
  return parseStack(text, resolve(file), env);
}

export function parseStack(text: string, file: string, env: Record<string, string | undefined> = {}): UpStack {
  let doc: unknown;
  try {
    doc = parse(substituteEnv(text, env));
  } catch (err) {
    throw new StackError(`${file}: invalid YAML: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw new StackError(`${file}: expected a mapping with "functions"`);
  const local = doc.deucalion === undefined ? {} : doc.deucalion;
  if (!isObj(local)) throw new StackError(`${file}: deucalion: expected a mapping`);
  const base = dirname(file);
  const at = (path: string) => `${file}: ${path}`;
  const defaultIdleMs = local.idle === undefined ? undefined : durationAt(local.idle, at('deucalion.idle'));
  const scrapeIntervalMs = durationAt(local.scrapeInterval ?? '15s', at('deucalion.scrapeInterval'));
  const overrides = isObj(local.functions) ? local.functions : {};

  const functions: UpFunction[] = [];
  const fnMap = doc.functions ?? {};
  if (!isObj(fnMap)) throw new StackError(at('functions: expected a mapping of name → function'));
  for (const [name, raw] of Object.entries(fnMap)) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw new StackError(at(`functions.${name}: the name must be a DNS label`));
    if (!isObj(raw)) throw new StackError(at(`functions.${name}: expected a mapping`));
    const over = isObj(overrides[name]) ? (overrides[name] as Obj) : {};
    functions.push(readFunction(name, raw, over, base, defaultIdleMs, at));
  }

  const services: UpService[] = [];
  const rawServices = local.services ?? [];
  if (!Array.isArray(rawServices)) throw new StackError(at('deucalion.services: expected a list'));
  rawServices.forEach((raw, i) => services.push(readService(raw, `deucalion.services[${i}]`, at)));

  const federations = new Map<string, UpFederation>();
  const rawFeds = isObj(local.federations) ? local.federations : {};
  for (const [name, raw] of Object.entries(rawFeds)) {
    const interval = isObj(raw) && raw.scrapeInterval !== undefined ? durationAt(raw.scrapeInterval, at(`deucalion.federations.${name}.scrapeInterval`)) : scrapeIntervalMs;
    const port = isObj(raw) && raw.port !== undefined ? Number(raw.port) : undefined;
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new StackError(at(`deucalion.federations.${name}.port: invalid port ${String(raw && (raw as Obj).port)}`));
    federations.set(name, { name, scrapeIntervalMs: interval, services: [], port });
  }
  for (const s of services) {
    if (!s.federation) continue;
    if (!federations.has(s.federation)) federations.set(s.federation, { name: s.federation, scrapeIntervalMs, services: [] });
    federations.get(s.federation)!.services.push(s.name);
  }
  for (const f of functions) if (f.federation && !federations.has(f.federation)) federations.set(f.federation, { name: f.federation, scrapeIntervalMs, services: [] });

  const sink = typeof local.sink === 'string' ? local.sink : functions.some((f) => f.name === 'alert-forwarder') ? 'alert-forwarder' : undefined;
  if (sink && !functions.some((f) => f.name === sink)) throw new StackError(at(`deucalion.sink: no function named "${sink}"`));
  const port = local.gateway !== undefined && isObj(local.gateway) ? local.gateway.port : undefined;
  const gatewayPort = port === undefined ? 8080 : Number(port);
  if (!Number.isInteger(gatewayPort) || gatewayPort < 0 || gatewayPort > 65535) throw new StackError(at(`deucalion.gateway.port: invalid port ${String(port)}`));
  return { file, gatewayPort, scrapeIntervalMs, sink, functions, services, federations: [...federations.values()] };
}

function readFunction(name: string, raw: Obj, over: Obj, base: string, defaultIdleMs: number | undefined, at: (p: string) => string): UpFunction {
  const env = { ...stringMap(raw.environment, at(`functions.${name}.environment`)), ...stringMap(over.env, at(`deucalion.functions.${name}.env`)) };
  const labels = stringMap(raw.labels, at(`functions.${name}.labels`));
  const annotations = stringMap(raw.annotations, at(`functions.${name}.annotations`));
  let schedule: string | undefined;
  if (annotations.topic?.split(',').map((t) => t.trim()).includes('cron-function')) {
    schedule = typeof over.schedule === 'string' ? over.schedule : annotations.schedule;
    if (!schedule) throw new StackError(at(`functions.${name}.annotations: topic cron-function needs a schedule`));
    try {
      parseSchedule(schedule);
    } catch (err) {
      throw new StackError(at(`functions.${name}.annotations.schedule: ${(err as Error).message}`));
    }
  }
  // OpenFaaS Pro labels; locally scale to zero is on unless the stack says false. Idle time:
  // per-function override > deucalion.idle > com.openfaas.scale.zero-duration > 30s.
  let idleMs: number | undefined = defaultIdleMs ?? (labels['com.openfaas.scale.zero-duration'] ? durationAt(labels['com.openfaas.scale.zero-duration'], at(`functions.${name}.labels`)) : 30_000);
  if (labels['com.openfaas.scale.zero'] === 'false') idleMs = undefined;
  if (over.idle !== undefined) idleMs = over.idle === false ? undefined : durationAt(over.idle, at(`deucalion.functions.${name}.idle`));
  const config = typeof over.config === 'string' ? resolve(base, over.config) : undefined;
  const federation = typeof over.federation === 'string' ? over.federation : env.FEDERATION || undefined;
  const secrets = Array.isArray(raw.secrets) ? raw.secrets.filter((x): x is string => typeof x === 'string') : [];
  return { name, serves: resolveServes(name, raw, over), env, config, schedule, federation, idleMs, secrets };
}

/** Which `deucalion function X` a stack entry is: explicit override, fprocess, handler folder, or its name. */
export function resolveServes(name: string, raw: Obj, over: Obj = {}): string {
  if (typeof over.serves === 'string') return over.serves;
  // the deucalion-ts template runs `deucalion function $DEUCALION_FUNCTION`
  const env = isObj(raw.environment) ? raw.environment : {};
  if (typeof env.DEUCALION_FUNCTION === 'string' && env.DEUCALION_FUNCTION) return env.DEUCALION_FUNCTION;
  const fprocess = typeof raw.fprocess === 'string' ? raw.fprocess : '';
  const m = /\bfunction\s+(\S+)/.exec(fprocess);
  if (m) return m[1];
  if (name.startsWith('detector-')) return name;
  const handler = typeof raw.handler === 'string' ? raw.handler.replace(/\/+$/, '') : '';
  const folder = handler.slice(handler.lastIndexOf('/') + 1);
  if (folder === 'scrape-trigger' || name.startsWith('scrape-trigger')) return 'scrape-trigger';
  if (folder === 'alert-forwarder' || name.startsWith('alert-forwarder')) return 'alert-forwarder';
  return name;
}

function readService(raw: unknown, path: string, at: (p: string) => string): UpService {
  if (!isObj(raw)) throw new StackError(at(`${path}: expected a mapping`));
  if (typeof raw.name !== 'string' || !raw.name) throw new StackError(at(`${path}.name: required`));
  if (typeof raw.metrics !== 'string' || !/^https?:\/\//.test(raw.metrics)) throw new StackError(at(`${path}.metrics: an http(s) URL is required`));
  let command: string[] | undefined;
  if (raw.command !== undefined) {
    if (!Array.isArray(raw.command) || raw.command.length === 0 || !raw.command.every((c) => typeof c === 'string')) throw new StackError(at(`${path}.command: expected a non-empty list of strings`));
    command = raw.command as string[];
  }
  let sidecar: SidecarSpec | undefined;
  if (raw.sidecar !== undefined && raw.sidecar !== false) sidecar = isObj(raw.sidecar) ? (raw.sidecar as SidecarSpec) : {};
  const federation = typeof raw.federation === 'string' ? raw.federation : undefined;
  if (sidecar && federation) throw new StackError(at(`${path}: a service is either in sidecar mode or in a federation, not both`));
  return { name: raw.name, namespace: typeof raw.namespace === 'string' ? raw.namespace : 'default', command, env: stringMap(raw.env, at(`${path}.env`)), metrics: raw.metrics, sidecar, federation };
}

function stringMap(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) throw new StackError(`${where}: expected a mapping`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return out;
}

function durationAt(raw: unknown, where: string): number {
  try {
    return parseDuration(raw as string | number);
  } catch (err) {
    throw new StackError(`${where}: ${(err as Error).message}`);
  }
}
