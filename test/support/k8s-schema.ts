// Validate Kubernetes objects offline, the way the API server would, for any object a chart or
// manifest renders:
// - built-in kinds: AJV validators that `kubernetes-models` generated from the Kubernetes OpenAPI
//   spec (types, required fields, formats, enums), plus a strict unknown-field check derived from
//   @kubernetes/client-node's generated models (`attributeTypeMap`), since the OpenAPI schemas allow
//   unknown fields and the API server's strict field validation does not;
// - Knative (serving, eventing, sources) and cert-manager kinds: the validators that
//   @kubernetes-models/knative and @kubernetes-models/cert-manager generated from the projects' CRDs
//   (Knative Services also get the strict check on their pod spec and containers);
// - openfaas.com/v1 Function: test/support/openfaas-function.schema.json, written from the
//   Function CRD's structural schema (faas-netes), with unknown fields rejected;
// - every object: metadata.name, label keys and values, and annotation keys in the formats the API
//   server enforces.
//
//   const errors = await validateManifest(obj); // [] when valid, else readable messages
import * as k8s from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import functionSchema from './openfaas-function.schema.json' with { type: 'json' };

export interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
  [key: string]: unknown;
}

type ModelClass = new (data: unknown) => { validate(): void };
type AttributeMap = { name: string; baseName: string; type: string }[];
const clientModels = k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;

const KNATIVE_GROUPS = new Set(['serving.knative.dev', 'eventing.knative.dev', 'sources.knative.dev', 'messaging.knative.dev', 'flows.knative.dev']);
const CERT_MANAGER_GROUPS = new Set(['cert-manager.io', 'acme.cert-manager.io']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'CustomResourceDefinition', 'ClusterIssuer', 'PriorityClass', 'StorageClass']);

const ajv = new Ajv({ allErrors: true, strict: false });
const validateFunction = ajv.compile(functionSchema);

/** The module that holds the model class for apiVersion/kind, or undefined when none is known. */
export function modelModule(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  if (KNATIVE_GROUPS.has(group)) return `@kubernetes-models/knative/${group}/${version}/${kind}`;
  if (CERT_MANAGER_GROUPS.has(group)) return `@kubernetes-models/cert-manager/${group}/${version}/${kind}`;
  if (group.endsWith('.k8s.io') || ['apps', 'batch', 'policy', 'autoscaling'].includes(group)) return `kubernetes-models/${group}/${version}/${kind}`;
  return undefined;
}

const modelCache = new Map<string, Promise<ModelClass | undefined>>();

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const module = modelModule(apiVersion, kind);
  if (!module) return undefined;
  let cached = modelCache.get(module);
  if (!cached) {
    cached = import(module).then(
      (m: Record<string, ModelClass>) => m[kind],
      () => undefined,
    );
    modelCache.set(module, cached);
  }
  return cached;
}

/** All problems found in one object; [] means it would pass API-server validation as far as we can tell offline. */
export async function validateManifest(obj: Manifest): Promise<string[]> {
  const errors: string[] = [];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind must be strings'];
  const where = `${apiVersion} ${kind} ${String(obj.metadata?.name ?? '?')}`;
  checkMetadata(obj, errors);
  if (apiVersion === 'openfaas.com/v1' && kind === 'Function') {
    if (!validateFunction(obj)) for (const e of validateFunction.errors ?? []) errors.push(`schema: ${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : ''}`);
    return errors.map((e) => `${where}: ${e}`);
  }
  const Model = await loadModel(apiVersion, kind);
  if (!Model) return [`${where}: no schema known for ${apiVersion} ${kind}`];
  try {
    new Model(structuredClone(obj)).validate();
  } catch (err) {
    // Some generated CRD schemas (e.g. Knative's SinkBinding) mark `status` required: the controller
    // writes it, the API server never asks for it on create. Only that one message is dropped.
    const message = (err as Error).message.split(', ').filter((m) => m !== 'data must have required property status').join(', ');
    if (message) errors.push(`openapi: ${message}`);
  }
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const clientType = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  if (!KNATIVE_GROUPS.has(group) && !CERT_MANAGER_GROUPS.has(group) && clientModels[clientType]?.getAttributeTypeMap) {
    checkUnknownFields(obj, clientType, '', errors);
  }
  if (group === 'serving.knative.dev' && kind === 'Service') checkKnativeService(obj, errors);
  return errors.map((e) => `${where}: ${e}`);
}

