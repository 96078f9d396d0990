// Whether and how to inject one pod: a pure function of the pod, its owning Deployment, its
// namespace and the config. Everything about precedence lives here and only here.
import type { InjectorConfig, SidecarMode, CpuMemory } from './config.ts';
import { isExcludedNamespace } from './config.ts';
import { ANNOTATION, CONFIG_VOLUME, DISPATCHER_CONTAINER, HTTP_PORT_NAME, INJECTION_LABEL, STATUS_ANNOTATION } from './keys.ts';
import type { NamespaceInfo, Pod, StringMap, WorkloadOwner } from './types.ts';

export type SkipReason =
  | 'excluded_namespace'
  | 'host_network'
  | 'already_injected'
  | 'disabled_by_pod'
  | 'disabled_by_deployment'
  | 'disabled_by_namespace'
  | 'not_enabled'
  | 'invalid_annotation'
  | 'port_conflict'
  | 'name_conflict';

/** The one table turning reason codes into sentences (logs, warnings, docs). */
export const SKIP_MESSAGES: Record<SkipReason, string> = {
  excluded_namespace: 'the namespace is excluded from injection',
  host_network: 'the pod uses the host network',
  already_injected: 'the pod is already injected',
  disabled_by_pod: 'injection is disabled on the pod',
  disabled_by_deployment: 'injection is disabled on the owning Deployment',
  disabled_by_namespace: 'injection is disabled on the namespace',
  not_enabled: 'injection is not enabled on the pod, its Deployment or its namespace',
  invalid_annotation: 'a deucalion annotation has an invalid value',
  port_conflict: 'a container already uses the dispatcher port',
  name_conflict: 'the pod already has a volume or port with the dispatcher\'s name',
};

export type Level = 'pod' | 'deployment' | 'namespace';

export interface SidecarPlan {
  kind: 'sidecar';
  image: string;
  imagePullPolicy: string;
  configMap: string;
  mode: SidecarMode;
  port: number;
  runAsUser: number;
  readinessProbe: boolean;
  sink: string;
  /** K_CA_CERTS for the dispatcher (PEM); empty or absent: not set. */
  sinkCaCerts?: string;
  resources: { requests: CpuMemory; limits: CpuMemory };
}

export interface FederatedPlan {
  kind: 'federated';
  federation: string;
  labelKey: string;
}

export type Decision =
  | { inject: false; reasons: SkipReason[]; details: string[] }
  | { inject: true; enabledBy: Level; plan: SidecarPlan | FederatedPlan };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// Permissive image reference: registry/path:tag@digest characters only, no whitespace or quotes.
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/;
const QUANTITY = /^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
/** Federation ids end up in resource names (deucalion-<id>-prometheus) and label values. */
export const MAX_FEDERATION_LENGTH = 40;

type Toggle = 'enabled' | 'disabled' | undefined;

/**
 * Precedence of the enable switch (first level that says anything wins):
 *
 *   pod        deployment  namespace  → result
 *   enabled    *           *          → inject (pod)
 *   disabled   *           *          → skip disabled_by_pod
 *   -          enabled     *          → inject (deployment)
 *   -          disabled    *          → skip disabled_by_deployment
 *   -          -           enabled    → inject (namespace)
 *   -          -           disabled   → skip disabled_by_namespace
 *   -          -           -/unknown  → skip not_enabled
 *
 * A level "says enabled" with `deucalion-injection: enabled` or any of deucalion-sidecar-image,
 * deucalion-config-map, deucalion-federation; an explicit `disabled` on the same level beats those.
 * Settings (image, config map, federation, mode, resources) resolve pod > Deployment > config.
 */
export function decide(pod: Pod, owner: WorkloadOwner | undefined, namespace: NamespaceInfo, config: InjectorConfig): Decision {
  const reasons: SkipReason[] = [];
  const details: string[] = [];
  const podAnnotations = pod.metadata?.annotations ?? {};
  const ownerAnnotations = owner?.annotations ?? {};

  if (isExcludedNamespace(config, namespace.name)) reasons.push('excluded_namespace');
  if (pod.spec?.hostNetwork === true) reasons.push('host_network');
  const injected = isInjected(pod);
  if (injected) reasons.push('already_injected');

  const invalid = (key: string, value: string, expected: string) => details.push(`${key}: "${value}" is not ${expected}`);
  const podToggle = readToggle(podAnnotations, pod.metadata?.labels ?? {}, invalid);
  const ownerToggle = owner ? readToggle(ownerAnnotations, {}, invalid) : undefined;
  const nsToggle = readNamespaceToggle(namespace.labels, invalid);
  const levels: [Level, Toggle][] = [['pod', podToggle], ['deployment', ownerToggle], ['namespace', nsToggle]];
  const said = levels.find(([, toggle]) => toggle !== undefined);
  let enabledBy: Level | undefined;
  if (!said) reasons.push('not_enabled');
  else if (said[1] === 'disabled') reasons.push(`disabled_by_${said[0]}`);
  else enabledBy = said[0];

  const setting = (key: string): string | undefined => podAnnotations[key] ?? ownerAnnotations[key];
  const federation = setting(ANNOTATION.federation);
  let plan: SidecarPlan | FederatedPlan;
  if (federation !== undefined) {
    if (!DNS_LABEL.test(federation) || federation.length > MAX_FEDERATION_LENGTH) invalid(ANNOTATION.federation, federation, `a DNS label of at most ${MAX_FEDERATION_LENGTH} characters`);
    plan = { kind: 'federated', federation, labelKey: config.federation.labelKey };
  } else {
    plan = planSidecar(setting, config, invalid);
    if (!injected) addConflicts(pod, plan, reasons);
  }
  if (details.length > 0) reasons.push('invalid_annotation');
  if (reasons.length > 0 || !enabledBy) return { inject: false, reasons, details };
  return { inject: true, enabledBy, plan };
}

