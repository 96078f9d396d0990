// JSON Patch (RFC 6902) for one decision, built from objects: values are data, never text, so no
// annotation value can change the patch's structure (the original injector formatted JSON with
// Sprintf). Missing parents are added first; arrays are only appended to, never replaced.
import type { Decision, FederatedPlan, SidecarPlan } from './decide.ts';
import {
  CONFIG_MOUNT_PATH,
  CONFIG_VOLUME,
  DISPATCHER_CONTAINER,
  HTTP_PORT_NAME,
  SCRAPE_PATH_ANNOTATION,
  SCRAPE_PORT_ANNOTATION,
  STATUS_ANNOTATION,
} from './keys.ts';
import type { JsonPatchOp, Pod } from './types.ts';

/** RFC 6901: `~` first, then `/`, so `a/b~c` becomes `a~1b~0c`. */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointer(...segments: string[]): string {
  return '/' + segments.map(escapePointer).join('/');
}

export function buildPatch(pod: Pod, decision: Decision): JsonPatchOp[] {
  if (!decision.inject) return [];
  const ops: JsonPatchOp[] = [];
  if (!isObject(pod.metadata)) ops.push({ op: 'add', path: '/metadata', value: {} });
  const plan = decision.plan;
  if (plan.kind === 'federated') addFederated(pod, plan, ops);
  else addSidecar(pod, plan, ops);
  addMapEntry(ops, pod.metadata?.annotations, 'annotations', STATUS_ANNOTATION, JSON.stringify(statusOf(plan)));
  return ops;
}

export interface InjectionStatus {
  version: 1;
  mode: 'native' | 'container' | 'federated';
  image?: string;
  configMap?: string;
  federation?: string;
  containers: string[];
  volumes: string[];
  labels: string[];
}

function statusOf(plan: SidecarPlan | FederatedPlan): InjectionStatus {
  if (plan.kind === 'federated') {
    return { version: 1, mode: 'federated', federation: plan.federation, containers: [], volumes: [], labels: [plan.labelKey] };
  }
  return { version: 1, mode: plan.mode, image: plan.image, configMap: plan.configMap, containers: [DISPATCHER_CONTAINER], volumes: [CONFIG_VOLUME], labels: [] };
}

function addFederated(pod: Pod, plan: FederatedPlan, ops: JsonPatchOp[]): void {
  if (pod.metadata?.labels?.[plan.labelKey] === plan.federation) return;
  addMapEntry(ops, pod.metadata?.labels, 'labels', plan.labelKey, plan.federation);
}

function addSidecar(pod: Pod, plan: SidecarPlan, ops: JsonPatchOp[]): void {
  const spec = isObject(pod.spec) ? pod.spec : undefined;
  if (!spec) ops.push({ op: 'add', path: '/spec', value: {} });
  appendToArray(ops, spec?.volumes, 'volumes', { name: CONFIG_VOLUME, configMap: { name: plan.configMap, optional: true } });
  appendToArray(ops, plan.mode === 'native' ? spec?.initContainers : spec?.containers, plan.mode === 'native' ? 'initContainers' : 'containers', dispatcherContainer(plan));
}

/** The dispatcher; `deucalion` is the image entrypoint, so args start with the subcommand. */
export function dispatcherContainer(plan: SidecarPlan): Record<string, unknown> {
  const fromAnnotation = (name: string, key: string) => ({ name, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${key}']` } } });
  const env: Record<string, unknown>[] = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    fromAnnotation('DEUCALION_SCRAPE_PORT', SCRAPE_PORT_ANNOTATION),
    fromAnnotation('DEUCALION_SCRAPE_PATH', SCRAPE_PATH_ANNOTATION),
    { name: 'DEUCALION_CONFIG', value: `${CONFIG_MOUNT_PATH}/config.yaml` },
    // The port the container declares and the probes use; it overrides a `listen:` in the ConfigMap.
    { name: 'DEUCALION_HTTP_PORT', value: String(plan.port) },
  ];
  if (plan.sink) env.push({ name: 'K_SINK', value: plan.sink });
  // What a SinkBinding would give for an https sink (it does not reach a container added at pod creation).
  if (plan.sinkCaCerts) env.push({ name: 'K_CA_CERTS', value: plan.sinkCaCerts });
  const probe = (path: string, period: number) => ({ httpGet: { path, port: HTTP_PORT_NAME }, periodSeconds: period, timeoutSeconds: 2, failureThreshold: 3 });
  const container: Record<string, unknown> = {
    name: DISPATCHER_CONTAINER,
    image: plan.image,
    imagePullPolicy: plan.imagePullPolicy,
    args: ['dispatcher', '--config', `${CONFIG_MOUNT_PATH}/config.yaml`],
  };
  if (plan.mode === 'native') container.restartPolicy = 'Always';
  const resources: Record<string, unknown> = {};
  if (Object.keys(plan.resources.requests).length > 0) resources.requests = { ...plan.resources.requests };
  if (Object.keys(plan.resources.limits).length > 0) resources.limits = { ...plan.resources.limits };
  return {
    ...container,
    ports: [{ name: HTTP_PORT_NAME, containerPort: plan.port, protocol: 'TCP' }],
    env,
    resources,
    volumeMounts: [{ name: CONFIG_VOLUME, mountPath: CONFIG_MOUNT_PATH, readOnly: true }],
    ...(plan.readinessProbe ? { readinessProbe: probe('/readyz', 10) } : {}),
    livenessProbe: probe('/healthz', 20),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: plan.runAsUser,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function addMapEntry(ops: JsonPatchOp[], existing: unknown, field: 'labels' | 'annotations', key: string, value: string): void {
  if (!isObject(existing)) ops.push({ op: 'add', path: pointer('metadata', field), value: {} });
  ops.push({ op: 'add', path: pointer('metadata', field, key), value });
}

function appendToArray(ops: JsonPatchOp[], existing: unknown, field: string, value: unknown): void {
  if (!Array.isArray(existing)) ops.push({ op: 'add', path: pointer('spec', field), value: [] });
  ops.push({ op: 'add', path: pointer('spec', field) + '/-', value });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
