// The reconciler against nock playing the API server: discovery, server-side apply, delete, and
// the pod informer's list + watch stream.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import { createInjectorMetrics } from '../../lib/inject/metrics.ts';
import { createObjectClient } from '../../lib/reconcile/kube-objects.ts';
import { FederationReconciler, startFederationReconciler } from '../../lib/reconcile/reconciler.ts';
import { silentLogger } from '../../lib/log.ts';
import { API, discoveryPath, fakeKubeConfig, fixture } from './kube.ts';

const config = resolveInjectorConfig({}, { POD_NAMESPACE: 'deucalion' });
const RESOURCES = fixture<Record<string, { resources: { name: string; kind: string }[] }>>('api-resources.json');
const PLURAL: Record<string, string> = { 'v1 ConfigMap': 'configmaps', 'v1 Service': 'services', 'v1 Secret': 'secrets', 'apps/v1 Deployment': 'deployments', 'serving.knative.dev/v1 Service': 'services', 'sources.knative.dev/v1 PingSource': 'pingsources' };

interface Seen {
  method: string;
  path: string;
  contentType?: string;
  body?: Record<string, unknown>;
}

/** Discovery for every group, and every PATCH/DELETE under the federation namespace, recorded. */
function fakeApiServer(seen: Seen[], options: { deleteStatus?: number } = {}): void {
  for (const [groupVersion, list] of Object.entries(RESOURCES)) nock(API).persist().get(discoveryPath(groupVersion)).reply(200, list);
  let uid = 0;
  nock(API)
    .persist()
    .patch(/\/namespaces\/deucalion\//)
    .query(true)
    .reply(async (request: Request) => {
      const path = requestPath(request);
      const object = (await request.json()) as { metadata: Record<string, unknown> };
      seen.push({ method: 'PATCH', path, contentType: request.headers.get('content-type') ?? undefined, body: object });
      return [200, { ...object, metadata: { ...object.metadata, uid: `00000000-0000-4000-8000-${String(++uid).padStart(12, '0')}`, resourceVersion: String(1000 + uid), creationTimestamp: '2026-01-01T00:00:00Z' } }];
    })
    .delete(/\/namespaces\/deucalion\//)
    .query(true)
    .reply((request: Request) => {
      const path = requestPath(request);
      seen.push({ method: 'DELETE', path });
      if (options.deleteStatus === 404) return [404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'not found', reason: 'NotFound', code: 404 }];
      return [200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: path.split('/').pop(), kind: 'x' } }];
    });
}