export function describeSkip(reasons: SkipReason[], details: string[] = []): string {
  return [...reasons.map((r) => SKIP_MESSAGES[r]), ...details].join('; ');
}

/** Injected before: the status annotation, or a dispatcher container someone (or we) added. */
export function isInjected(pod: Pod): boolean {
  if (pod.metadata?.annotations?.[STATUS_ANNOTATION] !== undefined) return true;
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return all.some((c) => c?.name === DISPATCHER_CONTAINER);
}

type Invalid = (key: string, value: string, expected: string) => void;

function readToggle(annotations: StringMap, labels: StringMap, invalid: Invalid): Toggle {
  const explicit = annotations[ANNOTATION.injection] ?? labels[INJECTION_LABEL];
  if (explicit !== undefined) {
    if (explicit === 'enabled' || explicit === 'disabled') return explicit;
    invalid(ANNOTATION.injection, explicit, '"enabled" or "disabled"');
    return undefined;
  }
  const implied = [ANNOTATION.image, ANNOTATION.configMap, ANNOTATION.federation].some((k) => annotations[k] !== undefined);
  return implied ? 'enabled' : undefined;
}

function readNamespaceToggle(labels: StringMap | undefined, invalid: Invalid): Toggle {
  const value = labels?.[INJECTION_LABEL];
  if (value === undefined || value === 'enabled' || value === 'disabled') return value;
  invalid(`namespace label ${INJECTION_LABEL}`, value, '"enabled" or "disabled"');
  return undefined;
}

function planSidecar(setting: (key: string) => string | undefined, config: InjectorConfig, invalid: Invalid): SidecarPlan {
  const checked = (key: string, pattern: RegExp, expected: string, fallback: string | undefined): string | undefined => {
    const value = setting(key);
    if (value === undefined) return fallback;
    if (!pattern.test(value) || value.length > 1024) {
      invalid(key, value, expected);
      return fallback;
    }
    return value;
  };
  const sidecar = config.sidecar;
  const mode = setting(ANNOTATION.mode);
  if (mode !== undefined && mode !== 'native' && mode !== 'container') invalid(ANNOTATION.mode, mode, '"native" or "container"');
  const quantity = (key: string, fallback: string | undefined) => checked(key, QUANTITY, 'a Kubernetes quantity', fallback);
  const requests = clean({ cpu: quantity(ANNOTATION.cpuRequest, sidecar.resources.requests.cpu), memory: quantity(ANNOTATION.memoryRequest, sidecar.resources.requests.memory) });
  const limits = clean({ cpu: quantity(ANNOTATION.cpuLimit, sidecar.resources.limits.cpu), memory: quantity(ANNOTATION.memoryLimit, sidecar.resources.limits.memory) });
  return {
    kind: 'sidecar',
    image: checked(ANNOTATION.image, IMAGE, 'an image reference', sidecar.image) as string,
    imagePullPolicy: sidecar.imagePullPolicy,
    configMap: checked(ANNOTATION.configMap, DNS_SUBDOMAIN, 'a ConfigMap name', sidecar.configMap) as string,
    mode: mode === 'container' || mode === 'native' ? mode : sidecar.mode,
    port: sidecar.port,
    runAsUser: sidecar.runAsUser,
    readinessProbe: sidecar.readinessProbe,
    sink: sidecar.sink,
    sinkCaCerts: sidecar.sinkCaCerts,
    resources: { requests, limits },
  };
}

function clean(q: CpuMemory): CpuMemory {
  const out: CpuMemory = {};
  if (q.cpu !== undefined) out.cpu = q.cpu;
  if (q.memory !== undefined) out.memory = q.memory;
  return out;
}

function addConflicts(pod: Pod, plan: SidecarPlan, reasons: SkipReason[]): void {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const ports = containers.flatMap((c) => (Array.isArray(c?.ports) ? c.ports : []));
  if (ports.some((p) => p?.containerPort === plan.port)) reasons.push('port_conflict');
  const volumeTaken = (pod.spec?.volumes ?? []).some((v) => v?.name === CONFIG_VOLUME);
  if (volumeTaken || ports.some((p) => p?.name === HTTP_PORT_NAME)) reasons.push('name_conflict');
}
