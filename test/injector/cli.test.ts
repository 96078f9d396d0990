// `deucalion injector` as a process: config file, API off outside a cluster (said once), SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, startCli } from '../support/process.ts';
import { reviewFor } from './harness.ts';
import { makeCert } from './tls.ts';

let dir: string;
let tls: { certFile: string; keyFile: string };
// No service account, no kubeconfig: the injector must run with API lookups off.
const env = () => ({ HOME: dir, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '', POD_NAMESPACE: 'deucalion', LOG_LEVEL: 'info' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'deucalion-injector-cli-'));
  tls = makeCert(dir, 'localhost');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function httpsJson(url: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: body ? 'POST' : 'GET', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

describe('deucalion injector (process)', () => {
  it('serves with its config file outside a cluster and stops on SIGTERM', async () => {
    const config = join(dir, 'injector.yaml');
    writeFileSync(config, 'injector:\n  shutdownDelay: 0s\n  sidecar:\n    mode: container\n    image: localhost:5000/deucalion:test\n');
    const port = await freePort();
    const started = startCli(['injector', '--port', String(port), '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--config', config], env());
    try {
      const url = `https://127.0.0.1:${port}`;
      for (let i = 0; i < 200; i++) {
        if (started.child.exitCode !== null) throw new Error(started.output());
        const ready = await httpsJson(`${url}/readyz`).catch(() => undefined);
        if (ready?.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const pod = { metadata: { name: 'p', annotations: { 'deucalion-config-map': 'cm' } }, spec: { containers: [{ name: 'app' }] } };
      for (let i = 0; i < 2; i++) {
        const reply = JSON.parse((await httpsJson(`${url}/mutate`, reviewFor(pod, 'shop'))).body);
        const ops = JSON.parse(Buffer.from(reply.response.patch, 'base64').toString());
        expect(ops.find((o: { path: string }) => o.path === '/spec/containers/-').value.image).toBe('localhost:5000/deucalion:test');
      }
      expect(await started.stop('SIGTERM')).toBe(0);
      const lines = started.output().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.filter((l) => String(l.msg).includes('API lookups off')).length).toBe(1);
      expect(lines.filter((l) => l.msg === 'injected').map((l) => l.mode)).toEqual(['container', 'container']);
    } finally {
      await started.stop('SIGKILL');
    }
  });

  it('drains on SIGTERM: /readyz turns 503 while admissions are still answered', async () => {
    const config = join(dir, 'drain.yaml');
    writeFileSync(config, 'shutdownDelay: 2s\n');
    const port = await freePort();
    const started = startCli(['injector', '--port', String(port), '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--config', config], env());
    try {
      const url = `https://127.0.0.1:${port}`;
      for (let i = 0; i < 200 && (await httpsJson(`${url}/readyz`).catch(() => undefined))?.status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
      const exited = started.stop('SIGTERM');
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) status = (await httpsJson(`${url}/readyz`)).status;
      expect(status).toBe(503);
      const pod = { metadata: { name: 'p', annotations: { 'deucalion-config-map': 'cm' } }, spec: { containers: [{ name: 'app' }] } };
      expect(JSON.parse((await httpsJson(`${url}/mutate`, reviewFor(pod, 'shop'))).body).response.allowed).toBe(true);
      expect(await exited).toBe(0);
    } finally {
      await started.stop('SIGKILL');
    }
  });

  it.each([
    [['injector', '--port', '0'], 2, '--tls-cert and --tls-key are required'],
    [['injector', '--tls-cert', 'x', '--tls-key', 'y', '--config', '/nonexistent.yaml'], 1, 'cannot read config file /nonexistent.yaml'],
  ])('%j exits %i', async (args, code, message) => {
    const result = await runCli(args as string[], env());
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('names the bad setting of an invalid config', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'sidecar:\n  mode: sidecar\n');
    const result = await runCli(['injector', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--config', config], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${config}: sidecar.mode must be equal to one of the allowed values: one of native, container`);
  });
});
