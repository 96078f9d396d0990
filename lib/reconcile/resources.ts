// The Kubernetes objects one federation needs: its Prometheus (ConfigMap, Deployment, Service)
// and its trigger (Knative PingSource → scrape-trigger Knative Service, or an OpenFaaS Function
// with cron-connector annotations). Pure: config + federation id in, plain objects out.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { InjectorConfig } from '../inject/config.ts';
import type { OwnerReference } from '../inject/types.ts';

export const MANAGED_BY = 'deucalion-injector';
/** On every federation object (never on the members: Prometheus must not discover itself). */
export const FEDERATION_OF_LABEL = 'deucalion.io/federation-of';
export const PROMETHEUS_PORT = 9090;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: OwnerReference[]; uid?: string };
  [key: string]: unknown;
}

export interface FederationNames {
  root: string;
  prometheus: string;
  trigger: string;
  ping: string;
}

export function federationNames(federation: string): FederationNames {
  return { root: `deucalion-${federation}`, prometheus: `deucalion-${federation}-prometheus`, trigger: `deucalion-${federation}-trigger`, ping: `deucalion-${federation}-tick` };
}

/** Prometheus' name for a pod label in service discovery: non [a-zA-Z0-9_] become `_`. */
export function podLabelMeta(labelKey: string): string {
  return `__meta_kubernetes_pod_label_${labelKey.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export function prometheusConfig(federation: string, config: InjectorConfig): string {
  const { labelKey, prometheus } = config.federation;
  return stringify(
    {
      global: { scrape_interval: prometheus.scrapeInterval, evaluation_interval: prometheus.scrapeInterval, external_labels: { federation } },
      scrape_configs: [
        {
          job_name: `deucalion-${federation}`,
          // The selector makes the API server filter; the keep rule is the guarantee.
          kubernetes_sd_configs: [{ role: 'pod', selectors: [{ role: 'pod', label: `${labelKey}=${federation}` }] }],
          relabel_configs: [
            { source_labels: [podLabelMeta(labelKey)], action: 'keep', regex: escapeRegex(federation) },
            { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'drop', regex: 'false' },
            { source_labels: ['__meta_kubernetes_pod_phase'], action: 'drop', regex: 'Pending|Succeeded|Failed' },
            { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], action: 'replace', target_label: '__metrics_path__', regex: '(.+)' },
            { source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'], action: 'replace', regex: '([^:]+)(?::\\d+)?;(\\d+)', replacement: '$1:$2', target_label: '__address__' },
            { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
            { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
            { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
          ],
        },
      ],
    },
    { lineWidth: 0 },
  );
}

export function triggerConfig(federation: string, config: InjectorConfig): string {
  const url = `http://${federationNames(federation).prometheus}.${config.federation.namespace}.svc:${PROMETHEUS_PORT}`;
  return stringify({ ...config.federation.trigger.config, federation, prometheus: { url } }, { lineWidth: 0 });
}

/** Objects in apply order; the first (the root ConfigMap) owns the others. */
export function federationObjects(federation: string, config: InjectorConfig, rootOwner?: OwnerReference): KubeObject[] {
  const names = federationNames(federation);
  const namespace = config.federation.namespace;
  const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': 'deucalion', [FEDERATION_OF_LABEL]: federation };
  const meta = (name: string, component: string) => ({ name, namespace, labels: { ...labels, 'app.kubernetes.io/component': component } });
  const promYaml = prometheusConfig(federation, config);
  const triggerYaml = triggerConfig(federation, config);
  const root: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...meta(names.root, 'federation'), ...(rootOwner ? { ownerReferences: [rootOwner] } : {}) },
    data: { 'prometheus.yml': promYaml, 'scrape-trigger.yaml': triggerYaml },
  };
  return [root, prometheusDeployment(federation, config, meta(names.prometheus, 'prometheus'), checksum(promYaml)), prometheusService(meta(names.prometheus, 'prometheus')), ...triggerObjects(federation, config, meta, triggerYaml)];
}

