// Shared by the golden, property and server tests: build AdmissionReviews, run admit(), apply the
// answer's JSON Patch with fast-json-patch (an independent RFC 6902 implementation).
import fastJsonPatch from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';
import { admit, type AdmissionReview, type AdmitResult } from '../../lib/inject/admit.ts';
import { resolveInjectorConfig, type InjectorConfig } from '../../lib/inject/config.ts';
import type { Lookups } from '../../lib/inject/lookups.ts';
import type { JsonPatchOp, NamespaceInfo, Pod, WorkloadOwner } from '../../lib/inject/types.ts';

export interface InjectionCase {
  pod: Pod;
  namespace: NamespaceInfo;
  owner?: WorkloadOwner;
  config: InjectorConfig;
}

/** A testdata file: the pod, then optionally a second document with namespace/owner/config. */
export function parseCase(text: string): InjectionCase {
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  const pod = docs[0] as Pod;
  const settings = (docs[1] ?? {}) as { namespace?: NamespaceInfo; owner?: WorkloadOwner; config?: unknown };
  return {
    pod,
    namespace: settings.namespace ?? { name: pod.metadata?.namespace ?? 'default', labels: { 'deucalion-injection': 'enabled' } },
    owner: settings.owner,
    config: resolveInjectorConfig(settings.config ?? {}, { POD_NAMESPACE: 'deucalion' }),
  };
}

export function fixedLookups(c: { namespace: NamespaceInfo; owner?: WorkloadOwner }): Lookups {
  return { owner: async () => c.owner, namespace: async () => c.namespace };
}

let uid = 0;
export function reviewFor(pod: Pod, namespace: string, extra: Record<string, unknown> = {}): AdmissionReview {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-4000-8000-${String(++uid).padStart(12, '0')}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name: pod.metadata?.name ?? '',
      namespace,
      operation: 'CREATE',
      dryRun: false,
      object: pod,
      ...extra,
    },
  };
}

export async function runCase(c: InjectionCase, pod: Pod = c.pod): Promise<AdmitResult> {
  return admit(reviewFor(pod, c.namespace.name), { config: c.config, lookups: fixedLookups(c) });
}

export function decodePatch(review: AdmissionReview): JsonPatchOp[] {
  const patch = review.response?.patch;
  return patch ? (JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as JsonPatchOp[]) : [];
}

/** Apply with validation on: a patch that would fail on the API server throws here. */
export function applyOps(pod: Pod, ops: JsonPatchOp[]): Pod {
  return fastJsonPatch.applyPatch(structuredClone(pod), ops as fastJsonPatch.Operation[], true, false).newDocument as Pod;
}