/** A Knative RevisionSpec is a PodSpec plus a few fields of its own. */
function checkKnativeService(obj: Manifest, errors: string[]): void {
  const template = (obj.spec as { template?: { metadata?: unknown; spec?: Record<string, unknown> } } | undefined)?.template;
  if (!template?.spec) {
    errors.push('knative: spec.template.spec is required');
    return;
  }
  checkUnknownFields(template.metadata, 'V1ObjectMeta', 'spec.template.metadata', errors);
  const { containerConcurrency, timeoutSeconds, responseStartTimeoutSeconds, idleTimeoutSeconds, ...podSpec } = template.spec;
  for (const [name, value] of Object.entries({ containerConcurrency, timeoutSeconds, responseStartTimeoutSeconds, idleTimeoutSeconds })) {
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)) errors.push(`knative: spec.template.spec.${name} must be a non-negative integer`);
  }
  checkUnknownFields(podSpec, 'V1PodSpec', 'spec.template.spec', errors);
  const containers = podSpec.containers as { ports?: { containerPort?: number }[] }[] | undefined;
  if (!Array.isArray(containers) || containers.length === 0) errors.push('knative: spec.template.spec.containers needs one container');
  else if (containers.filter((c) => c.ports?.length).length > 1) errors.push('knative: only one container may declare ports');
}

/** Strict field validation as the API server does it: unknown fields of `type` (a client-node model name, e.g. V1Pod). */
export function checkUnknownFields(value: unknown, type: string, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, i) => checkUnknownFields(item, array[1], `${path}[${i}]`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) checkUnknownFields(v, map[1], `${path}.${k}`, errors);
    return;
  }
  const attributes = clientModels[type]?.getAttributeTypeMap?.();
  if (!attributes || typeof value !== 'object' || Array.isArray(value)) return;
  const byName = new Map(attributes.map((a) => [a.baseName, a.type]));
  for (const [key, child] of Object.entries(value)) {
    const childType = byName.get(key);
    if (childType === undefined) errors.push(`strict: unknown field "${path ? `${path}.` : ''}${key}" in ${type}`);
    else checkUnknownFields(child, childType, path ? `${path}.${key}` : key, errors);
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes' qualified-name rule for label and annotation keys: optional DNS-subdomain prefix + "/" + name. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

function checkMetadata(obj: Manifest, errors: string[]): void {
  const meta = obj.metadata;
  if (!meta || typeof meta !== 'object') return void errors.push('metadata is required');
  const name = meta.name;
  if (typeof name !== 'string' || name.length === 0) errors.push('metadata.name is required');
  else {
    // Services, Namespaces, Knative Services and OpenFaaS Functions become DNS names: labels, not subdomains.
    const label = ['Service', 'Namespace', 'Function'].includes(String(obj.kind));
    if (label ? !DNS_LABEL.test(name) : name.length > 253 || !DNS_SUBDOMAIN.test(name)) errors.push(`metadata.name "${name}" is not a valid ${label ? 'DNS label' : 'DNS subdomain'}`);
  }
  const clusterScoped = CLUSTER_SCOPED.has(String(obj.kind));
  if (clusterScoped && meta.namespace !== undefined) errors.push('a cluster-scoped object has no metadata.namespace');
  if (!clusterScoped && (typeof meta.namespace !== 'string' || !DNS_LABEL.test(meta.namespace))) errors.push(`metadata.namespace "${String(meta.namespace)}" must be set to a DNS label (charts render it explicitly)`);
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    if (!isQualifiedName(key)) errors.push(`label key "${key}" is not a qualified name`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`label ${key}: value ${JSON.stringify(value)} is not a valid label value`);
  }
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    if (!isQualifiedName(key)) errors.push(`annotation key "${key}" is not a qualified name`);
    if (typeof value !== 'string') errors.push(`annotation ${key}: value must be a string, got ${typeof value}`);
  }
}
