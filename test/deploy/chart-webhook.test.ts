// The webhook registration, its TLS (Helm-generated and cert-manager), the injector Deployment and
// its RBAC, as rendered by the real helm.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NAMESPACE, findObject, ofKind, renderChart } from './render.ts';

type Webhook = {
  name: string;
  admissionReviewVersions: string[];
  sideEffects: string;
  timeoutSeconds: number;
  failurePolicy: string;
  clientConfig: { service: { name: string; namespace: string; path: string; port: number }; caBundle?: string };
  rules: { operations: string[]; apiGroups: string[]; apiVersions: string[]; resources: string[] }[];
  namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  objectSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
};
const SVC = 'deucalion-injector';
const DNS = [SVC, `${SVC}.${NAMESPACE}`, `${SVC}.${NAMESPACE}.svc`, `${SVC}.${NAMESPACE}.svc.cluster.local`];

function webhookOf(objects: ReturnType<typeof renderChart>): Webhook {
  const mwc = findObject(objects, 'MutatingWebhookConfiguration', SVC) as unknown as { webhooks: Webhook[] };
  expect(mwc.webhooks).toHaveLength(1);
  return mwc.webhooks[0];
}

describe('MutatingWebhookConfiguration', () => {
  it('registers pod CREATE only, v1 reviews, no side effects, a timeout, and the service path', () => {
    const hook = webhookOf(renderChart({}));
    expect(hook).toMatchObject({ admissionReviewVersions: ['v1'], sideEffects: 'None', timeoutSeconds: 5, failurePolicy: 'Ignore' });
    expect(hook.rules).toEqual([{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }]);
    expect(hook.clientConfig.service).toEqual({ name: SVC, namespace: NAMESPACE, path: '/mutate', port: 443 });
  });

  it.each([
    ['defaults: labelled namespaces only', {}, { key: 'deucalion-injection', operator: 'In', values: ['enabled'] }, []],
    ['annotation opt-in anywhere but disabled namespaces', { injector: { annotationOptIn: true, excludedNamespaces: ['monitoring'] } }, { key: 'deucalion-injection', operator: 'NotIn', values: ['disabled'] }, ['monitoring']],
  ])('namespaceSelector, %s', (_name, values, injectionExpr, extra) => {
    const hook = webhookOf(renderChart(values));
    expect(hook.namespaceSelector.matchExpressions).toEqual([
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', NAMESPACE, ...extra] },
      injectionExpr,
    ]);
    expect(hook.objectSelector.matchExpressions).toEqual([{ key: 'deucalion-injection', operator: 'NotIn', values: ['disabled'] }]);
  });

  it('takes failurePolicy, timeout and reinvocation from values, and tells the injector the same policy', () => {
    const objects = renderChart({ injector: { failurePolicy: 'Fail', timeoutSeconds: 10, reinvocationPolicy: 'IfNeeded' } });
    expect(webhookOf(objects)).toMatchObject({ failurePolicy: 'Fail', timeoutSeconds: 10, reinvocationPolicy: 'IfNeeded' });
    const config = findObject(objects, 'ConfigMap', SVC) as unknown as { data: Record<string, string> };
    expect(config.data['config.yaml']).toContain('failurePolicy: Fail');
  });
});

