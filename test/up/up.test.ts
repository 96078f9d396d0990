// `deucalion up` as a user runs it: a real process with a small stack; scale to zero, cold start,
// cron, and a clean stop with no child process left behind.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, startCli } from '../support/process.ts';
import { alive, descendants } from './proc-tree.ts';

const FIXTURE = 'test/up/fixtures/stack.yml';
const window = readFileSync(new URL('../../examples/windows/flat.json', import.meta.url), 'utf8');

async function waitFor<T>(what: string, check: () => T | undefined, output: () => string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re, 'g')) ?? []).length;

async function invoke(gateway: string): Promise<number> {
  const res = await fetch(`${gateway}/function/detector-zscore`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': 'w1', 'ce-source': '/test', 'ce-type': 'io.deucalion.window.v1' },
    body: window,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('deucalion up', () => {
  it('scales a function to zero after idle, cold-starts it on the next call, fires cron, stops cleanly', async () => {
    const appPort = await freePort();
    const up = startCli(['up', '-f', FIXTURE, '--port', '0', '--plain', '--no-alertmanager', '--built-in-prometheus'], { APP_PORT: String(appPort) });
    try {
      const gateway = await waitFor('the gateway', () => /gateway gateway running at (http:\/\/127\.0\.0\.1:\d+)/.exec(up.output())?.[1], up.output);
      expect(up.output()).toMatch(/app app running pid \d+/);
      expect(up.output()).toMatch(/prometheus prometheus-zone-test running .*built-in stand-in/);

      expect([200, 204]).toContain(await invoke(gateway));
      expect(up.output()).toMatch(/function detector-zscore running pid \d+ at \S+ \(cold start \d+ ms\)/);
      await waitFor('scale to zero', () => /function detector-zscore stopped: scaled to zero/.test(up.output()), up.output);

      expect([200, 204]).toContain(await invoke(gateway));
      expect(count(up.output(), /function detector-zscore running .*cold start/)).toBe(2);

      await waitFor('two cron runs', () => count(up.output(), /cron detector-ewma \(@every 1s\) →/) >= 2, up.output);
      expect(up.output()).toMatch(/function detector-ewma running .*cold start/);

      // every child of `up` (apps, functions, Prometheus stand-in is in-process) must be gone after SIGINT
      const children = descendants(up.child.pid!);
      expect(children.length).toBeGreaterThan(0);
      const code = await up.stop('SIGINT');
      expect(code).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      expect(children.filter(alive)).toEqual([]);
      expect(up.output()).toMatch(/deucalion up ran for \d+s/);
      expect(up.output()).toMatch(/detector-zscore\s+2 invocation\(s\), 2 cold start\(s\), median \d+ ms/);
      expect(up.output()).toMatch(/cron runs:\n\s+detector-ewma\s+@every 1s/);
    } finally {
      await up.stop('SIGKILL');
    }
  });

  it('runs the repository stack.yml (cluster URLs replaced by local ones, secrets from deploy/openfaas)', async () => {
    const up = startCli(['up', '-f', 'stack.yml', '--port', '0', '--plain', '--no-alertmanager', '--built-in-prometheus']);
    try {
      const gateway = await waitFor('the gateway', () => /gateway gateway running at (http:\/\/127\.0\.0\.1:\d+)/.exec(up.output())?.[1], up.output);
      const list = (await (await fetch(`${gateway}/system/functions`)).json()) as { name: string; replicas: number; annotations: Record<string, string> }[];
      expect(list.map((f) => f.name)).toContain('alert-forwarder');
      expect(list.find((f) => f.name === 'scrape-trigger-zone-a')?.annotations.topic).toBe('cron-function');
      expect(list.every((f) => f.replicas === 0)).toBe(true);
      expect(up.output()).toMatch(/prometheus prometheus-zone-a running/);
      expect(up.output()).not.toMatch(/is an OpenFaaS secret/);
      expect([200, 204]).toContain(await invoke(gateway));
    } finally {
      expect(await up.stop('SIGTERM')).toBe(0);
    }
  });

  it.each([
    ['a missing file', ['-f', 'test/up/fixtures/nope.yml'], /nope\.yml: ENOENT/],
    ['a bad schedule', ['-f', 'test/up/fixtures/bad-schedule.yml'], /functions\.tick\.annotations\.schedule: schedule "61 \* \* \* \*": minute: 61 is outside 0-59/],
  ])('fails with a clear message for %s', async (_name, args, message) => {
    const up = startCli(['up', ...args, '--plain']);
    const code = await new Promise<number | null>((r) => up.child.once('exit', r));
    expect(code).toBe(1);
    expect(up.output()).toMatch(message);
  });
});
