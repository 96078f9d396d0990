// The demo end to end, as `npm run demo` runs it (shorter): Bookinfo under load, incidents injected,
// Deucalion in sidecar and federated mode; it must catch at least one incident. Once with nothing but
// node on PATH (built-in Prometheus stand-in, embedded alert sink), once with the real binaries.
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.ts';
import { runCli, startCli } from '../support/process.ts';
import { alive, descendants } from '../up/proc-tree.ts';

interface DemoJson {
  detected: number;
  incidents: { kind: string; service: string; mode: string; startedAt?: number; detection?: { delayMs: number; detector: string; mode: string } }[];
  prometheus: string;
  alertmanager: boolean;
  network: { sidecarBytesPerSec: number; federatedBytesPerSec: number; centralScrapeBytesPerSec: number };
  requests: { sent: number };
}

async function runDemo(env: NodeJS.ProcessEnv): Promise<{ result: DemoJson; stdout: string; code: number | null }> {
  const { code, stdout, stderr } = await runCli(['demo', '--duration', '45s', '--plain', '--json'], env);
  const last = stdout.trim().split('\n').pop() ?? '';
  let result: DemoJson;
  try {
    result = JSON.parse(last) as DemoJson;
  } catch {
    throw new Error(`no JSON result line:\n${stdout}\n${stderr}`);
  }
  return { result, stdout, code };
}

describe('deucalion demo', () => {
  it('runs with no prometheus or alertmanager on PATH and reports a detected incident', { timeout: 120_000 }, async () => {
    const { result, stdout, code } = await runDemo({ PATH: dirname(process.execPath) });
    expect(code).toBe(0);
    expect(result.prometheus).toBe('built-in');
    expect(result.alertmanager).toBe(false);
    expect(stdout).toMatch(/prometheus is not on PATH: each federation uses the built-in stand-in/);
    expect(stdout).toMatch(/alertmanager is not on PATH/);
    expect(result.incidents).toHaveLength(4);
    expect(result.incidents.every((i) => i.startedAt !== undefined)).toBe(true);
    expect(result.detected).toBeGreaterThanOrEqual(1);
    expect(stdout).toMatch(/incidents: [1-4] of 4 detected/);
    expect(stdout).toMatch(/DETECTED after \d+\.\d+s by \w+/);
    expect(result.requests.sent).toBeGreaterThan(0);
    expect(result.network.centralScrapeBytesPerSec).toBeGreaterThan(0);
  });

  const prometheus = requireBinary('prometheus');
  const alertmanager = requireBinary('alertmanager');
  it.skipIf(!prometheus || !alertmanager)('uses the real Prometheus and Alertmanager when installed', { timeout: 120_000 }, async () => {
    const { result, stdout, code } = await runDemo({});
    expect(code).toBe(0);
    expect(result.prometheus).toBe('prometheus');
    expect(result.alertmanager).toBe(true);
    expect(result.detected).toBeGreaterThanOrEqual(1);
    expect(stdout).toMatch(/alertmanager held \d+ active alert\(s\) at shutdown/);
  });

  it('stops early on Ctrl-C, prints the summary and leaves no process behind', { timeout: 60_000 }, async () => {
    const demo = startCli(['demo', '--duration', '5m', '--plain']);
    const deadline = Date.now() + 30_000;
    while (!/gateway gateway running/.test(demo.output())) {
      if (Date.now() > deadline || demo.child.exitCode !== null) throw new Error(`demo did not start:\n${demo.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const children = descendants(demo.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(6);
    const code = await demo.stop('SIGINT');
    expect([0, 1]).toContain(code);
    await new Promise((r) => setTimeout(r, 200));
    expect(children.filter(alive)).toEqual([]);
    expect(demo.output()).toMatch(/incidents: \d of 4 detected/);
  });
});