// nock 15 hands reply functions a Fetch API Request.
function requestPath(request: Request): string {
  const url = new URL(request.url);
  return url.pathname + url.search;
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

function pod(name: string, federation: string | undefined, namespace = 'shop'): { apiVersion: string; kind: string; metadata: { name: string; namespace: string; uid: string; resourceVersion: string; labels: Record<string, string> }; spec: unknown } {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: '1', labels: federation ? { app: name, 'deucalion.io/federation': federation } : { app: name } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
}

describe('FederationReconciler', () => {
  it('server-side applies the federation with deucalion as field manager and the root ConfigMap as owner', async () => {
    const seen: Seen[] = [];
    fakeApiServer(seen);
    const reconciler = new FederationReconciler({ config, client: createObjectClient(fakeKubeConfig()), log: silentLogger, metrics: createInjectorMetrics(), debounceMs: 0 });
    reconciler.onPod('add', pod('a', 'zone-a'));
    await reconciler.markSynced().catch(() => undefined);
    await reconciler.idle();
    const patches = seen.filter((s) => s.method === 'PATCH');
    expect(patches.map((s) => s.path.split('?')[0])).toEqual([
      '/api/v1/namespaces/deucalion/configmaps/deucalion-zone-a',
      '/apis/apps/v1/namespaces/deucalion/deployments/deucalion-zone-a-prometheus',
      '/api/v1/namespaces/deucalion/services/deucalion-zone-a-prometheus',
      '/apis/serving.knative.dev/v1/namespaces/deucalion/services/deucalion-zone-a-trigger',
      '/apis/sources.knative.dev/v1/namespaces/deucalion/pingsources/deucalion-zone-a-tick',
    ]);
    for (const p of patches) {
      expect(p.contentType).toBe('application/apply-patch+yaml');
      expect(new URLSearchParams(p.path.split('?')[1]).get('fieldManager')).toBe('deucalion');
      expect(new URLSearchParams(p.path.split('?')[1]).get('force')).toBe('true');
    }
    const owners = patches.slice(1).map((p) => (p.body!.metadata as { ownerReferences: { kind: string; name: string; uid: string }[] }).ownerReferences[0]);
    for (const o of owners) expect(o).toMatchObject({ kind: 'ConfigMap', name: 'deucalion-zone-a', uid: '00000000-0000-4000-8000-000000000001' });
  });

  it('deletes an emptied federation after the grace period, trigger first, tolerating 404', async () => {
    const seen: Seen[] = [];
    fakeApiServer(seen, { deleteStatus: 404 });
    const metrics = createInjectorMetrics();
    const reconciler = new FederationReconciler({ config, client: createObjectClient(fakeKubeConfig()), log: silentLogger, metrics, debounceMs: 0, deleteGraceMs: 20 });
    reconciler.onPod('add', pod('a', 'zone-a'));
    await reconciler.markSynced().catch(() => undefined);
    await reconciler.idle();
    seen.length = 0;
    reconciler.onPod('delete', pod('a', 'zone-a'));
    await reconciler.idle();
    expect(seen.map((s) => `${s.method} ${s.path.split('?')[0]}`)).toEqual([
      'DELETE /apis/sources.knative.dev/v1/namespaces/deucalion/pingsources/deucalion-zone-a-tick',
      'DELETE /apis/serving.knative.dev/v1/namespaces/deucalion/services/deucalion-zone-a-trigger',
      'DELETE /api/v1/namespaces/deucalion/services/deucalion-zone-a-prometheus',
      'DELETE /apis/apps/v1/namespaces/deucalion/deployments/deucalion-zone-a-prometheus',
      'DELETE /api/v1/namespaces/deucalion/configmaps/deucalion-zone-a',
    ]);
    expect(await metrics.registry.getSingleMetricAsString('deucalion_injector_reconciles_total')).toContain('action="delete",result="ok"} 1');
  });

  it('re-applies every federation on resync (drift repair)', async () => {
    const seen: Seen[] = [];
    fakeApiServer(seen);
    const reconciler = new FederationReconciler({ config, client: createObjectClient(fakeKubeConfig()), log: silentLogger, metrics: createInjectorMetrics(), debounceMs: 0 });
    reconciler.onPod('add', pod('a', 'zone-a'));
    reconciler.onPod('add', pod('b', 'zone-b'));
    await reconciler.markSynced().catch(() => undefined);
    await reconciler.idle();
    seen.length = 0;
    reconciler.resync();
    await reconciler.idle();
    expect(seen.filter((s) => s.method === 'PATCH').length).toBe(10);
  });

  it('keeps a federation whose pods come back within the grace period (a rollout)', async () => {
    const seen: Seen[] = [];
    fakeApiServer(seen);
    const reconciler = new FederationReconciler({ config, client: createObjectClient(fakeKubeConfig()), log: silentLogger, metrics: createInjectorMetrics(), debounceMs: 0, deleteGraceMs: 60_000 });
    reconciler.onPod('add', pod('a', 'zone-a'));
    await reconciler.markSynced().catch(() => undefined);
    await reconciler.idle();
    reconciler.onPod('delete', pod('a', 'zone-a'));
    reconciler.onPod('add', pod('b', 'zone-a'));
    await reconciler.idle();
    expect(seen.filter((s) => s.method === 'DELETE')).toEqual([]);
    reconciler.stop();
  });
});

describe('startFederationReconciler (informer)', () => {
  it('lists labelled pods, applies their federations, then follows the watch to deletion', async () => {
    const seen: Seen[] = [];
    fakeApiServer(seen);
    // The first list fails: nothing may be taken for empty; the informer restarts and lists again.
    nock(API).get('/api/v1/pods').query({ labelSelector: 'deucalion.io/federation' }).reply(500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: leader changed', code: 500 });
    nock(API)
      .get('/api/v1/pods')
      .query({ labelSelector: 'deucalion.io/federation' })
      .reply(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '5000' }, items: [pod('a', 'zone-a'), pod('b', 'zone-a'), pod('c', 'zone-b')] });
    nock(API)
      .get('/api/v1/namespaces/deucalion/configmaps')
      .query({ labelSelector: 'app.kubernetes.io/managed-by=deucalion-injector,deucalion.io/federation-of' })
      .reply(200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '5001' }, items: [{ metadata: { name: 'deucalion-zone-a', namespace: 'deucalion' } }, { metadata: { name: 'deucalion-old', namespace: 'deucalion' } }] });
    const events = [
      { type: 'DELETED', object: { ...pod('c', 'zone-b'), metadata: { ...pod('c', 'zone-b').metadata, resourceVersion: '5002' } } },
      { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '5003' } } },
    ];
    nock(API)
      .get('/api/v1/pods')
      .query((q) => q.watch === 'true' && q.resourceVersion === '5000' && q.labelSelector === 'deucalion.io/federation')
      .delay(300)
      .reply(200, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const running = startFederationReconciler(fakeKubeConfig(), { config, log: silentLogger, metrics: createInjectorMetrics(), debounceMs: 0, deleteGraceMs: 0, restartMs: 50 });
    try {
      for (let i = 0; i < 200 && !seen.some((s) => s.path.includes('deucalion-zone-b-prometheus') && s.method === 'DELETE'); i++) await new Promise((r) => setTimeout(r, 25));
      await running.reconciler.idle();
    } finally {
      running.stop();
    }
    const summary = seen.map((s) => `${s.method} ${s.path.split('?')[0].split('/').pop()}`);
    expect(summary.filter((s) => s.startsWith('PATCH deucalion-zone-a')).length).toBe(5);
    expect(summary).toContain('DELETE deucalion-old');
    expect(summary).toContain('DELETE deucalion-zone-b-prometheus');
    expect(summary).not.toContain('DELETE deucalion-zone-a');
    expect(running.reconciler.tracker.federations()).toEqual(['zone-a']);
  });
});
