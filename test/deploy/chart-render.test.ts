// The chart with the real helm v4: lint (also --strict), render a matrix of values, and validate
// every rendered object against the Kubernetes OpenAPI schema (Knative, cert-manager and OpenFaaS
// objects against their CRD schemas); see test/support/k8s-schema.ts.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import { runHelm } from '../support/helm.ts';
import { validateManifest } from '../support/k8s-schema.ts';
import { BASE_VALUES, CHART, NAMESPACE, findObject, helmTemplate, podContainers, renderChart } from './render.ts';

const MATRIX = (['knative', 'openfaas'] as const).flatMap((platform) =>
  (['helm', 'cert-manager'] as const).flatMap((tls) =>
    [true, false].map((bundled) => ({
      name: `${platform}, ${tls} TLS, ${bundled ? 'bundled' : 'external'} Alertmanager`,
      values: {
        ...BASE_VALUES,
        platform,
        tls: { mode: tls },
        alertmanager: bundled ? { enabled: true } : { enabled: false, url: 'http://am-0.monitoring:9093,http://am-1.monitoring:9093' },
        knative: { broker: { enabled: bundled } },
      },
    })),
  ),
);

describe('helm lint', () => {
  it.each([
    ['defaults', []],
    ['strict', ['--strict']],
    ['strict, openfaas + cert-manager', ['--strict', '--set', 'platform=openfaas', '--set', 'tls.mode=cert-manager']],
  ])('%s', (_name, args) => {
    const result = runHelm(['lint', CHART, ...args]);
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe.each(MATRIX)('helm template: $name', ({ values }) => {
  const objects = renderChart(values);

  it('renders objects that validate against their schemas', async () => {
    expect(objects.length).toBeGreaterThan(20);
    const errors = (await Promise.all(objects.map((o) => validateManifest(o)))).flat();
    expect(errors).toEqual([]);
  });

  it('renders no object twice', () => {
    const keys = objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('renders an injector config the injector accepts', () => {
    const cm = findObject(objects, 'ConfigMap', 'deucalion-injector');
    const config = resolveInjectorConfig(parseYaml((cm as unknown as { data: Record<string, string> }).data['config.yaml']), {}, 'chart');
    expect(config.federation.platform).toBe(values.platform);
    expect(config.namespace).toBe(NAMESPACE);
    expect(config.failurePolicy).toBe('Ignore');
    const mwc = findObject(objects, 'MutatingWebhookConfiguration', 'deucalion-injector') as unknown as { webhooks: { failurePolicy: string }[] };
    expect(mwc.webhooks[0].failurePolicy).toBe(config.failurePolicy);
    expect(config.sidecar.sink).toMatch(/^http:\/\//);
  });

  it('runs every container non-root, read-only, without capabilities, with resources', () => {
    const containers = podContainers(objects);
    expect(containers.length).toBeGreaterThan(3);
    for (const { owner, container, podSecurity } of containers) {
      const sc = { ...podSecurity, ...container.securityContext };
      expect(sc, owner).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container.resources?.requests, owner).toBeDefined();
      expect(container.resources?.limits, owner).toBeDefined();
    }
    const openfaas = objects.filter((o) => o.kind === 'Function');
    for (const f of openfaas) expect((f.spec as { readOnlyRootFilesystem: boolean }).readOnlyRootFilesystem).toBe(true);
  });

  it('opts its own pods out of injection', () => {
    const templates = objects.flatMap((o) => {
      if (o.kind === 'Pod') return [{ owner: o.metadata.name, labels: o.metadata.labels }];
      const t = (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template;
      if (o.kind === 'Function') return [{ owner: o.metadata.name, labels: (o.spec as { labels: Record<string, string> }).labels }];
      return t ? [{ owner: o.metadata.name, labels: t.metadata?.labels }] : [];
    });
    expect(templates.length).toBeGreaterThan(3);
    for (const t of templates) expect(t.labels?.['deucalion-injection'], t.owner).toBe('disabled');
  });
});

describe('helm template: value checks', () => {
  it.each([
    ['an unknown platform', { platform: 'lambda' }, "at '/platform': value must be one of 'knative', 'openfaas'"],
    ['an external Alertmanager without a URL', { alertmanager: { enabled: false } }, "at '/alertmanager'"],
    ['a federation name that is not a DNS label', { federations: [{ name: 'Zone_A' }] }, "at '/federations/0/name'"],
    ['a bad cron schedule', { federations: [{ name: 'a', schedule: 'every minute' }] }, "at '/federations/0/schedule'"],
    ['a query sent to something that is not a detector', { federations: [{ name: 'a', queries: [{ expr: 'up', detectors: ['zscore'] }] }] }, "at '/federations/0/queries/0/detectors/0'"],
    ['a misspelt key', { injector: { replica: 3 } }, "additional properties 'replica' not allowed"],
    ['tls.mode secret without a Secret', { tls: { mode: 'secret' } }, "at '/tls'"],
  ])('rejects %s', (_name, values, message) => {
    const result = helmTemplate(values);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it('accepts tls.mode secret with a Secret and caBundle and renders no certificate of its own', async () => {
    const objects = renderChart({ tls: { mode: 'secret', secretName: 'my-webhook-tls', caBundle: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64') } });
    expect(objects.filter((o) => o.kind === 'Secret' || o.kind === 'Certificate')).toEqual([]);
    const deployment = findObject(objects, 'Deployment', 'deucalion-injector') as unknown as { spec: { template: { spec: { volumes: { name: string; secret?: { secretName: string } }[] } } } };
    expect(deployment.spec.template.spec.volumes.find((v) => v.name === 'tls')?.secret?.secretName).toBe('my-webhook-tls');
    expect((await Promise.all(objects.map((o) => validateManifest(o)))).flat()).toEqual([]);
  });
});

describe('NOTES.txt (helm install --dry-run=client, no cluster)', () => {
  it.each([
    ['knative', [], ['kubectl label namespace shop deucalion-injection=enabled', 'deucalion-sidecar-image=ghcr.io/deucalion/dispatcher:0.1.0', 'helm test deucalion', 'PingSources']],
    ['openfaas', ['--set', 'platform=openfaas'], ['OpenFaaS Pro', 'cron-connector', 'http://gateway.openfaas:8080/function/alert-forwarder']],
  ])('%s', (_name, args, expected) => {
    const result = runHelm(['install', 'deucalion', CHART, '--namespace', NAMESPACE, '--dry-run=client', ...args]);
    expect(result.status, result.stderr).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
    for (const text of expected) expect(notes).toContain(text);
  });
});
