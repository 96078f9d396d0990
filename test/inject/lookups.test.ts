// Owner and namespace lookups against nock serving the real API's response shapes.
import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createKubeLookups, TtlCache } from '../../lib/inject/lookups.ts';
import type { Pod } from '../../lib/inject/types.ts';
import { API, fakeKubeConfig, fixture } from './kube.ts';

const pod: Pod = {
  metadata: {
    generateName: 'checkout-7d9f8b6c5-',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', uid: '0c6a3c1e-4b5d-4a6e-9f0a-1b2c3d4e5f60', controller: true }],
  },
  spec: { containers: [{ name: 'checkout' }] },
};

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe('createKubeLookups', () => {
  it('follows pod → ReplicaSet → Deployment once, then serves from cache', async () => {
    const scope = nock(API)
      .get('/apis/apps/v1/namespaces/shop/replicasets/checkout-7d9f8b6c5')
      .matchHeader('authorization', 'Bearer test-token')
      .reply(200, fixture('replicaset.json'))
      .get('/apis/apps/v1/namespaces/shop/deployments/checkout')
      .reply(200, fixture('deployment.json'));
    const lookups = createKubeLookups(fakeKubeConfig(), { ttlMs: 60_000, timeoutMs: 2_000 });
    const [a, b] = await Promise.all([lookups.owner(pod, 'shop'), lookups.owner(pod, 'shop')]);
    expect(a).toEqual({
      kind: 'Deployment',
      name: 'checkout',
      annotations: {
        'deployment.kubernetes.io/revision': '1',
        'deucalion-config-map': 'checkout-detectors',
        'deucalion-sidecar-image': 'registry.example/deucalion:0.1.0',
        'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1","kind":"Deployment"}\n',
      },
    });
    expect(b).toEqual(a);
    expect(await lookups.owner(pod, 'shop')).toEqual(a);
    expect(scope.isDone()).toBe(true);
  });

  it('reads namespace labels', async () => {
    nock(API).get('/api/v1/namespaces/shop').reply(200, fixture('namespace.json'));
    const lookups = createKubeLookups(fakeKubeConfig(), { ttlMs: 60_000, timeoutMs: 2_000 });
    expect(await lookups.namespace('shop')).toEqual({ name: 'shop', labels: { 'deucalion-injection': 'enabled', 'kubernetes.io/metadata.name': 'shop' } });
  });

  it('treats a vanished ReplicaSet as no owner, and a pod without controller needs no call', async () => {
    nock(API).get('/apis/apps/v1/namespaces/shop/replicasets/gone-5f6d').reply(404, fixture('not-found.json'));
    const lookups = createKubeLookups(fakeKubeConfig(), { ttlMs: 60_000, timeoutMs: 2_000 });
    const orphan: Pod = { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone-5f6d', uid: 'x', controller: true }] }, spec: { containers: [] } };
    expect(await lookups.owner(orphan, 'shop')).toBeUndefined();
    expect(await lookups.owner({ metadata: { name: 'bare' }, spec: { containers: [] } }, 'shop')).toBeUndefined();
  });

  it('does not cache failures: the next admission asks again', async () => {
    nock(API).get('/api/v1/namespaces/shop').reply(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: request timed out', code: 500 });
    nock(API).get('/api/v1/namespaces/shop').reply(200, fixture('namespace.json'));
    const lookups = createKubeLookups(fakeKubeConfig(), { ttlMs: 60_000, timeoutMs: 2_000 });
    await expect(lookups.namespace('shop')).rejects.toThrow();
    expect((await lookups.namespace('shop')).labels?.['deucalion-injection']).toBe('enabled');
  });

  it('times out a slow API server', async () => {
    nock(API).get('/api/v1/namespaces/slow').delay(2_000).reply(200, fixture('namespace.json'));
    const lookups = createKubeLookups(fakeKubeConfig(), { ttlMs: 60_000, timeoutMs: 50 });
    await expect(lookups.namespace('slow')).rejects.toThrow('lookup of Namespace slow timed out after 50 ms');
  });
});

describe('TtlCache', () => {
  it('expires entries after the TTL', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache(1_000, () => now);
    const load = async () => ++loads;
    expect(await cache.get('k', load)).toBe(1);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    now = 1_000;
    expect(await cache.get('k', load)).toBe(2);
  });
});
