// Shape of `bench/network.ts --json` with a short run (no timing or bar asserts): all four modes,
// both byte figures, reductions against centralized; over network namespaces when root, and over
// loopback counting proxies.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/process.ts';

interface ModeJson {
  appBytesPerSec: number;
  centralBytesPerSec: number;
  reduction: { app: number; central: number };
  components: { component: string; cpuMsPerSec: number; rssMb: number }[];
  error?: string;
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bench/network.ts', '--json', '--runs', '1', '--duration', '3s', '--warmup', '2s', '--interval', '1s', '--no-write', ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Network namespaces and veth pairs need root; the loopback variant runs anywhere.
const root = process.getuid?.() === 0;
if (!root) {
  const message = 'bench network over network namespaces needs root (ip netns, veth)';
  if (process.env.CI === 'true') throw new Error(`CI=true requires ${message}`);
  process.stderr.write(`\n*** SKIPPING: ${message}; run the tests as root to include it ***\n\n`);
}

describe.each([
  ['network namespaces', [] as string[], root],
  ['loopback counting proxies', ['--loopback'], true],
])('bench network --json over %s', (_name, args, enabled) => {
  it.skipIf(!enabled)('prints the four modes with both byte figures and reductions', { timeout: 180_000 }, async () => {
    const { stdout, stderr } = await runBench(args);
    let report: { modes: Record<string, ModeJson>; config: { net: string } };
    try {
      report = JSON.parse(stdout) as typeof report;
    } catch {
      throw new Error(`not JSON:\n${stdout}\n${stderr}`);
    }
    expect(report.config.net).toBe(args.includes('--loopback') ? 'loopback' : 'netns');
    expect(Object.keys(report.modes).sort()).toEqual(['centralized', 'federated', 'none', 'sidecar']);
    for (const [mode, m] of Object.entries(report.modes)) {
      expect(m.error, `${mode}: ${m.error}\n${stderr}`).toBeUndefined();
      expect(typeof m.appBytesPerSec).toBe('number');
      expect(typeof m.centralBytesPerSec).toBe('number');
      expect(m.appBytesPerSec).toBeGreaterThanOrEqual(0);
      expect(m.centralBytesPerSec).toBeGreaterThanOrEqual(0);
      expect(typeof m.reduction.app).toBe('number');
      expect(typeof m.reduction.central).toBe('number');
      expect(m.components.find((c) => c.component === 'app pod')?.rssMb).toBeGreaterThan(0);
    }
    // scraped pods send monitoring bytes; the central Prometheus receives them
    expect(report.modes.centralized.appBytesPerSec).toBeGreaterThan(0);
    expect(report.modes.centralized.centralBytesPerSec).toBeGreaterThan(0);
    expect(report.modes.federated.appBytesPerSec).toBeGreaterThan(0);
    expect(report.modes.centralized.reduction).toEqual({ app: 0, central: 0 });
  });
});

describe('deucalion bench network options', () => {
  it('--no-write through the CLI writes no result files', async () => {
    const { parseOptions } = await import('../../cli/commands/bench.ts');
    const { resultsDirOf } = await import('../../bench/network.ts');
    expect(resultsDirOf(parseOptions(['--no-write']))).toBeNull();
    expect(resultsDirOf(parseOptions([]))).toMatch(/bench\/results\/?$/);
    expect(resultsDirOf({ resultsDir: '/tmp/x', write: false })).toBe('/tmp/x');
  });
});
