// Property tests: random (valid) pods, namespaces, owners and configs never yield a patch that
// fails to apply, an invalid pod, an op that replaces or removes what was there, or a second patch.
import fastJsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import { buildPatch } from '../../lib/inject/patch.ts';
import type { Container, Pod, StringMap } from '../../lib/inject/types.ts';
import { seededRandom } from '../support/signals.ts';
import { applyOps, decodePatch, runCase, type InjectionCase } from './harness.ts';
import { validatePod } from './pod-schema.ts';

const NASTY = ['"', '\\', '/', '~', '~1', '~0', '"}]', '{"op":"remove","path":"/spec"}', '\u2028', 'é', '', ' ', '\n', '%2F', '$ref', '__proto__', 'constructor'];

function generator(seed: number) {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T,>(items: readonly T[]): T => items[int(items.length)];
  const maybe = (p = 0.5) => random() < p;
  const word = () => pick(['a', 'web', 'x1', 'zone-a', 'cm', 'app']) + (maybe() ? String(int(100)) : '');
  const text = () => Array.from({ length: int(4) }, () => (maybe() ? pick(NASTY) : word())).join('');
  const key = () => (maybe() ? `${pick(['example.com', 'a.b', 'prometheus.io'])}/${word()}${maybe(0.2) ? '~x' : ''}` : word());
  const map = (extra: StringMap): StringMap | undefined => {
    if (maybe(0.25)) return undefined;
    const m: StringMap = {};
    for (let i = int(4); i > 0; i--) m[key()] = text();
    return { ...m, ...extra };
  };
  const deucalion = (): StringMap => {
    const m: StringMap = {};
    if (maybe(0.4)) m['deucalion-injection'] = pick(['enabled', 'enabled', 'enabled', 'disabled', 'yes']);
    if (maybe(0.3)) m['deucalion-sidecar-image'] = pick(['reg/d:1', 'd', 'd@sha256:0a1b', 'bad image']);
    if (maybe(0.3)) m['deucalion-config-map'] = pick(['cm-a', 'x.y', 'cm', 'Bad']);
    if (maybe(0.2)) m['deucalion-federation'] = pick(['f1', 'zone-a', 'f0', 'Z']);
    if (maybe(0.2)) m['deucalion-sidecar-mode'] = pick(['native', 'container', 'x']);
    if (maybe(0.2)) m['deucalion-sidecar-memory-limit'] = pick(['64Mi', '1G', 'lots']);
    if (maybe(0.3)) m['prometheus.io/port'] = pick(['8080', text()]);
    return m;
  };
  const container = (i: number): Container => {
    const c: Container = { name: `c${i}`, image: 'img:1' };
    if (maybe(0.4)) c.ports = [{ containerPort: pick([80, 8080, 9464, 9090]) }];
    if (maybe(0.2)) c.resources = {};
    return c;
  };
  return (): InjectionCase => {
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: Array.from({ length: 1 + int(3) }, (_, i) => container(i)) } };
    const meta = pod.metadata!;
    if (maybe()) meta.name = `p${int(1000)}`;
    else meta.generateName = `web-${int(1000)}-`;
    const annotations = map(deucalion());
    if (annotations) meta.annotations = annotations;
    const labels = map(maybe(0.1) ? { 'deucalion.io/federation': 'f0' } : {});
    if (labels) meta.labels = labels;
    const spec = pod.spec!;
    if (maybe(0.3)) spec.initContainers = maybe(0.2) ? [] : [container(9)];
    if (maybe(0.4)) spec.volumes = maybe(0.2) ? [] : [{ name: pick(['data', 'deucalion-config']), emptyDir: {} }];
    if (maybe(0.1)) spec.hostNetwork = true;
    if (maybe(0.2)) delete pod.metadata;
    const namespace = { name: pick(['edge', 'edge', 'edge', 'edge', 'kube-system', 'deucalion']), labels: maybe(0.2) ? undefined : { 'deucalion-injection': pick(['enabled', 'enabled', 'disabled', 'x']) } };
    const owner = maybe(0.4) ? { kind: 'Deployment', name: 'web', annotations: deucalion() } : undefined;
    const config = resolveInjectorConfig({ sidecar: { mode: pick(['native', 'container']) } }, { POD_NAMESPACE: 'deucalion' });
    return { pod, namespace, owner, config };
  };
}

function pathExists(doc: unknown, path: string): boolean {
  try {
    return fastJsonPatch.getValueByPointer(doc, path) !== undefined;
  } catch {
    return false;
  }
}