/** Everything federationObjects makes, by kind and name (for deletion, without the config). */
export function ownedBy(root: KubeObject): OwnerReference {
  return { apiVersion: root.apiVersion, kind: root.kind, name: root.metadata.name, uid: root.metadata.uid ?? '', controller: true, blockOwnerDeletion: false };
}

type Meta = { name: string; namespace: string; labels: Record<string, string> };

function prometheusDeployment(federation: string, config: InjectorConfig, meta: Meta, configHash: string): KubeObject {
  const p = config.federation.prometheus;
  const selector = { 'app.kubernetes.io/name': 'prometheus', [FEDERATION_OF_LABEL]: federation };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta,
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        // Never inject the federation's own Prometheus; roll it when its config changes.
        metadata: { labels: { ...meta.labels, ...selector }, annotations: { 'deucalion-injection': 'disabled', 'deucalion.io/config-hash': configHash } },
        spec: {
          serviceAccountName: p.serviceAccountName,
          securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'prometheus',
              image: p.image,
              args: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', `--storage.tsdb.retention.time=${p.retention}`],
              ports: [{ name: 'http', containerPort: PROMETHEUS_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/-/ready', port: 'http' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/-/healthy', port: 'http' }, periodSeconds: 20 },
              resources: p.resources,
              volumeMounts: [
                { name: 'config', mountPath: '/etc/prometheus', readOnly: true },
                { name: 'data', mountPath: '/prometheus' },
              ],
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: federationNames(federation).root, items: [{ key: 'prometheus.yml', path: 'prometheus.yml' }] } },
            { name: 'data', emptyDir: {} },
          ],
        },
      },
    },
  };
}

function prometheusService(meta: Meta): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: { selector: { 'app.kubernetes.io/name': 'prometheus', [FEDERATION_OF_LABEL]: meta.labels[FEDERATION_OF_LABEL] }, ports: [{ name: 'http', port: PROMETHEUS_PORT, targetPort: 'http', protocol: 'TCP' }] },
  };
}

function triggerObjects(federation: string, config: InjectorConfig, meta: (name: string, component: string) => Meta, triggerYaml: string): KubeObject[] {
  const names = federationNames(federation);
  const { schedule, platform, trigger } = config.federation;
  if (platform === 'openfaas') {
    // OpenFaaS functions cannot mount ConfigMaps; their secrets appear under /var/openfaas/secrets/.
    const key = `${names.trigger}.yaml`;
    return [
      { apiVersion: 'v1', kind: 'Secret', metadata: meta(names.trigger, 'scrape-trigger'), type: 'Opaque', stringData: { [key]: triggerYaml } },
      {
        apiVersion: 'openfaas.com/v1',
        kind: 'Function',
        metadata: meta(names.trigger, 'scrape-trigger'),
        spec: {
          name: names.trigger,
          image: trigger.image,
          annotations: { topic: 'cron-function', schedule },
          labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [FEDERATION_OF_LABEL]: federation },
          environment: { DEUCALION_CONFIG: `/var/openfaas/secrets/${key}`, DEUCALION_FUNCTION: 'scrape-trigger' },
          secrets: [names.trigger],
          readOnlyRootFilesystem: true,
        },
      },
    ];
  }
  return [
    {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: meta(names.trigger, 'scrape-trigger'),
      spec: {
        template: {
          metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '0', 'deucalion-injection': 'disabled', 'deucalion.io/config-hash': checksum(triggerYaml) } },
          spec: {
            containers: [
              {
                name: 'scrape-trigger',
                image: trigger.image,
                args: ['function', 'scrape-trigger'],
                env: [{ name: 'DEUCALION_CONFIG', value: '/etc/deucalion/scrape-trigger.yaml' }],
                volumeMounts: [{ name: 'config', mountPath: '/etc/deucalion', readOnly: true }],
                securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
              },
            ],
            volumes: [{ name: 'config', configMap: { name: names.root, items: [{ key: 'scrape-trigger.yaml', path: 'scrape-trigger.yaml' }] } }],
          },
        },
      },
    },
    {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: meta(names.ping, 'trigger'),
      spec: { schedule, contentType: 'application/json', data: JSON.stringify({ federation }), sink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: names.trigger } } },
    },
  ];
}

function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
