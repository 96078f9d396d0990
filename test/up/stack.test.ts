import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../lib/up/envsubst.ts';
import { parseStack, resolveServes, StackError } from '../../lib/up/stack.ts';

const parse = (yaml: string, env: Record<string, string> = {}) => parseStack(yaml, '/tmp/stack.yml', env);

describe('envsubst (faas-cli semantics)', () => {
  it.each([
    ['${A}', { A: 'x' }, 'x'],
    ['${A}', {}, ''],
    ['${A:-dflt}', {}, 'dflt'],
    ['${A:-dflt}', { A: '' }, 'dflt'],
    ['${A-dflt}', { A: '' }, ''],
    ['${A-dflt}', {}, 'dflt'],
    ['$$HOME and ${B:-http://p:9090}', { B: 'http://127.0.0.1:1' }, '$HOME and http://127.0.0.1:1'],
  ])('%s with %j → %s', (text, env, expected) => {
    expect(substituteEnv(text, env)).toBe(expected);
  });
});

describe('which `deucalion function` a stack entry serves', () => {
  it.each([
    ['detector-zscore', { handler: './functions/detector' }, 'detector-zscore'],
    ['trigger-a', { fprocess: 'node cli/main.ts function scrape-trigger' }, 'scrape-trigger'],
    ['scrape-trigger-zone-a', { handler: './functions/scrape-trigger' }, 'scrape-trigger'],
    ['alerts', { handler: './functions/alert-forwarder/' }, 'alert-forwarder'],
    ['alert-forwarder', {}, 'alert-forwarder'],
    ['mine', { handler: './x' }, 'mine'],
  ])('%s %j → %s', (name, raw, expected) => {
    expect(resolveServes(name, raw)).toBe(expected);
  });
});

describe('parseStack', () => {
  it('reads functions, cron annotations, scale-to-zero labels, services and federations', () => {
    const stack = parse(`
functions:
  alert-forwarder: { handler: ./functions/alert-forwarder, labels: { com.openfaas.scale.zero: "false" } }
  scrape-trigger-zone-a:
    handler: ./functions/scrape-trigger
    environment: { PROMETHEUS_URL: "\${PROMETHEUS_URL_ZONE_A:-http://prometheus-zone-a:9090}", WINDOW: 1h }
    annotations: { topic: cron-function, schedule: "*/5 * * * *" }
    labels: { com.openfaas.scale.zero: "true", com.openfaas.scale.zero-duration: 2m }
  detector-zscore: { handler: ./functions/detector }
deucalion:
  scrapeInterval: 5s
  functions: { detector-zscore: { idle: 3s } }
  services:
    - { name: a, metrics: "http://127.0.0.1:1/metrics", sidecar: { interval: 2s } }
    - { name: b, namespace: shop, metrics: "http://127.0.0.1:2/metrics", federation: zone-a, command: [node, b.js] }
  federations: { zone-a: { port: 9091 } }
`, { PROMETHEUS_URL_ZONE_A: 'http://127.0.0.1:9091' });
    const fn = Object.fromEntries(stack.functions.map((f) => [f.name, f]));
    expect(fn['alert-forwarder'].idleMs).toBeUndefined();
    expect(fn['scrape-trigger-zone-a']).toMatchObject({ serves: 'scrape-trigger', schedule: '*/5 * * * *', idleMs: 120_000, env: { PROMETHEUS_URL: 'http://127.0.0.1:9091', WINDOW: '1h' } });
    expect(fn['detector-zscore'].idleMs).toBe(3000);
    expect(stack.sink).toBe('alert-forwarder');
    expect(stack.scrapeIntervalMs).toBe(5000);
    expect(stack.services.map((s) => [s.name, s.namespace, !!s.sidecar, s.federation, s.command])).toEqual([
      ['a', 'default', true, undefined, undefined],
      ['b', 'shop', false, 'zone-a', ['node', 'b.js']],
    ]);
    expect(stack.federations).toEqual([{ name: 'zone-a', scrapeIntervalMs: 5000, services: ['b'], port: 9091 }]);
  });

  it('defaults: gateway 8080, idle 30s, no sink without an alert-forwarder', () => {
    const stack = parse('functions: { detector-ewma: { handler: ./functions/detector } }');
    expect(stack.gatewayPort).toBe(8080);
    expect(stack.functions[0].idleMs).toBe(30_000);
    expect(stack.sink).toBeUndefined();
  });

  it.each([
    ['functions: [a]', 'functions: expected a mapping'],
    ['functions: { Bad_Name: {} }', 'functions.Bad_Name: the name must be a DNS label'],
    ['functions: { t: { annotations: { topic: cron-function } } }', 'functions.t.annotations: topic cron-function needs a schedule'],
    ['functions: { t: { annotations: { topic: cron-function, schedule: "* *" } } }', 'expected 5 fields'],
    ['functions: {}\ndeucalion: { idle: soon }', 'deucalion.idle: invalid duration "soon"'],
    ['functions: {}\ndeucalion: { services: [{ name: a }] }', 'deucalion.services[0].metrics: an http(s) URL is required'],
    ['functions: {}\ndeucalion: { services: [{ name: a, metrics: "http://x/m", sidecar: {}, federation: f }] }', 'either in sidecar mode or in a federation'],
    ['functions: {}\ndeucalion: { sink: nope }', 'deucalion.sink: no function named "nope"'],
    ['functions: {}\ndeucalion: { gateway: { port: 70000 } }', 'deucalion.gateway.port: invalid port 70000'],
    ['functions: {\n', 'invalid YAML'],
  ])('%s → %s', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(StackError);
    expect(() => parse(yaml)).toThrow(message);
  });
});