describe('random pods', () => {
  it('never produce an invalid, destructive or non-idempotent patch', async () => {
    const next = generator(20260101);
    let injected = 0;
    for (let i = 0; i < 2000; i++) {
      const c = next();
      expect(validatePod(c.pod), JSON.stringify(c.pod)).toEqual([]);
      const result = await runCase(c);
      const ops = decodePatch(result.review);
      let doc: unknown = structuredClone(c.pod);
      for (const op of ops) {
        expect(op.op).toBe('add');
        // `add` on an existing member replaces it: allowed only for our own federation label.
        if (!op.path.endsWith('/-') && !op.path.startsWith('/metadata/labels/deucalion.io~1federation')) expect(pathExists(doc, op.path), op.path).toBe(false);
        doc = applyOps(doc as Pod, [op]);
      }
      expect(validatePod(doc), JSON.stringify(ops)).toEqual([]);
      if (ops.length > 0) injected++;
      const again = await runCase(c, doc as Pod);
      expect(again.review.response?.patch).toBeUndefined();
    }
    expect(injected).toBeGreaterThan(300);
  });
});

describe('a crafted value stays inert', () => {
  const crafted = 'x"}},{"op":"replace","path":"/spec/serviceAccountName","value":"cluster-admin"},{"op":"add","path":"/a","value":{"b":"';
  it('even when it reaches the patch, it is one string value and nothing else changes', () => {
    const pod: Pod = { metadata: { name: 'p', annotations: { 'prometheus.io/path': crafted } }, spec: { serviceAccountName: 'app', containers: [{ name: 'app' }] } };
    const config = resolveInjectorConfig({});
    const plan = { kind: 'sidecar' as const, image: crafted, imagePullPolicy: 'IfNotPresent', configMap: crafted, mode: 'container' as const, port: 9464, runAsUser: 65532, readinessProbe: true, sink: crafted, resources: config.sidecar.resources };
    const ops = buildPatch(pod, { inject: true, enabledBy: 'pod', plan });
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual([
      'add /spec/volumes',
      'add /spec/volumes/-',
      'add /spec/containers/-',
      'add /metadata/annotations/deucalion.io~1status',
    ]);
    const out = applyOps(pod, ops) as Pod & { a?: unknown };
    expect(out.spec?.serviceAccountName).toBe('app');
    expect(out.a).toBeUndefined();
    expect(out.spec?.volumes?.[0]).toEqual({ name: 'deucalion-config', configMap: { name: crafted, optional: true } });
    expect(out.spec?.containers[1].image).toBe(crafted);
    expect(out.metadata?.annotations?.['prometheus.io/path']).toBe(crafted);
  });
});

describe('the offline Pod schema check', () => {
  it.each([
    ['a wrong type', { spec: { containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] } }, 'openapi: data/spec/containers/0/ports/0/containerPort must be integer'],
    ['a missing required field', { spec: { containers: [{ image: 'a' }] } }, 'openapi: data/spec/containers/0 must have required property name'],
    ['an unknown field', { spec: { containers: [{ name: 'a', restartpolicy: 'Always' }] } }, 'strict: unknown field "spec.containers[0].restartpolicy" in V1Container'],
  ])('rejects %s', (_name, pod, message) => {
    expect(validatePod(pod)).toEqual([message]);
  });
});

describe('the injected dispatcher listens where its port and probes point', () => {
  it.each([9464, 9555])('sidecar.port %i', async (port) => {
    const { dispatcherContainer } = await import('../../lib/inject/patch.ts');
    const { loadConfig } = await import('../../lib/dispatcher/config.ts');
    const config = resolveInjectorConfig({});
    const plan = { kind: 'sidecar' as const, image: 'd:1', imagePullPolicy: 'IfNotPresent', configMap: 'c', mode: 'container' as const, port, runAsUser: 65532, readinessProbe: true, sink: 'http://sink/', resources: config.sidecar.resources };
    const container = dispatcherContainer(plan) as { ports: { name: string; containerPort: number }[]; env: { name: string; value?: string }[]; readinessProbe: { httpGet: { port: string } } };
    const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    // Even a ConfigMap that says otherwise: the container's port wins.
    const dispatcher = await loadConfig('target: { url: "http://127.0.0.1:8080/metrics" }\nlisten: 9999\n', { source: 'cm', env });
    const named = container.ports.find((p) => p.name === container.readinessProbe.httpGet.port);
    expect(named?.containerPort).toBe(port);
    expect(dispatcher.listen.port).toBe(port);
  });
});
