// Injector settings: schema defaults < the YAML --config file < POD_NAMESPACE. Validated once at
// startup against config.schema.json (the Helm chart renders this file; docs/injector.md lists it).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { parseDuration } from '../duration.ts';
import schema from './config.schema.json' with { type: 'json' };

export type SidecarMode = 'native' | 'container';
export type FailurePolicy = 'Ignore' | 'Fail';
export type Platform = 'knative' | 'openfaas';

export interface CpuMemory {
  cpu?: string;
  memory?: string;
}

export interface InjectorConfig {
  sidecar: {
    image: string;
    imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
    mode: SidecarMode;
    configMap: string;
    port: number;
    runAsUser: number;
    readinessProbe: boolean;
    sink: string;
    sinkCaCerts: string;
    resources: { requests: CpuMemory; limits: CpuMemory };
  };
  namespace: string;
  excludedNamespaces: string[];
  failurePolicy: FailurePolicy;
  shutdownDelay: string;
  api: { enabled: 'auto' | 'on' | 'off'; cacheTtl: string; timeout: string };
  federation: {
    labelKey: string;
    reconcile: boolean;
    namespace: string;
    platform: Platform;
    schedule: string;
    ownerDeployment: string;
    prometheus: {
      image: string;
      scrapeInterval: string;
      retention: string;
      serviceAccountName: string;
      resources: Record<string, unknown>;
    };
    trigger: { image: string; config: Record<string, unknown> };
  };
}

export class InjectorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InjectorConfigError';
  }
}

const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: false });
const validate = ajv.compile<InjectorConfig>(schema);

/** Defaults filled in, values checked; `env.POD_NAMESPACE` fills an empty `namespace`. */
export function resolveInjectorConfig(raw: unknown, env: NodeJS.ProcessEnv = {}, source = 'config'): InjectorConfig {
  const data = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) throw new InjectorConfigError(`${source}: expected a mapping of settings`);
  if (!validate(data)) {
    const err = validate.errors?.[0];
    const where = err?.instancePath ? err.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
    const extra = err?.keyword === 'additionalProperties' ? ` "${(err.params as { additionalProperty: string }).additionalProperty}"` : '';
    const allowed = err?.keyword === 'enum' ? `: one of ${(err.params as { allowedValues: string[] }).allowedValues.join(', ')}` : '';
    throw new InjectorConfigError(`${source}: ${where} ${err?.message ?? 'is invalid'}${extra}${allowed}`);
  }
  const config = data as unknown as InjectorConfig;
  if (config.namespace === '') config.namespace = env.POD_NAMESPACE ?? '';
  if (config.federation.namespace === '') config.federation.namespace = config.namespace || 'default';
  if (config.federation.trigger.image === '') config.federation.trigger.image = config.sidecar.image;
  for (const [key, value] of [['api.cacheTtl', config.api.cacheTtl], ['api.timeout', config.api.timeout], ['shutdownDelay', config.shutdownDelay], ['federation.prometheus.scrapeInterval', config.federation.prometheus.scrapeInterval]] as const) {
    try {
      parseDuration(value);
    } catch (err) {
      throw new InjectorConfigError(`${source}: ${key}: ${(err as Error).message}`);
    }
  }
  return config;
}

/** Read and resolve the YAML file; no file → all defaults. The settings may sit under `injector:`. */
export function loadInjectorConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): InjectorConfig {
  if (!file) return resolveInjectorConfig({}, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InjectorConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (err) {
    throw new InjectorConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  const root = parsed as Record<string, unknown> | null;
  const settings = root && typeof root === 'object' && root.injector && typeof root.injector === 'object' ? root.injector : root;
  return resolveInjectorConfig(settings, env, file);
}

/** Namespaces never injected: the configured list plus the injector's own. */
export function isExcludedNamespace(config: InjectorConfig, namespace: string): boolean {
  return namespace === config.namespace || config.excludedNamespaces.includes(namespace);
}
