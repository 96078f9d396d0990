// `deucalion injector` as a process against a fake API server (plain HTTP on 127.0.0.1 serving the
// real API's response shapes) reached through a kubeconfig: Deployment annotations resolved via
// the ReplicaSet, namespace labels read, and the reconciler applying the federation it sees.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startCli } from '../support/process.ts';
import { fixture } from '../inject/kube.ts';
import { makeCert } from './tls.ts';

const RESOURCES = fixture<Record<string, unknown>>('api-resources.json');
const REVIEW = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'admission-review.json'), 'utf8'));
let dir: string;
let api: Server;
let apiUrl: string;
const calls: string[] = [];

function member(name: string) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'bookinfo', uid: `uid-${name}`, resourceVersion: '7', labels: { 'deucalion.io/federation': 'zone-a' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
}

function route(method: string, url: URL, body: string): [number, unknown] | 'hold' {
  const path = url.pathname;
  if (method === 'GET' && path === '/api/v1/pods') {
    if (url.searchParams.get('watch') === 'true') return 'hold';
    return [200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '10' }, items: [member('reviews-v1-abc')] }];
  }
  if (method === 'GET' && path === '/apis/apps/v1/namespaces/shop/replicasets/checkout-7d9f8b6c5') return [200, fixture('replicaset.json')];
  if (method === 'GET' && path === '/apis/apps/v1/namespaces/shop/deployments/checkout') return [200, fixture('deployment.json')];
  if (method === 'GET' && path === '/api/v1/namespaces/shop') return [200, fixture('namespace.json')];
  if (method === 'GET' && path === '/api/v1/namespaces/deucalion/configmaps') return [200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '11' }, items: [] }];
  for (const [groupVersion, list] of Object.entries(RESOURCES)) {
    if (method === 'GET' && path === (groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`)) return [200, list];
  }
  if (method === 'PATCH') {
    const object = JSON.parse(body);
    return [200, { ...object, metadata: { ...object.metadata, uid: `uid-${object.metadata.name}`, resourceVersion: '12' } }];
  }
  return [404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${path} not found`, reason: 'NotFound', code: 404 }];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deucalion-injector-cluster-'));
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      calls.push(`${req.method} ${url.pathname}`);
      const answer = route(req.method ?? 'GET', url, body);
      if (answer === 'hold') return void res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders(); // a quiet watch
      res.writeHead(answer[0], { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer[1]));
    });
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${apiUrl}", insecure-skip-tls-verify: true}}]\nusers: [{name: fake, user: {token: t}}]\ncontexts: [{name: fake, context: {cluster: fake, user: fake}}]\ncurrent-context: fake\n`,
  );
});

afterAll(async () => {
  api.closeAllConnections();
  await new Promise((r) => api.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('deucalion injector with a kubeconfig', () => {
  it('resolves the Deployment and reconciles the federation it sees', async () => {
    const tls = makeCert(dir, 'localhost');
    const port = await freePort();
    writeFileSync(join(dir, 'injector.yaml'), 'shutdownDelay: 0s\n');
    const env = { HOME: dir, KUBECONFIG: join(dir, 'kubeconfig'), KUBERNETES_SERVICE_HOST: '', POD_NAMESPACE: 'deucalion' };
    const started = startCli(['injector', '--port', String(port), '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--config', join(dir, 'injector.yaml')], env);
    try {
      // The pod itself says nothing: the namespace label enables it, the Deployment names image and ConfigMap.
      const { 'deucalion-config-map': _dropped, ...annotations } = REVIEW.request.object.metadata.annotations;
      const review = { ...REVIEW, request: { ...REVIEW.request, object: { ...REVIEW.request.object, metadata: { ...REVIEW.request.object.metadata, annotations } } } };
      let reply: Record<string, unknown> | undefined;
      for (let i = 0; i < 200 && !reply; i++) {
        if (started.child.exitCode !== null) throw new Error(started.output());
        reply = await post(`https://127.0.0.1:${port}/mutate`, review).catch(() => undefined);
        if (!reply) await new Promise((r) => setTimeout(r, 100));
      }
      const response = reply!.response as { patch: string };
      expect(response.patch, `${JSON.stringify(reply)}\n${calls.join("\n")}\n${started.output()}`).toBeDefined();
      const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString()) as { path: string; value: Record<string, unknown> }[];
      expect(ops.find((o) => o.path === '/spec/initContainers/-')?.value.image).toBe('registry.example/deucalion:0.1.0');
      expect(ops.find((o) => o.path === '/spec/volumes/-')?.value).toEqual({ name: 'deucalion-config', configMap: { name: 'checkout-detectors', optional: true } });
      for (let i = 0; i < 100 && calls.filter((c) => c.startsWith('PATCH')).length < 5; i++) await new Promise((r) => setTimeout(r, 100));
      expect(calls.filter((c) => c.startsWith('PATCH'))).toEqual([
        'PATCH /api/v1/namespaces/deucalion/configmaps/deucalion-zone-a',
        'PATCH /apis/apps/v1/namespaces/deucalion/deployments/deucalion-zone-a-prometheus',
        'PATCH /api/v1/namespaces/deucalion/services/deucalion-zone-a-prometheus',
        'PATCH /apis/serving.knative.dev/v1/namespaces/deucalion/services/deucalion-zone-a-trigger',
        'PATCH /apis/sources.knative.dev/v1/namespaces/deucalion/pingsources/deucalion-zone-a-tick',
      ]);
      expect(started.output()).toContain(`"msg":"Kubernetes API lookups on","source":"kubeconfig ${join(dir, 'kubeconfig')}"`);
    } finally {
      await started.stop('SIGTERM');
    }
  });
});
