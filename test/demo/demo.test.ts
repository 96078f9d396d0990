// The demo end to end, as `npm run demo` runs it (shorter): Bookinfo under load, incidents injected,
// Deucalion in sidecar and federated mode; it must catch at least one incident. Once with nothing but
// node on PATH (built-in Prometheus stand-in, embedded alert sink), once with the real binaries.
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../support/binaries.ts';
import { runCli } from '../support/process.ts';

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
});
