// stack.yml as faas-cli reads it: names, handlers, images, the template, cron annotations, and the
// environment each function needs (proved by building each function from that environment).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listFunctionNames, loadFunction } from '../../functions/index.ts';
import { BUILTIN_DETECTORS } from '../../lib/detectors/index.ts';
import { createLogger } from '../../lib/log.ts';
import { resolveTriggerConfig } from '../../lib/trigger/config.ts';
import { parseSchedule } from '../../lib/up/cron.ts';
import { substituteEnv } from '../../lib/up/envsubst.ts';
import { parseStack } from '../../lib/up/stack.ts';
import { REPO_ROOT } from '../support/process.ts';

interface StackFunction {
  lang: string;
  handler: string;
  image: string;
  environment?: Record<string, string>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  secrets?: string[];
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
  readonly_root_filesystem?: boolean;
}

const TEXT = readFileSync(join(REPO_ROOT, 'stack.yml'), 'utf8');
// faas-cli substitutes ${VAR:-default} before parsing; with an empty environment the defaults apply.
const STACK = parse(substituteEnv(TEXT, {})) as { version: unknown; provider: { name: string; gateway: string }; configuration: { templates: { name: string; source: string }[]; copy: string[] }; functions: Record<string, StackFunction> };
const FUNCTIONS = Object.entries(STACK.functions);
const log = createLogger('stack-test');
const quiet = { ...log, info: () => {}, debug: () => {} } as typeof log;

// What each kind of function cannot start without (beyond DEUCALION_FUNCTION, which picks it).
const REQUIRED_ENV: [RegExp, string[]][] = [
  [/^detector-/, []],
  [/^scrape-trigger-/, ['DEUCALION_CONFIG', 'FEDERATION', 'PROMETHEUS_URL', 'DETECTORS_BASE_URL', 'K_SINK']],
  [/^alert-forwarder$/, ['ALERTMANAGER_URL', 'ALERT_RESEND_INTERVAL', 'ALERT_LOG_FILE']],
];

describe('stack.yml', () => {
  it('is a faas-cli stack file for the openfaas provider, using this repository template', () => {
    expect(TEXT).toMatch(/^version: 1\.0$/m);
    expect(STACK.provider.name).toBe('openfaas');
    expect(STACK.provider.gateway).toMatch(/^https?:\/\//);
    expect(STACK.configuration.templates).toEqual([{ name: 'deucalion-ts', source: expect.stringMatching(/^https:\/\//) }]);
    expect(parse(readFileSync(join(REPO_ROOT, 'template/deucalion-ts/template.yml'), 'utf8')).language).toBe('deucalion-ts');
    for (const path of STACK.configuration.copy) expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
    // No YAML merge keys: faas-cli (Go) and `deucalion up` (npm yaml, YAML 1.2) would read them differently.
    expect(TEXT).not.toContain('<<:');
  });

  it('has a function for every built-in detector, the alert-forwarder and a scrape-trigger per example federation', () => {
    const names = FUNCTIONS.map(([n]) => n).sort();
    const expected = [...[...BUILTIN_DETECTORS.keys()].map((d) => `detector-${d}`), 'alert-forwarder', 'scrape-trigger-zone-a', 'scrape-trigger-zone-b'].sort();
    expect(names).toEqual(expected);
    expect(FUNCTIONS.length).toBeLessThanOrEqual(15); // OpenFaaS CE's limit
  });

  it.each(FUNCTIONS)('%s: DNS-label name, existing handler, named image, template, limits, read-only root, scale to zero', (name, fn) => {
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(fn.lang).toBe('deucalion-ts');
    const handler = join(REPO_ROOT, fn.handler);
    expect(existsSync(handler) && statSync(handler).isDirectory(), fn.handler).toBe(true);
    expect(existsSync(join(handler, 'index.ts')), `${fn.handler}/index.ts`).toBe(true);
    // registry/repository:tag, all lower case, an explicit tag (never latest).
    expect(fn.image).toMatch(/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    expect(fn.image).not.toMatch(/:latest$/);
    expect(fn.labels?.['com.openfaas.scale.zero']).toBe('true');
    expect(fn.readonly_root_filesystem).toBe(true);
    for (const r of [fn.requests, fn.limits]) {
      expect(r?.cpu).toMatch(/^[0-9]+m?$/);
      expect(r?.memory).toMatch(/^[0-9]+Mi$/); // faas-netes needs Mi on Kubernetes
    }
    for (const value of Object.values(fn.environment ?? {})) expect(value).not.toContain('${'); // envsubst left nothing
  });

  it.each(FUNCTIONS)('%s: has the environment it needs, and builds from it', async (name, fn) => {
    const env = fn.environment ?? {};
    expect(listFunctionNames()).toContain(env.DEUCALION_FUNCTION);
    const required = REQUIRED_ENV.find(([re]) => re.test(name))![1];
    for (const key of required) expect(env[key], key).toBeTruthy();
    for (const [key, value] of Object.entries(env)) if (/URL|SINK/.test(key)) for (const url of value.split(',')) expect(url, key).toMatch(/^https?:\/\/[^\s]+$/);
    if (env.ALERT_LOG_FILE) expect(env.ALERT_LOG_FILE.startsWith('/tmp/')).toBe(true);
    let config: string | undefined;
    if (env.DEUCALION_CONFIG) {
      // OpenFaaS mounts each secret at /var/openfaas/secrets/<name>; the file it is made from ships in deploy/openfaas.
      const secret = env.DEUCALION_CONFIG.replace('/var/openfaas/secrets/', '');
      expect(fn.secrets).toEqual([secret]);
      config = join(REPO_ROOT, 'deploy/openfaas', `${secret}.yaml`);
      expect(existsSync(config), config).toBe(true);
    }
    const built = await loadFunction(env.DEUCALION_FUNCTION, { config, env, log: quiet });
    await built.shutdown?.();
  });

  it.each(FUNCTIONS.filter(([n]) => n.startsWith('scrape-trigger-')))('%s: cron-connector annotations, a schedule that parses, queries sent to deployed detectors', (name, fn) => {
    expect(fn.annotations?.topic).toBe('cron-function');
    expect(() => parseSchedule(fn.annotations!.schedule)).not.toThrow();
    const env = fn.environment!;
    expect(env.FEDERATION).toBe(name.replace('scrape-trigger-', ''));
    const raw = parse(readFileSync(join(REPO_ROOT, 'deploy/openfaas', `${fn.secrets![0]}.yaml`), 'utf8'));
    const config = resolveTriggerConfig(raw, env, fn.secrets![0]);
    for (const q of config.queries) for (const d of q.detectors) {
      expect(STACK.functions[d.name], d.name).toBeDefined();
      expect(d.url).toBe(`${env.DETECTORS_BASE_URL}${d.name}`);
    }
    expect(config.sink.url).toBe(env.K_SINK);
  });

  it('is also a stack `deucalion up` reads (same names, functions and schedules)', () => {
    const up = parseStack(TEXT, join(REPO_ROOT, 'stack.yml'), {});
    expect(up.functions.map((f) => f.name)).toEqual(FUNCTIONS.map(([n]) => n));
    for (const f of up.functions) expect(f.serves).toBe(STACK.functions[f.name].environment!.DEUCALION_FUNCTION);
    expect(up.functions.filter((f) => f.schedule).map((f) => f.federation)).toEqual(['zone-a', 'zone-b']);
  });
});
