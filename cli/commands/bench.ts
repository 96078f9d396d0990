// `deucalion bench AREA`: runs bench/<area>.ts as its own process, so a benchmark never shares a heap
// or an event loop with the CLI, and every bench stays runnable on its own (`node bench/<area>.ts`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, type Command } from '../command.ts';

const AREAS = {
  sidecar: 'parser throughput vs parse-prometheus-text-format; dispatcher vs Prometheus CPU and RSS side by side',
  network: "the paper's Figure 4: monitoring bytes per mode (none, centralized, sidecar, federated) by boundary",
  injector: 'admission latency p50/p99 over TLS at 500 req/s from a separate load process',
  trigger: 'one federated run over 10,000 series × 240 points; detector cold start',
  detectors: 'NAB score and cost per sample of every built-in detector',
  parser: 'exposition parser throughput only',
} as const;

export const command: Command = {
  name: 'bench',
  summary: 'run an evaluation benchmark (sidecar, network, injector, trigger, detectors)',
  usage: `
Usage: deucalion bench AREA [--json] [options of that bench]

Areas:
${Object.entries(AREAS)
  .map(([name, what]) => `  ${name.padEnd(10)} ${what}`)
  .join('\n')}

Each runs bench/<area>.ts in its own Node process; options after AREA are passed to it
(e.g. deucalion bench network --json). Results are medians of several runs, as ratios against a peer.
`,
  async run(argv) {
    const [area, ...rest] = argv;
    if (!area || !(area in AREAS)) throw new UsageError(area ? `unknown bench "${area}"` : 'missing AREA');
    const file = fileURLToPath(new URL(`../../bench/${area}.ts`, import.meta.url));
    if (!existsSync(file)) throw new Error(`bench/${area}.ts is not in this checkout`);
    const child = spawn(process.execPath, [file, ...rest], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  },
};
