// The per-federation objects (pure) and the tracker that says which federations have pods.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { PingSource } from '@kubernetes-models/knative/sources.knative.dev/v1/PingSource';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import { federationObjects, podLabelMeta, prometheusConfig } from '../../lib/reconcile/resources.ts';
import { FederationTracker } from '../../lib/reconcile/tracker.ts';
import { requireBinary } from '../support/binaries.ts';

const knative = resolveInjectorConfig({ federation: { trigger: { config: { window: '1h', queries: [{ expr: 'up' }] } } } }, { POD_NAMESPACE: 'deucalion' });
const openfaas = resolveInjectorConfig({ federation: { platform: 'openfaas', namespace: 'openfaas-fn', trigger: { image: 'registry.example/scrape-trigger:0.1.0' } } }, { POD_NAMESPACE: 'deucalion' });
const VALIDATORS: Record<string, (o: unknown) => void> = {
  ConfigMap: (o) => new ConfigMap(o as ConstructorParameters<typeof ConfigMap>[0]).validate(),
  Secret: (o) => new Secret(o as ConstructorParameters<typeof Secret>[0]).validate(),
  Service: (o) => new Service(o as ConstructorParameters<typeof Service>[0]).validate(),
  Deployment: (o) => new Deployment(o as ConstructorParameters<typeof Deployment>[0]).validate(),
  'serving.knative.dev/v1 Service': (o) => new KnativeService(o as ConstructorParameters<typeof KnativeService>[0]).validate(),
  'sources.knative.dev/v1 PingSource': (o) => new PingSource(o as ConstructorParameters<typeof PingSource>[0]).validate(),
};
/** Validate against the Kubernetes OpenAPI or the Knative CRD schemas (no schema for OpenFaaS' Function). */
function validate(o: { apiVersion: string; kind: string }): void {
  const check = VALIDATORS[o.kind] && !o.apiVersion.includes('.') ? VALIDATORS[o.kind] : VALIDATORS[`${o.apiVersion} ${o.kind}`];
  if (o.apiVersion !== 'openfaas.com/v1') expect(check, `${o.apiVersion} ${o.kind}`).toBeDefined();
  check?.(o);
}

describe('federationObjects', () => {
  it('knative: ConfigMap, Prometheus Deployment and Service, scrape-trigger Service, PingSource', () => {
    const objects = federationObjects('zone-a', knative);
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'v1 ConfigMap deucalion/deucalion-zone-a',
      'apps/v1 Deployment deucalion/deucalion-zone-a-prometheus',
      'v1 Service deucalion/deucalion-zone-a-prometheus',
      'serving.knative.dev/v1 Service deucalion/deucalion-zone-a-trigger',
      'sources.knative.dev/v1 PingSource deucalion/deucalion-zone-a-tick',
    ]);
    for (const o of objects) validate(o);
    const ping = objects[4] as unknown as { spec: Record<string, unknown> };
    expect(ping.spec).toEqual({ schedule: '*/1 * * * *', contentType: 'application/json', data: '{"federation":"zone-a"}', sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'deucalion-zone-a-trigger' } } });
    const trigger = parse((objects[0] as unknown as { data: Record<string, string> }).data['scrape-trigger.yaml']);
    expect(trigger).toEqual({ window: '1h', queries: [{ expr: 'up' }], federation: 'zone-a', prometheus: { url: 'http://deucalion-zone-a-prometheus.deucalion.svc:9090' } });
  });

  it('openfaas: the trigger is a Function with cron-connector annotations and its config in a Secret', () => {
    const objects = federationObjects('zone-b', openfaas);
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).slice(3)).toEqual(['Secret openfaas-fn/deucalion-zone-b-trigger', 'Function openfaas-fn/deucalion-zone-b-trigger']);
    for (const o of objects) validate(o);
    const fn = objects[4] as unknown as { spec: Record<string, unknown> };
    expect(fn.spec.annotations).toEqual({ topic: 'cron-function', schedule: '*/1 * * * *' });
    expect(fn.spec.image).toBe('registry.example/scrape-trigger:0.1.0');
    expect(fn.spec.environment).toEqual({ DEUCALION_CONFIG: '/var/openfaas/secrets/deucalion-zone-b-trigger.yaml', DEUCALION_FUNCTION: 'scrape-trigger' });
  });

  it("keeps the federation's Prometheus out of its own federation and out of injection", () => {
    const deployment = federationObjects('zone-a', knative)[1] as unknown as { spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } } };
    expect(deployment.spec.template.metadata.labels['deucalion.io/federation']).toBeUndefined();
    expect(deployment.spec.template.metadata.annotations['deucalion-injection']).toBe('disabled');
  });

  it('names the label in Prometheus service discovery terms', () => {
    expect(podLabelMeta('deucalion.io/federation')).toBe('__meta_kubernetes_pod_label_deucalion_io_federation');
  });

  const promtool = requireBinary('promtool');
  it.skipIf(!promtool)('writes a Prometheus config promtool accepts, keeping only its federation', () => {
    const text = prometheusConfig('zone-a', knative);
    const job = parse(text).scrape_configs[0];
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', selectors: [{ role: 'pod', label: 'deucalion.io/federation=zone-a' }] }]);
    expect(job.relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_pod_label_deucalion_io_federation'], action: 'keep', regex: 'zone-a' });
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-prom-'));
    try {
      // Debian builds Prometheus without Kubernetes service discovery, so promtool checks the rest
      // (relabel rules, regexes, globals) with the discovery swapped for a static target.
      const checkable = parse(text);
      checkable.scrape_configs[0].static_configs = [{ targets: ['127.0.0.1:9100'] }];
      delete checkable.scrape_configs[0].kubernetes_sd_configs;
      writeFileSync(join(dir, 'prometheus.yml'), stringify(checkable));
      const out = execFileSync(promtool!, ['check', 'config', '--syntax-only', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('FederationTracker', () => {
  it('reports a federation when it gains its first pod and when it loses its last', () => {
    const t = new FederationTracker();
    const steps: [string, () => string[], string[]][] = [
      ['a joins f1', () => t.upsert('ns/a', 'f1'), ['f1']],
      ['b joins f1', () => t.upsert('ns/b', 'f1'), []],
      ['a updated, same federation', () => t.upsert('ns/a', 'f1'), []],
      ['a moves to f2', () => t.upsert('ns/a', 'f2'), ['f2']],
      ['b loses its label', () => t.upsert('ns/b', undefined), ['f1']],
      ['unknown pod deleted', () => t.delete('ns/zzz'), []],
      ['a deleted', () => t.delete('ns/a'), ['f2']],
    ];
    for (const [name, step, changed] of steps) expect(step(), name).toEqual(changed);
    expect(t.federations()).toEqual([]);
  });
});
