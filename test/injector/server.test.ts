// The real HTTPS webhook, fed AdmissionReview JSON the way kube-apiserver sends it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import { createLogger } from '../../lib/log.ts';
import { startInjectorServer, type RunningInjector } from '../../injector/server.ts';
import { applyOps } from './harness.ts';
import { validatePod } from './pod-schema.ts';
import { makeCert } from './tls.ts';
import type { JsonPatchOp, Pod } from '../../lib/inject/types.ts';

const REVIEW = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'admission-review.json'), 'utf8'));
const log = createLogger('injector', { level: 'error', write: () => {} });
let dir: string;
let injector: RunningInjector;
let strict: RunningInjector;

interface Reply {
  status: number;
  body: string;
  peerCN?: string;
}

function call(target: RunningInjector, method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${target.url}${path}`, { method, rejectUnauthorized: false, agent: false, headers: body === undefined ? {} : { 'content-type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), peerCN: cert?.subject?.CN as string | undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const post = (target: RunningInjector, review: unknown) => call(target, 'POST', '/mutate', JSON.stringify(review));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deucalion-injector-'));
  const { certFile, keyFile } = makeCert(dir, 'first');
  const lookups = {
    owner: async () => ({ kind: 'Deployment', name: 'checkout', annotations: { 'deucalion-sidecar-image': 'registry.example/deucalion:0.1.0' } }),
    namespace: async (name: string) => ({ name, labels: { 'deucalion-injection': 'enabled' } }),
  };
  const common = { port: 0, host: '127.0.0.1', certFile, keyFile, lookups, log, tlsPollMs: 200 };
  injector = await startInjectorServer({ ...common, config: resolveInjectorConfig({}, { POD_NAMESPACE: 'deucalion' }) });
  strict = await startInjectorServer({ ...common, config: resolveInjectorConfig({ failurePolicy: 'Fail' }, { POD_NAMESPACE: 'deucalion' }) });
});

afterAll(async () => {
  await injector?.close();
  await strict?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /mutate', () => {
  it('injects a pod from a real AdmissionReview and echoes the uid', async () => {
    const reply = await post(injector, REVIEW);
    expect(reply.status).toBe(200);
    const review = JSON.parse(reply.body);
    expect(review.apiVersion).toBe('admission.k8s.io/v1');
    expect(review.kind).toBe('AdmissionReview');
    expect(review.response.uid).toBe(REVIEW.request.uid);
    expect(review.response.allowed).toBe(true);
    expect(review.response.patchType).toBe('JSONPatch');
    const ops = JSON.parse(Buffer.from(review.response.patch, 'base64').toString()) as JsonPatchOp[];
    const pod = applyOps(REVIEW.request.object as Pod, ops);
    expect(validatePod(pod)).toEqual([]);
    const sidecar = pod.spec?.initContainers?.[0] as Record<string, unknown>;
    expect(sidecar.image).toBe('registry.example/deucalion:0.1.0');
    expect(pod.spec?.volumes?.map((v) => v.name)).toEqual(['kube-api-access-x7k2p', 'deucalion-config']);
    expect(pod.spec?.volumes?.[1]).toEqual({ name: 'deucalion-config', configMap: { name: 'checkout-detectors', optional: true } });
  });

  it('answers a dry run the same way without counting an injection', async () => {
    const before = await metricValue('deucalion_injector_injections_total{mode="native"}');
    const reply = await post(injector, { ...REVIEW, request: { ...REVIEW.request, uid: 'dry-1', dryRun: true } });
    const review = JSON.parse(reply.body);
    expect(review.response.uid).toBe('dry-1');
    expect(review.response.patch).toBeDefined();
    expect(await metricValue('deucalion_injector_injections_total{mode="native"}')).toBe(before);
    expect(await metricValue('deucalion_injector_requests_total{dry_run="true"}')).toBe(1);
  });

  it('answers non-pod or non-CREATE requests with allowed and no patch', async () => {
    const reply = await post(injector, { ...REVIEW, request: { ...REVIEW.request, operation: 'UPDATE' } });
    expect(JSON.parse(reply.body).response).toEqual({ uid: REVIEW.request.uid, allowed: true });
  });

  it.each([
    ['wrong content type', 'text/plain', JSON.stringify(REVIEW), 415, 'expected Content-Type application/json, got "text/plain"'],
    ['not JSON', 'application/json', '{"kind":', 400, 'request body is not JSON'],
    ['no uid', 'application/json', JSON.stringify({ ...REVIEW, request: { ...REVIEW.request, uid: '' } }), 400, 'AdmissionReview request has no uid'],
    ['no request', 'application/json', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 400, 'AdmissionReview has no request'],
    ['v1beta1', 'application/json', JSON.stringify({ ...REVIEW, apiVersion: 'admission.k8s.io/v1beta1' }), 400, 'expected apiVersion admission.k8s.io/v1'],
  ])('%s → %i', async (_name, type, body, status, message) => {
    const reply = await call(injector, 'POST', '/mutate', body, type);
    expect(reply.status).toBe(status);
    expect(reply.body).toContain(message);
  });

  it('rejects bodies over 6 MiB with 413', async () => {
    const big = JSON.stringify({ ...REVIEW, padding: 'x'.repeat(6 * 1024 * 1024) });
    const reply = await call(injector, 'POST', '/mutate', big);
    expect(reply.status).toBe(413);
  });

  it('applies the failure policy to internal errors: Ignore admits with a warning, Fail denies', async () => {
    const broken = { ...REVIEW, request: { ...REVIEW.request, object: { ...REVIEW.request.object, spec: { containers: 5 } } } };
    const ignore = JSON.parse((await post(injector, broken)).body).response;
    expect(ignore.allowed).toBe(true);
    expect(ignore.patch).toBeUndefined();
    expect(ignore.warnings[0]).toMatch(/^deucalion injector failed: .*admitted without a dispatcher$/);
    const fail = JSON.parse((await post(strict, broken)).body).response;
    expect(fail.allowed).toBe(false);
    expect(fail.status.code).toBe(500);
    expect(fail.status.message).toMatch(/^deucalion injector failed: /);
  });
});

describe('operations endpoints', () => {
  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await call(injector, 'GET', '/healthz')).status).toBe(200);
    expect((await call(injector, 'GET', '/readyz')).status).toBe(200);
    const metrics = (await call(injector, 'GET', '/metrics')).body;
    for (const name of ['requests_total', 'injections_total', 'skips_total', 'errors_total', 'admission_duration_seconds_bucket']) expect(metrics).toContain(`deucalion_injector_${name}`);
    expect(metrics).toContain('deucalion_injector_skips_total{reason="not_pod_create"} 1');
    expect(metrics).toContain('deucalion_injector_errors_total{stage="request"}');
    expect((await call(injector, 'GET', '/nope')).status).toBe(404);
    expect((await call(injector, 'GET', '/mutate')).status).toBe(405);
  });

  it('reloads the certificate when the files change', async () => {
    expect((await call(injector, 'GET', '/healthz')).peerCN).toBe('first');
    makeCert(dir, 'second');
    let cn: string | undefined;
    for (let i = 0; i < 100 && cn !== 'second'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      cn = (await call(injector, 'GET', '/healthz')).peerCN;
    }
    expect(cn).toBe('second');
    expect(await metricValue('deucalion_injector_tls_reloads_total{result="ok"}')).toBeGreaterThanOrEqual(1);
  });
});

async function metricValue(series: string): Promise<number> {
  const text = await injector.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