describe('TLS', () => {
  it('helm mode: a CA and a serving certificate for the service names, caBundle = the CA', () => {
    const objects = renderChart({});
    const secret = findObject(objects, 'Secret', `${SVC}-tls`) as unknown as { type: string; data: Record<string, string> };
    expect(secret.type).toBe('kubernetes.io/tls');
    const pem = (k: string) => Buffer.from(secret.data[k], 'base64').toString();
    const ca = new X509Certificate(pem('ca.crt'));
    const cert = new X509Certificate(pem('tls.crt'));
    expect(ca.ca).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(pem('tls.key')))).toBe(true);
    expect(cert.subjectAltName?.split(', ').sort()).toEqual(DNS.map((d) => `DNS:${d}`).sort());
    for (const name of DNS) expect(cert.checkHost(name), name).toBe(name);
    // Valid for years, not a day: upgrades reuse it (lookup), fresh installs get tls.validityDays.
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(3000 * 86_400_000);
    expect(webhookOf(objects).clientConfig.caBundle).toBe(secret.data['ca.crt']);
    expect(ofKind(objects, 'Certificate')).toEqual([]);
  });

  it('cert-manager mode: a Certificate for the service names, cainjector fills caBundle', () => {
    const objects = renderChart({ tls: { mode: 'cert-manager' } });
    const mwc = findObject(objects, 'MutatingWebhookConfiguration', SVC);
    expect(mwc.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(`${NAMESPACE}/${SVC}`);
    expect(webhookOf(objects).clientConfig.caBundle).toBeUndefined();
    const cert = findObject(objects, 'Certificate', SVC) as unknown as { spec: { secretName: string; dnsNames: string[]; issuerRef: object } };
    expect(cert.spec.secretName).toBe(`${SVC}-tls`);
    expect(cert.spec.dnsNames).toEqual(DNS);
    expect(cert.spec.issuerRef).toEqual({ name: `${SVC}-ca`, kind: 'Issuer', group: 'cert-manager.io' });
    // The chart's own chain: self-signed Issuer → CA Certificate → CA Issuer.
    expect(ofKind(objects, 'Issuer').map((i) => i.metadata.name).sort()).toEqual([`${SVC}-ca`, `${SVC}-selfsigned`]);
    expect(ofKind(objects, 'Secret').filter((s) => s.metadata.name === `${SVC}-tls`)).toEqual([]);
  });

  it('cert-manager mode with an issuerRef uses it and makes no Issuers', () => {
    const objects = renderChart({ tls: { mode: 'cert-manager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } } });
    expect((findObject(objects, 'Certificate', SVC) as unknown as { spec: { issuerRef: object } }).spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer' });
    expect(ofKind(objects, 'Issuer')).toEqual([]);
  });
});

describe('injector Deployment', () => {
  const objects = renderChart({});
  const deployment = findObject(objects, 'Deployment', SVC) as unknown as {
    spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: { serviceAccountName: string; containers: { args: string[]; readinessProbe: { httpGet: object }; livenessProbe: { httpGet: object }; env: { name: string }[] }[] } } };
  };

  it('runs 2 replicas behind a PodDisruptionBudget that selects them', () => {
    expect(deployment.spec.replicas).toBe(2);
    const pdb = findObject(objects, 'PodDisruptionBudget', SVC) as unknown as { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
    expect(pdb.spec.minAvailable).toBe(1);
    expect(deployment.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    const service = findObject(objects, 'Service', SVC) as unknown as { spec: { selector: Record<string, string> } };
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
  });

  it('serves HTTPS with the mounted certificate and probes /readyz and /healthz over HTTPS', () => {
    const c = deployment.spec.template.spec.containers[0];
    expect(c.args).toEqual(['injector', '--port=8443', '--tls-cert=/etc/deucalion/tls/tls.crt', '--tls-key=/etc/deucalion/tls/tls.key', '--config=/etc/deucalion/injector/config.yaml']);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(c.env.map((e) => e.name)).toContain('POD_NAMESPACE');
  });

  it('the helm test pod checks /readyz over TLS against the CA', () => {
    const pod = findObject(objects, 'Pod', `${SVC}-test`) as unknown as { metadata: { annotations: Record<string, string> }; spec: { containers: { args: string[] }[] } };
    expect(pod.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0].args).toContain('--cacert');
    expect(pod.spec.containers[0].args).toContain(`https://${SVC}.${NAMESPACE}.svc:443/readyz`);
  });
});

describe('RBAC', () => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const rulesOf = (objects: ReturnType<typeof renderChart>, kind: string, name: string) => (findObject(objects, kind, name) as unknown as { rules: Rule[] }).rules;

  it.each([
    ['knative', 'deucalion-system', ['configmaps', 'services'], [['serving.knative.dev', 'services'], ['sources.knative.dev', 'pingsources']]],
    ['openfaas', 'openfaas-fn', ['configmaps', 'services', 'secrets'], [['openfaas.com', 'functions']]],
  ] as const)('%s: reads for the decision, pods for the informer, writes only in the federation namespace', (platform, fedNs, core, crds) => {
    const objects = renderChart({ platform });
    expect(rulesOf(objects, 'ClusterRole', SVC)).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    ]);
    const role = findObject(objects, 'Role', `${SVC}-reconciler`);
    expect(role.metadata.namespace).toBe(fedNs);
    const write = ['get', 'list', 'create', 'patch', 'delete'];
    expect(rulesOf(objects, 'Role', `${SVC}-reconciler`)).toEqual([
      { apiGroups: [''], resources: [...core], verbs: write },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: write },
      ...crds.map(([g, r]) => ({ apiGroups: [g], resources: [r], verbs: write })),
    ]);
    for (const verb of ['*', 'update', 'deletecollection', 'escalate', 'bind', 'impersonate']) {
      expect(JSON.stringify(ofKind(objects, 'ClusterRole')), verb).not.toContain(`"${verb}"`);
    }
  });

  it('without the reconciler: no pod watch and no write access at all', () => {
    const objects = renderChart({ injector: { reconcileFederations: false } });
    expect(rulesOf(objects, 'ClusterRole', SVC).map((r) => r.resources.join())).toEqual(['namespaces', 'replicasets,deployments,statefulsets,daemonsets']);
    expect(ofKind(objects, 'Role')).toEqual([]);
  });

  it('federation Prometheus servers may only read pods, in every namespace they run in', () => {
    const objects = renderChart({ platform: 'openfaas', federations: [{ name: 'zone-a' }] });
    expect(rulesOf(objects, 'ClusterRole', 'deucalion-federation-prometheus')).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const accounts = ofKind(objects, 'ServiceAccount').filter((s) => s.metadata.name === 'deucalion-federation-prometheus');
    expect(accounts.map((s) => s.metadata.namespace).sort()).toEqual([NAMESPACE, 'openfaas-fn']);
  });
});
