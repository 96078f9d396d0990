// The offline validator must actually reject what the API server rejects, or a green chart test
// means nothing. One bad object per row, with the message that names the problem.
import { describe, expect, it } from 'vitest';
import { validateManifest, type Manifest } from '../support/k8s-schema.ts';

const meta = { name: 'x', namespace: 'ns' };
const deployment = (spec: object): Manifest => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec });
const podTemplate = (container: object) => ({ selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [container] } } });

describe('validateManifest', () => {
  it.each<[string, Manifest, string]>([
    ['a wrong type', deployment({ ...podTemplate({ name: 'c', image: 'i' }), replicas: 'two' }), 'replicas must be integer'],
    ['a missing required field', deployment({ template: { spec: { containers: [{ name: 'c' }] } } }), 'must have required property selector'],
    ['an unknown field (strict field validation)', deployment(podTemplate({ name: 'c', image: 'i', imagePullPolcy: 'Always' })), 'unknown field "spec.template.spec.containers[0].imagePullPolcy"'],
    ['a bad label value', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta, labels: { a: 'not a value' } } }, 'label a: value "not a value"'],
    ['a label value that is not a string', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta, labels: { a: true as unknown as string } } }, 'label a: value true'],
    ['a bad annotation key', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta, annotations: { 'a b': 'x' } } }, 'annotation key "a b"'],
    ['a Service name that is not a DNS label', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a.b', namespace: 'ns' }, spec: {} }, 'is not a valid DNS label'],
    ['a namespaced object without a namespace', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'metadata.namespace'],
    ['a cluster-scoped object with a namespace', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta, rules: [] }, 'cluster-scoped'],
    ['a Knative Service without containers', { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: meta, spec: { template: { spec: { containers: [] } } } }, 'needs one container'],
    ['a Knative Service with an unknown pod field', { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: meta, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], nodeSelecter: {} } } } }, 'unknown field "spec.template.spec.nodeSelecter"'],
    ['a PingSource with a numeric schedule', { apiVersion: 'sources.knative.dev/v1', kind: 'PingSource', metadata: meta, spec: { schedule: 5, sink: { uri: 'http://x' } } }, 'schedule must be string'],
    ['a Certificate without a secretName', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta, spec: { issuerRef: { name: 'i' } } }, 'must have required property secretName'],
    ['an OpenFaaS Function with a misspelt field', { apiVersion: 'openfaas.com/v1', kind: 'Function', metadata: meta, spec: { name: 'f', image: 'i', enviroment: {} } }, 'must NOT have additional properties "enviroment"'],
    ['an OpenFaaS Function with a number in environment', { apiVersion: 'openfaas.com/v1', kind: 'Function', metadata: meta, spec: { name: 'f', image: 'i', environment: { A: 1 } } }, '/spec/environment/A must be string'],
    ['an unknown kind', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta }, 'no schema known'],
  ])('rejects %s', async (_name, obj, message) => {
    const errors = await validateManifest(obj);
    expect(errors.join('\n')).toContain(message);
  });

  it('accepts a valid Deployment, Knative Service and Function', async () => {
    expect(await validateManifest(deployment(podTemplate({ name: 'c', image: 'i', securityContext: { runAsNonRoot: true } })))).toEqual([]);
    expect(await validateManifest({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: meta, spec: { template: { metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '0' } }, spec: { containerConcurrency: 10, containers: [{ name: 'c', image: 'i' }] } } } })).toEqual([]);
    expect(await validateManifest({ apiVersion: 'openfaas.com/v1', kind: 'Function', metadata: meta, spec: { name: 'f', image: 'i', environment: { A: '1' }, readOnlyRootFilesystem: true } })).toEqual([]);
  });
});
