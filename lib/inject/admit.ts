// AdmissionReview v1 in, AdmissionReview v1 out: validate the envelope, look up owner and
// namespace, decide, patch. The HTTP layer (injector/server.ts) only decodes and encodes.
import { HttpError } from '../runtime/http-error.ts';
import type { InjectorConfig } from './config.ts';
import { decide, describeSkip, type Decision, type SkipReason } from './decide.ts';
import type { Lookups } from './lookups.ts';
import { buildPatch } from './patch.ts';
import type { JsonPatchOp, NamespaceInfo, Pod, WorkloadOwner } from './types.ts';

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  resource?: { group?: string; version?: string; resource?: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation?: string;
  dryRun?: boolean;
  object?: unknown;
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
  status?: { code: number; message: string };
}

export type AdmitOutcome =
  | { kind: 'injected'; mode: 'native' | 'container' | 'federated'; ops: JsonPatchOp[] }
  | { kind: 'skipped'; reasons: (SkipReason | 'not_pod_create')[]; message: string }
  | { kind: 'error'; stage: 'internal'; message: string };

export interface AdmitResult {
  review: AdmissionReview;
  outcome: AdmitOutcome;
  dryRun: boolean;
  namespace: string;
  /** For logs: the pod's name, or its generateName prefix plus `*` (Deployment pods have no name yet). */
  pod: string;
  lookupErrors: string[];
}

export interface AdmitDeps {
  config: InjectorConfig;
  lookups: Lookups;
}

/** Throws HttpError(400) for an envelope the API server would never send; everything else answers. */
export function parseReview(body: unknown): AdmissionReview & { request: AdmissionRequest } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'expected an AdmissionReview JSON object');
  const review = body as Record<string, unknown>;
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw new HttpError(400, `expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got ${JSON.stringify(review.apiVersion)} ${JSON.stringify(review.kind)}`);
  }
  const request = review.request as AdmissionRequest | undefined;
  if (typeof request !== 'object' || request === null) throw new HttpError(400, 'AdmissionReview has no request');
  if (typeof request.uid !== 'string' || request.uid === '') throw new HttpError(400, 'AdmissionReview request has no uid');
  return review as unknown as AdmissionReview & { request: AdmissionRequest };
}

export async function admit(body: unknown, deps: AdmitDeps): Promise<AdmitResult> {
  const review = parseReview(body);
  const request = review.request;
  const dryRun = request.dryRun === true;
  const pod = (isObject(request.object) ? request.object : {}) as Pod;
  const namespace = request.namespace || pod.metadata?.namespace || '';
  const base = { dryRun, namespace, pod: podName(pod, request), lookupErrors: [] as string[] };
  const isPodCreate = request.operation === 'CREATE' && (request.resource?.resource ?? 'pods') === 'pods' && !request.subResource && isObject(request.object);
  if (!isPodCreate) {
    const outcome: AdmitOutcome = { kind: 'skipped', reasons: ['not_pod_create'], message: 'not a pod CREATE' };
    return { ...base, outcome, review: reply(request.uid, { allowed: true }) };
  }
  const [owner, ns] = await Promise.all([
    deps.lookups.owner(pod, namespace).catch((err: Error) => (base.lookupErrors.push(`owner: ${err.message}`), undefined)),
    deps.lookups.namespace(namespace).catch((err: Error): NamespaceInfo => (base.lookupErrors.push(`namespace: ${err.message}`), { name: namespace })),
  ]);
  let decision: Decision;
  let ops: JsonPatchOp[];
  try {
    decision = decide(pod, owner as WorkloadOwner | undefined, ns, deps.config);
    ops = buildPatch(pod, decision);
  } catch (err) {
    // A bug or an object shape we did not foresee: answer per the failure policy, never crash.
    const message = `deucalion injector failed: ${(err as Error).message}`;
    const outcome: AdmitOutcome = { kind: 'error', stage: 'internal', message };
    if (deps.config.failurePolicy === 'Fail') return { ...base, outcome, review: reply(request.uid, { allowed: false, status: { code: 500, message } }) };
    return { ...base, outcome, review: reply(request.uid, { allowed: true, warnings: [`${message}; the pod was admitted without a dispatcher`] }) };
  }
  if (!decision.inject) {
    const message = describeSkip(decision.reasons, decision.details);
    const warnings = decision.reasons.includes('invalid_annotation') ? [`deucalion: not injected: ${message}`] : undefined;
    return { ...base, outcome: { kind: 'skipped', reasons: decision.reasons, message }, review: reply(request.uid, { allowed: true, warnings }) };
  }
  const mode = decision.plan.kind === 'federated' ? 'federated' : decision.plan.mode;
  const patch = Buffer.from(JSON.stringify(ops)).toString('base64');
  return { ...base, outcome: { kind: 'injected', mode, ops }, review: reply(request.uid, { allowed: true, patchType: 'JSONPatch', patch }) };
}

function reply(uid: string, response: Omit<AdmissionResponse, 'uid'>): AdmissionReview {
  const clean: AdmissionResponse = { uid, allowed: response.allowed };
  if (response.patch) Object.assign(clean, { patchType: response.patchType, patch: response.patch });
  if (response.warnings?.length) clean.warnings = response.warnings;
  if (response.status) clean.status = response.status;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: clean };
}

function podName(pod: Pod, request: AdmissionRequest): string {
  return pod.metadata?.name || request.name || (pod.metadata?.generateName ? `${pod.metadata.generateName}*` : '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
