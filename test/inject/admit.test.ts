// admit() without HTTP: envelope checks, which requests are looked at, lookups failing.
import { describe, expect, it } from 'vitest';
import { admit, parseReview } from '../../lib/inject/admit.ts';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import type { Lookups } from '../../lib/inject/lookups.ts';
import { HttpError } from '../../lib/runtime/http-error.ts';
import { reviewFor } from '../injector/harness.ts';

const config = resolveInjectorConfig({}, { POD_NAMESPACE: 'deucalion' });
const enabled: Lookups = { owner: async () => undefined, namespace: async (name) => ({ name, labels: { 'deucalion-injection': 'enabled' } }) };
const pod = { metadata: { generateName: 'web-', annotations: {} }, spec: { containers: [{ name: 'app' }] } };

describe('parseReview', () => {
  it.each([
    ['an array', [], 'expected an AdmissionReview JSON object'],
    ['v1beta1', { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' }, 'expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got "admission.k8s.io/v1beta1" "AdmissionReview"'],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'AdmissionReview has no request'],
    ['no uid', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } }, 'AdmissionReview request has no uid'],
  ])('rejects %s with 400', (_name, body, message) => {
    let error: unknown;
    try {
      parseReview(body);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).message).toBe(message);
  });
});

describe('admit', () => {
  it.each([
    ['UPDATE', { operation: 'UPDATE' }],
    ['a subresource', { subResource: 'status' }],
    ['another resource', { resource: { group: '', version: 'v1', resource: 'services' } }],
    ['no object', { object: null }],
  ])('answers %s with allowed and no patch', async (_name, extra) => {
    const result = await admit(reviewFor(pod, 'edge', extra), { config, lookups: enabled });
    expect(result.outcome).toEqual({ kind: 'skipped', reasons: ['not_pod_create'], message: 'not a pod CREATE' });
    expect(Object.keys(result.review.response!)).toEqual(['uid', 'allowed']);
  });

  it('decides from the pod alone when lookups fail, and reports the failures', async () => {
    const failing: Lookups = { owner: async () => Promise.reject(new Error('connection refused')), namespace: async () => Promise.reject(new Error('timed out')) };
    const annotated = { ...pod, metadata: { ...pod.metadata, ownerReferences: [], annotations: { 'deucalion-config-map': 'cm' } } };
    const result = await admit(reviewFor(annotated, 'edge'), { config, lookups: failing });
    expect(result.lookupErrors).toEqual(['owner: connection refused', 'namespace: timed out']);
    expect(result.outcome.kind).toBe('injected');
    const skipped = await admit(reviewFor(pod, 'edge'), { config, lookups: failing });
    expect(skipped.outcome).toMatchObject({ kind: 'skipped', reasons: ['not_enabled'] });
  });

  it('takes the namespace from the request, not the (empty) object namespace', async () => {
    const result = await admit(reviewFor(pod, 'kube-system'), { config, lookups: enabled });
    expect(result.outcome).toMatchObject({ kind: 'skipped', reasons: ['excluded_namespace'] });
    expect(result.pod).toBe('web-*');
  });
});
