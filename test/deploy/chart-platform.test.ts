// What the chart runs on each platform: functions scaled to zero, cron ticks per federation, the
// federation Prometheus configs (checked by the real promtool), the sink wiring, and Alertmanager
// (its config checked by the real amtool).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig as loadDispatcherConfig } from '../../lib/dispatcher/config.ts';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import { decide } from '../../lib/inject/decide.ts';
import { dispatcherContainer } from '../../lib/inject/patch.ts';
import { resolveTriggerConfig } from '../../lib/trigger/config.ts';
import { parseSchedule } from '../../lib/up/cron.ts';
import { makeCert } from '../injector/tls.ts';
import { requireBinary } from '../support/binaries.ts';
import { BASE_VALUES, NAMESPACE, TWO_FEDERATIONS, findObject, ofKind, renderChart, type K8sObject } from './render.ts';

type Ksvc = { spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containerConcurrency: number; containers: { args: string[]; env?: { name: string; value: string }[]; readinessProbe?: object }[] } } } };
type Fn = { spec: { name: string; image: string; labels: Record<string, string>; annotations?: Record<string, string>; environment: Record<string, string>; secrets?: string[] } };
const envOf = (k: K8sObject) => Object.fromEntries(((k as unknown as Ksvc).spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
const data = (o: K8sObject) => (o as unknown as { data?: Record<string, string>; stringData?: Record<string, string> });

function checkWithTool(binary: string, args: (file: string) => string[], text: string, fileName: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-check-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, text);
    const result = spawnSync(binary, args(file), { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('knative', () => {
  const objects = renderChart({ ...BASE_VALUES, platform: 'knative', knative: { broker: { enabled: true } } });
  const ksvcs = ofKind(objects, 'Service', 'serving.knative.dev/v1');

  it('one Knative Service per detector, per federation trigger, and the alert-forwarder, all scaled to zero', () => {
    expect(ksvcs.map((k) => k.metadata.name).sort()).toEqual(['alert-forwarder', 'detector-ewma', 'detector-mad', 'detector-zscore', 'scrape-trigger-zone-a', 'scrape-trigger-zone-b']);
    for (const k of ksvcs) {
      const t = (k as unknown as Ksvc).spec.template;
      expect(t.metadata.annotations['autoscaling.knative.dev/min-scale'], k.metadata.name).toBe('0');
      expect(t.spec.containerConcurrency).toBe(10);
      expect(t.spec.containers[0].readinessProbe).toEqual({ httpGet: { path: '/health/readiness', port: 8080 }, periodSeconds: 1 });
      expect(t.spec.containers[0].args[0]).toBe('function');
    }
    expect((findObject(objects, 'Service', 'detector-zscore', 'serving.knative.dev/v1') as unknown as Ksvc).spec.template.spec.containers[0].args).toEqual(['function', 'detector-zscore']);
    expect(envOf(findObject(objects, 'Service', 'detector-zscore', 'serving.knative.dev/v1')).DEUCALION_DETECTOR_PARAMS).toBe('{"threshold":4}');
  });

  it('one PingSource per federation, on its schedule, to its scrape-trigger', () => {
    const pings = ofKind(objects, 'PingSource') as unknown as { metadata: { name: string }; spec: { schedule: string; data: string; contentType: string; sink: { ref: { kind: string; name: string } } } }[];
    expect(pings.map((p) => p.metadata.name).sort()).toEqual(['scrape-trigger-zone-a-tick', 'scrape-trigger-zone-b-tick']);
    for (const [i, fed] of TWO_FEDERATIONS.entries()) {
      const ping = pings.find((p) => p.metadata.name === `scrape-trigger-${fed.name}-tick`)!;
      expect(ping.spec.schedule).toBe(fed.schedule);
      expect(() => parseSchedule(ping.spec.schedule)).not.toThrow();
      expect(JSON.parse(ping.spec.data)).toEqual({ federation: fed.name });
      expect(ping.spec.contentType).toBe('application/json');
      expect(ksvcs.map((k) => k.metadata.name), `ping ${i}`).toContain(ping.spec.sink.ref.name);
    }
  });

  it('anomalies go to the Broker; a Trigger sends io.deucalion.anomaly.v1 to the alert-forwarder', () => {
    const broker = `http://broker-ingress.knative-eventing.svc.cluster.local/${NAMESPACE}/default`;
    expect(data(findObject(objects, 'ConfigMap', 'deucalion-injector')).data!['config.yaml']).toContain(`sink: ${broker}`);
    const trigger = findObject(objects, 'Trigger', 'deucalion-alert-forwarder') as unknown as { spec: { broker: string; filter: object; subscriber: { ref: { name: string } } } };
    expect(trigger.spec.filter).toEqual({ attributes: { type: 'io.deucalion.anomaly.v1' } });
    expect(trigger.spec.subscriber.ref.name).toBe('alert-forwarder');
    expect(ofKind(objects, 'Broker')).toHaveLength(1);
  });

  it('a dispatcher ConfigMap and a SinkBinding in each sidecar namespace', () => {
    for (const ns of ['shop', 'payments']) {
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'deucalion-sidecar' && o.metadata.namespace === ns)!;
      expect(parse(data(cm).data!['config.yaml'])).toEqual({ target: { interval: '15s', timeout: '5s' }, detectors: [{ name: 'zscore', params: { threshold: 4 } }] });
      const binding = objects.find((o) => o.kind === 'SinkBinding' && o.metadata.namespace === ns) as unknown as { spec: { subject: { kind: string }; sink: { ref: { kind: string } } } };
      expect(binding.spec.subject.kind).toBe('Deployment');
      expect(binding.spec.sink.ref.kind).toBe('Broker');
    }
  });
});

describe('openfaas', () => {
  const objects = renderChart({ ...BASE_VALUES, platform: 'openfaas' });
  const functions = ofKind(objects, 'Function') as unknown as (K8sObject & Fn)[];

  it('Function resources in openfaas-fn with scale-to-zero labels and the function to serve', () => {
    expect(functions.map((f) => f.spec.name).sort()).toEqual(['alert-forwarder', 'detector-ewma', 'detector-mad', 'detector-zscore', 'scrape-trigger-zone-a', 'scrape-trigger-zone-b']);
    for (const f of functions) {
      expect(f.metadata.namespace).toBe('openfaas-fn');
      expect(f.spec.name).toBe(f.metadata.name);
      expect(f.spec.image).toBe('ghcr.io/deucalion/function-openfaas:0.1.0');
      expect(f.spec.labels['com.openfaas.scale.zero']).toBe('true');
      const serves = f.spec.name.startsWith('scrape-trigger-') ? 'scrape-trigger' : f.spec.name;
      expect(f.spec.environment.DEUCALION_FUNCTION).toBe(serves);
    }
  });

  it('scrape-triggers carry cron-connector annotations and their config as a mounted Secret', () => {
    for (const fed of TWO_FEDERATIONS) {
      const f = functions.find((x) => x.spec.name === `scrape-trigger-${fed.name}`)!;
      expect(f.spec.annotations).toEqual({ topic: 'cron-function', schedule: fed.schedule });
      expect(() => parseSchedule(f.spec.annotations!.schedule)).not.toThrow();
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === f.spec.secrets![0] && o.metadata.namespace === 'openfaas-fn')!;
      const key = Object.keys(data(secret).stringData!)[0];
      expect(f.spec.environment.DEUCALION_CONFIG).toBe(`/var/openfaas/secrets/${key}`);
      const config = parse(data(secret).stringData![key]);
      expect(config.detectors).toEqual({ baseUrl: 'http://gateway.openfaas:8080/function/' });
      expect(config.sink).toEqual({ url: 'http://gateway.openfaas:8080/function/alert-forwarder' });
    }
    expect(functions.filter((f) => !f.spec.name.startsWith('scrape-trigger')).every((f) => f.spec.annotations === undefined)).toBe(true);
  });

  it('scaleToZero false drops the Pro labels (OpenFaaS CE)', () => {
    const ce = ofKind(renderChart({ platform: 'openfaas', openfaas: { scaleToZero: false } }), 'Function') as unknown as Fn[];
    for (const f of ce) expect(f.spec.labels['com.openfaas.scale.zero']).toBeUndefined();
  });
});

describe('federations from values', () => {
  const objects = renderChart({ ...BASE_VALUES, platform: 'knative' });
  const promtool = requireBinary('promtool');

  it.each(TWO_FEDERATIONS.map((f) => [f.name, f] as const))('%s: its Prometheus discovers only its pods; its trigger queries that Prometheus', (name, fed) => {
    const cm = findObject(objects, 'ConfigMap', `deucalion-${name}-prometheus`);
    const config = parse(data(cm).data!['prometheus.yml']);
    const job = config.scrape_configs[0];
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', selectors: [{ role: 'pod', label: `deucalion.io/static-federation=${name}` }] }]);
    expect(job.relabel_configs[0]).toMatchObject({ source_labels: ['__meta_kubernetes_pod_label_deucalion_io_static_federation'], action: 'keep' });
    // Prometheus anchors relabel regexes: the keep rule matches this federation and no other.
    const keep = new RegExp(`^(?:${job.relabel_configs[0].regex})$`);
    expect([name, `${name}x`, `x${name}`, 'zone-b', 'zone-a'].map((v) => keep.test(v))).toEqual([true, false, false, name === 'zone-b', name === 'zone-a']);
    findObject(objects, 'Deployment', `deucalion-${name}-prometheus`);
    findObject(objects, 'Service', `deucalion-${name}-prometheus`, 'v1');

    const trigger = parse(data(findObject(objects, 'ConfigMap', `scrape-trigger-${name}`)).data![`scrape-trigger-${name}.yaml`]);
    expect(trigger.federation).toBe(name);
    expect(trigger.prometheus.url).toBe(`http://deucalion-${name}-prometheus.${NAMESPACE}.svc.cluster.local:9090`);
    expect(trigger.queries).toEqual(fed.queries);
    const ksvcs = ofKind(objects, 'Service', 'serving.knative.dev/v1').map((k) => k.metadata.name);
    for (const q of trigger.queries) for (const d of q.detectors) expect(ksvcs).toContain(d);
    for (const [d, url] of Object.entries(trigger.detectors.urls)) expect(url).toBe(`http://${d}.${NAMESPACE}.svc.cluster.local`);
    expect(envOf(findObject(objects, 'Service', `scrape-trigger-${name}`, 'serving.knative.dev/v1')).DEUCALION_CONFIG).toBe(`/etc/deucalion/scrape-trigger-${name}.yaml`);
  });

  it.skipIf(!promtool)('promtool accepts every federation Prometheus config', () => {
    for (const fed of TWO_FEDERATIONS) {
      // Debian builds Prometheus without Kubernetes service discovery, so promtool checks the rest
      // (globals, relabel rules and their regexes) with the discovery swapped for a static target.
      const config = parse(data(findObject(objects, 'ConfigMap', `deucalion-${fed.name}-prometheus`)).data!['prometheus.yml']);
      config.scrape_configs[0].static_configs = [{ targets: ['127.0.0.1:9100'] }];
      delete config.scrape_configs[0].kubernetes_sd_configs;
      const text = stringify(config);
      const result = checkWithTool(promtool!, (f) => ['check', 'config', '--syntax-only', f], text, 'prometheus.yml');
      expect(result.output).toContain('SUCCESS');
      expect(result.status).toBe(0);
    }
  });
});

describe('alerts', () => {
  const amtool = requireBinary({ names: ['amtool'], install: 'apt-get install prometheus-alertmanager' });

  it.each([
    ['bundled', { alertmanager: { enabled: true } }, `http://deucalion-alertmanager.${NAMESPACE}.svc.cluster.local:9093`],
    ['external HA pair', { alertmanager: { enabled: false, url: 'http://am-0:9093,http://am-1:9093' } }, 'http://am-0:9093,http://am-1:9093'],
  ])('%s Alertmanager: the alert-forwarder sends there', (_name, values, url) => {
    const objects = renderChart(values);
    const env = envOf(findObject(objects, 'Service', 'alert-forwarder', 'serving.knative.dev/v1'));
    expect(env).toMatchObject({ ALERTMANAGER_URL: url, ALERT_NAME: 'DeucalionAnomaly', ALERT_RESEND_INTERVAL: '1m', ALERT_LOG_FILE: '/tmp/deucalion-alerts.jsonl' });
    expect(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'deucalion-alertmanager')).toBe(values.alertmanager.enabled);
  });

  it.skipIf(!amtool)('amtool accepts the bundled Alertmanager config', () => {
    const cm = findObject(renderChart({}), 'ConfigMap', 'deucalion-alertmanager');
    const result = checkWithTool(amtool!, (f) => ['check-config', f], data(cm).data!['alertmanager.yml'], 'alertmanager.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

describe('configs the components accept', () => {
  it.each(['knative', 'openfaas'] as const)('%s: every scrape-trigger config, the reconciler\'s, and the dispatcher\'s', async (platform) => {
    const objects = renderChart({ ...BASE_VALUES, platform });
    const configs = objects.flatMap((o) => Object.entries({ ...data(o).data, ...data(o).stringData }).filter(([k]) => k.startsWith('scrape-trigger-')).map(([k, v]) => [k, v] as const));
    expect(configs.map(([k]) => k).sort()).toEqual(['scrape-trigger-zone-a.yaml', 'scrape-trigger-zone-b.yaml']);
    for (const [name, text] of configs) expect(() => resolveTriggerConfig(parse(text), {}, name)).not.toThrow();
    const injector = resolveInjectorConfig(parse(data(findObject(objects, 'ConfigMap', 'deucalion-injector')).data!['config.yaml']), {}, 'injector');
    // The reconciler fills in federation and prometheus.url for each federation it creates.
    const reconciled = resolveTriggerConfig({ ...injector.federation.trigger.config, federation: 'x', prometheus: { url: 'http://p:9090' } }, {}, 'reconciler');
    expect(reconciled.queries[0].detectors[0].url).toMatch(/detector-zscore(\.deucalion-system\.svc\.cluster\.local)?$/);
    const sidecar = data(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'deucalion-sidecar')!).data!['config.yaml'];
    const dispatcher = await loadDispatcherConfig(sidecar, { source: 'sidecar', env: { DEUCALION_SCRAPE_PORT: '8080', K_SINK: injector.sidecar.sink, POD_NAME: 'p', POD_NAMESPACE: 'shop' } });
    expect(dispatcher.target.url).toBe('http://127.0.0.1:8080/metrics');
    expect(new URL(dispatcher.sink.url!).href).toBe(new URL(injector.sidecar.sink).href); // URL-normalised
  });

  it('sink.caCerts (an https Broker under transport encryption): every dispatcher and scrape-trigger trusts it', async () => {
    const ca = readFileSync(makeCert(mkdtempSync(join(tmpdir(), 'deucalion-sink-ca-')), 'broker-ca').certFile, 'utf8');
    const sinkUrl = 'https://broker-ingress.knative-eventing.svc.cluster.local/deucalion-system/default';
    const objects = renderChart({ ...BASE_VALUES, platform: 'knative', sink: { url: sinkUrl, caCerts: ca } });
    const configs = objects.flatMap((o) => Object.entries(data(o).data ?? {}).filter(([k]) => k.startsWith('scrape-trigger-')).map(([, v]) => v));
    expect(configs).toHaveLength(2);
    for (const text of configs) expect(resolveTriggerConfig(parse(text), {}, 'helm').sink).toMatchObject({ url: sinkUrl, caCerts: ca.trim() });
    const injector = resolveInjectorConfig(parse(data(findObject(objects, 'ConfigMap', 'deucalion-injector')).data!['config.yaml']), {}, 'injector');
    const reconciled = resolveTriggerConfig({ ...injector.federation.trigger.config, federation: 'x', prometheus: { url: 'http://p:9090' } }, {}, 'reconciler');
    expect(reconciled.sink.caCerts).toBe(ca.trim());
    // An injected pod: its dispatcher's environment as the injector writes it, read by the dispatcher.
    const decision = decide({ metadata: { name: 'web-1', annotations: { 'deucalion-injection': 'enabled' } }, spec: { containers: [{ name: 'web' }] } }, undefined, { name: 'shop' }, injector);
    if (!decision.inject || decision.plan.kind !== 'sidecar') throw new Error(`not injected: ${JSON.stringify(decision)}`);
    const container = dispatcherContainer(decision.plan) as { env: { name: string; value?: string }[] };
    const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const dispatcher = await loadDispatcherConfig('target: { url: "http://127.0.0.1:8080/metrics" }', { source: 'cm', env });
    expect([dispatcher.sink.url, dispatcher.sink.tls]).toEqual([sinkUrl, { ca: ca.trim() }]);
  });

  it('openfaas.functions false: no Function resources (deploy them with faas-cli -f stack.yml)', () => {
    const objects = renderChart({ ...BASE_VALUES, platform: 'openfaas', openfaas: { functions: false } });
    expect(ofKind(objects, 'Function')).toEqual([]);
    expect(objects.filter((o) => o.metadata.namespace === 'openfaas-fn' && o.kind === 'Secret')).toEqual([]);
    findObject(objects, 'Deployment', 'deucalion-zone-a-prometheus');
  });
});
