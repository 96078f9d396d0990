// Upgrades must not rotate the webhook certificate: the chart looks the TLS Secret up and reuses
// it. `lookup` only works against an API server, so the real helm renders with --dry-run=server
// against a fake one on 127.0.0.1 that answers discovery and the Secret GET with real API shapes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmBinary } from '../support/helm.ts';
import { REPO_ROOT } from '../support/process.ts';
import { CHART, NAMESPACE, findObject, parseManifests, renderChart } from './render.ts';

const SECRET = 'deucalion-injector-tls';
type Secret = { data: Record<string, string> };

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration']);

/** Discovery documents for every apiVersion/kind the chart renders (helm maps each object before a dry run). */
function discovery(kinds: { apiVersion: string; kind: string }[]): Map<string, unknown> {
  const byGroupVersion = new Map<string, Set<string>>();
  for (const { apiVersion, kind } of [...kinds, { apiVersion: 'v1', kind: 'Secret' }]) {
    if (!byGroupVersion.has(apiVersion)) byGroupVersion.set(apiVersion, new Set());
    byGroupVersion.get(apiVersion)!.add(kind);
  }
  const docs = new Map<string, unknown>();
  const groups = [];
  for (const [gv, set] of byGroupVersion) {
    const resources = [...set].map((kind) => ({ name: `${kind.toLowerCase()}s`, singularName: kind.toLowerCase(), namespaced: !CLUSTER_SCOPED.has(kind), kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }));
    docs.set(gv === 'v1' ? '/api/v1' : `/apis/${gv}`, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources });
    if (gv !== 'v1') {
      const [group, version] = gv.split('/');
      groups.push({ name: group, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } });
    }
  }
  docs.set('/apis', { kind: 'APIGroupList', apiVersion: 'v1', groups });
  return docs;
}

/** A fake API server: discovery, and one Secret (or 404 when `secret` is undefined). */
function fakeApiServer(state: { secret?: Secret; requests: string[]; discovery: Map<string, unknown> }): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    state.requests.push(`${req.method} ${path}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/version') return send(200, { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' });
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    if (state.discovery.has(path)) return send(200, state.discovery.get(path));
    if (req.method === 'GET' && path === `/api/v1/namespaces/${NAMESPACE}/secrets/${SECRET}` && state.secret) {
      return send(200, { kind: 'Secret', apiVersion: 'v1', metadata: {
          name: SECRET,
          namespace: NAMESPACE,
          uid: '7d2c',
          resourceVersion: '42',
          // What Helm stamps on objects it installed (it refuses to adopt anything else).
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': 'deucalion', 'meta.helm.sh/release-namespace': NAMESPACE },
        }, type: 'kubernetes.io/tls', data: state.secret.data });
    }
    return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${path} not found`, reason: 'NotFound', code: 404 });
  });
}

function helmAsync(args: string[], kubeconfig: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const home = mkdtempSync(join(tmpdir(), 'deucalion-helm-home-'));
    const child = spawn(helmBinary(), args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig, HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'f'), HELM_DATA_HOME: join(home, 'd') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      rmSync(home, { recursive: true, force: true });
      resolve({ status, stdout, stderr });
    });
  });
}

describe('TLS on upgrade (helm lookup against a fake API server)', () => {
  const installed = renderChart({});
  const state: { secret?: Secret; requests: string[]; discovery: Map<string, unknown> } = { requests: [], discovery: discovery(installed) };
  const server = fakeApiServer(state);
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-kube-'));
  const kubeconfig = join(dir, 'config');
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:${port}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\ncurrent-context: fake\nusers:\n- name: fake\n  user:\n    token: test\n`);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function renderAgainstServer() {
    const result = await helmAsync(['template', 'deucalion', CHART, '--namespace', NAMESPACE, '--dry-run=server', '--disable-openapi-validation'], kubeconfig);
    if (result.status !== 0) throw new Error(`helm failed: ${result.stderr}`);
    const objects = parseManifests(result.stdout);
    const secret = findObject(objects, 'Secret', SECRET) as unknown as Secret;
    const hook = findObject(objects, 'MutatingWebhookConfiguration', 'deucalion-injector') as unknown as { webhooks: { clientConfig: { caBundle: string } }[] };
    return { secret, caBundle: hook.webhooks[0].clientConfig.caBundle };
  }

  it('reuses the existing Secret and its CA, so an upgrade does not rotate the certificate', async () => {
    const secret = findObject(installed, 'Secret', SECRET) as unknown as Secret;
    state.secret = secret;
    const upgrade = await renderAgainstServer();
    expect(state.requests).toContain(`GET /api/v1/namespaces/${NAMESPACE}/secrets/${SECRET}`);
    expect(upgrade.secret.data).toEqual(secret.data);
    expect(upgrade.caBundle).toBe(secret.data['ca.crt']);
  });

  it('generates a new certificate when there is no Secret yet (a fresh install)', async () => {
    const previous = state.secret!;
    state.secret = undefined;
    const install = await renderAgainstServer();
    expect(install.secret.data['tls.crt']).not.toBe(previous.data['tls.crt']);
    expect(install.caBundle).toBe(install.secret.data['ca.crt']);
  });
});
