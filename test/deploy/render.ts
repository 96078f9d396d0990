// Render charts/deucalion with the real helm binary and hand the objects to the tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { runHelm } from '../support/helm.ts';
import type { Manifest } from '../support/k8s-schema.ts';

export const CHART = 'charts/deucalion';
export const NAMESPACE = 'deucalion-system';

export interface K8sObject extends Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Two federations with their own queries and detectors, as in the issue's matrix. */
export const TWO_FEDERATIONS = [
  { name: 'zone-a', schedule: '*/1 * * * *', window: '30m', step: '15s', queries: [{ expr: 'sum by (pod) (rate(http_requests_total[1m]))', detectors: ['detector-zscore', 'detector-ewma'] }] },
  { name: 'zone-b', schedule: '*/5 * * * *', queries: [{ expr: 'sum by (pod) (process_resident_memory_bytes)', detectors: ['detector-mad'] }] },
];

export const BASE_VALUES = {
  detectors: [{ name: 'zscore', params: { threshold: 4 } }, { name: 'ewma' }, { name: 'mad' }],
  federations: TWO_FEDERATIONS,
  sidecar: { configMap: { namespaces: ['shop', 'payments'] } },
};

/** `helm template` with these values (written to a file, like a user's -f values.yaml). */
export function helmTemplate(values: object, extraArgs: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-values-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, stringify(values));
    return runHelm(['template', 'deucalion', CHART, '--namespace', NAMESPACE, '-f', file, ...extraArgs]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Render and parse; throws with helm's own message when rendering fails. */
export function renderChart(values: object, extraArgs: string[] = []): K8sObject[] {
  const result = helmTemplate(values, extraArgs);
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0].message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) out.push(value);
  }
  return out;
}

export function findObject(objects: K8sObject[], kind: string, name: string, apiVersion?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (!apiVersion || o.apiVersion === apiVersion));
  if (!found) throw new Error(`no ${apiVersion ?? ''} ${kind} ${name} among: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function ofKind(objects: K8sObject[], kind: string, apiVersion?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (!apiVersion || o.apiVersion === apiVersion));
}

type Container = { name?: string; image?: string; args?: string[]; env?: { name: string; value?: string }[]; securityContext?: Record<string, unknown>; resources?: { requests?: object; limits?: object } };

/** Every container of every pod template the chart renders (Deployments, Knative Services, test Pods). */
export function podContainers(objects: K8sObject[]): { owner: string; container: Container; podSecurity?: Record<string, unknown> }[] {
  const out: { owner: string; container: Container; podSecurity?: Record<string, unknown> }[] = [];
  for (const o of objects) {
    const spec = o.spec as { template?: { spec?: { containers?: Container[]; securityContext?: Record<string, unknown> } }; containers?: Container[]; securityContext?: Record<string, unknown> } | undefined;
    const pod = o.kind === 'Pod' ? spec : spec?.template?.spec;
    for (const c of pod?.containers ?? []) out.push({ owner: `${o.kind}/${o.metadata.name}`, container: c, podSecurity: pod?.securityContext });
  }
  return out;
}
