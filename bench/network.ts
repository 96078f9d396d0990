// Run: node_modules/.bin/node bench/network.ts [--json] [--runs 5] [--duration 20s] [--interval 2s]
//      [--warmup 4s] [--rps 20] [--modes none,centralized,sidecar,federated] [--incidents] [--loopback] [--no-write]
//      node_modules/.bin/node bench/network.ts --render bench/results/network.json   (re-render md/svg/html)
//   or: deucalion bench network [--json] ...
//
// The paper's Figure 4 (and Figure 7's CPU/RSS) with the demo's Bookinfo: no monitoring, one central
// Prometheus scraping every pod, Deucalion sidecar mode (a dispatcher per pod), Deucalion federated
// mode (two federations, each a Prometheus + scrape-trigger + detector on its own node), all with the
// same scrape interval. Reports (a) bytes/s the app pods send for monitoring and (b) bytes/s crossing
// into the central control plane, each as the median of the runs, and reductions against the
// centralized run of the same round (median of per-round ratios). Bars (issue 8): sidecar ≥ 99% less
// on (a) and (b), federated ≥ 95% less on (b). Writes bench/results/network.{json,md,svg,html}.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from '../lib/duration.ts';
import { canUseNetns, createLoopbackNet, createNetnsNet, type BenchNet } from '../lib/demo/netbench/net.ts';
import { measureMode, median, MODES, type ComponentCost, type Mode, type ModeMeasurement } from '../lib/demo/netbench/modes.ts';
import { formatBars, formatCostTable, formatMarkdown, formatTable, renderHtml, renderSvg, type ModeSummary, type NetworkReport } from '../lib/demo/netbench/report.ts';
import { BOOKINFO, FEDERATIONS } from '../lib/demo/topology.ts';
import { prometheusBinary } from '../lib/up/prometheus.ts';
import { Supervisor } from '../lib/up/supervisor.ts';

export interface NetworkBenchOptions {
  json: boolean;
  runs?: number;
  durationMs?: number;
  warmupMs?: number;
  intervalMs?: number;
  rps?: number;
  triggerSchedule?: string;
  modes?: Mode[];
  /** Inject the demo's incidents (latency, errors, leak) during every measurement window. */
  incidents?: boolean;
  /** Force per-connection accounting on loopback even when namespaces are available. */
  loopback?: boolean;
  /** Where result files go; null = don't write. Default bench/results. */
  resultsDir?: string | null;
  /** false (`deucalion bench network --no-write`): write no result files, as resultsDir: null. */
  write?: boolean;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
  command?: string;
}

export const BARS = { sidecarApp: 0.99, sidecarCentral: 0.99, federatedCentral: 0.95 };
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

/** Where results go: resultsDir when given (null: nowhere), else nowhere for write: false, else bench/results. */
export function resultsDirOf(options: { resultsDir?: string | null; write?: boolean }): string | null {
  return options.resultsDir !== undefined ? options.resultsDir : options.write === false ? null : RESULTS;
}

export async function runNetworkBench(options: NetworkBenchOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runs = options.runs ?? 5;
  const modes = options.modes ?? [...MODES];
  const intervalMs = options.intervalMs ?? 2000;
  const durationMs = options.durationMs ?? 20_000;
  const rps = options.rps ?? 20;
  const triggerSchedule = options.triggerSchedule ?? '@every 5s';
  const prometheus = prometheusBinary() ?? 'built-in';
  // with incidents, the detectors need their warm-up history (zscore: 10 samples) before the window
  const warmupMs = options.warmupMs ?? (options.incidents ? Math.max(30_000, 15 * intervalMs) : Math.max(3000, 2 * intervalMs));
  const workDir = mkdtempSync(join(tmpdir(), 'deucalion-bench-network-'));
  const supervisor = new Supervisor(join(workDir, 'logs'));
  const useNetns = !options.loopback && (await canUseNetns());
  const nodes = [
    ...BOOKINFO.map((s) => ({ name: s.name, app: true, mon: true })),
    { name: 'client', app: true, mon: false },
    { name: 'central', app: false, mon: true },
    ...FEDERATIONS.map((f) => ({ name: `fed-${f}`, app: false, mon: true })),
  ];
  let net: BenchNet | undefined;
  const cleanup = async () => {
    await supervisor.stopAll(2000);
    supervisor.dispose();
    await net?.teardown();
    rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rounds: Partial<Record<Mode, ModeMeasurement>>[] = [];
  const errors: Partial<Record<Mode, string>> = {};
  try {
    net = useNetns ? await createNetnsNet(nodes) : createLoopbackNet();
    log(`network bench: ${net.kind === 'netns' ? 'network namespaces + veth' : 'loopback with counting proxies'}; ${runs} run(s) × ${modes.join(', ')}; ${durationMs / 1000}s each; scrape interval ${intervalMs / 1000}s; prometheus: ${prometheus}`);
    for (let r = 0; r < runs; r++) {
      const round: Partial<Record<Mode, ModeMeasurement>> = {};
      for (const mode of modes) {
        if (errors[mode]) continue;
        try {
          const m = await measureMode(mode, { net, supervisor, workDir, prometheus, durationMs, warmupMs, intervalMs, rps, triggerSchedule, incidents: options.incidents });
          round[mode] = m;
          log(`run ${r + 1}/${runs} ${mode.padEnd(11)} (a) ${m.appBytesPerSec.toFixed(0).padStart(8)} B/s  (b) ${m.centralBytesPerSec.toFixed(0).padStart(8)} B/s`);
        } catch (err) {
          errors[mode] = (err as Error).message.split('\n')[0];
          log(`run ${r + 1}/${runs} ${mode}: not measured: ${errors[mode]}`);
        }
      }
      rounds.push(round);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }

  const report = summarize(rounds, errors, modes, {
    net: net!.kind,
    runs,
    durationSec: durationMs / 1000,
    scrapeIntervalSec: intervalMs / 1000,
    rps,
    triggerSchedule,
    prometheus: prometheus === 'built-in' ? 'built-in stand-in' : prometheus,
    date: new Date().toISOString(),
    command: options.command ?? 'deucalion bench network',
    incidents: options.incidents === true,
  });
  const resultsDir = resultsDirOf(options);
  if (resultsDir) writeResults(report, resultsDir, options.incidents ? 'network-incidents' : 'network');
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${formatTable(report)}\n\n${formatBars(report)}\n\n${formatCostTable(report)}\n${resultsDir ? `\nwritten to ${join(resultsDir, options.incidents ? 'network-incidents' : 'network')}.{json,md,svg,html}\n` : ''}`);
  return report.bars.every((b) => b.pass) ? 0 : 1;
}

/** network.{json,md,svg,html} in `dir`. */
export function writeResults(report: NetworkReport, dir: string, base = 'network'): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${base}.md`), formatMarkdown(report));
  writeFileSync(join(dir, `${base}.svg`), `${renderSvg(report)}\n`);
  writeFileSync(join(dir, `${base}.html`), renderHtml(report));
}

function summarize(rounds: Partial<Record<Mode, ModeMeasurement>>[], errors: Partial<Record<Mode, string>>, modes: Mode[], config: NetworkReport['config']): NetworkReport {
  const out: NetworkReport['modes'] = {};
  for (const mode of modes) {
    const ms = rounds.map((r) => r[mode]).filter((m): m is ModeMeasurement => m !== undefined);
    if (!ms.length) {
      out[mode] = { appBytesPerSec: NaN, centralBytesPerSec: NaN, reduction: { app: NaN, central: NaN }, runs: 0, components: [], error: errors[mode] ?? 'not run' };
      continue;
    }
    // reductions against the centralized run of the same round, then the median over rounds
    const ratio = (key: 'appBytesPerSec' | 'centralBytesPerSec') =>
      median(rounds.filter((r) => r[mode] && r.centralized).map((r) => 1 - r[mode]![key] / r.centralized![key]));
    const summary: ModeSummary = {
      appBytesPerSec: median(ms.map((m) => m.appBytesPerSec)),
      centralBytesPerSec: median(ms.map((m) => m.centralBytesPerSec)),
      reduction: { app: ratio('appBytesPerSec'), central: ratio('centralBytesPerSec') },
      runs: ms.length,
      components: mergeComponents(ms.map((m) => m.components)),
    };
    const totals = ms.map((m) => m.podTotalTxBytesPerSec).filter((x): x is number => x !== undefined);
    if (totals.length) summary.podTotalTxBytesPerSec = median(totals);
    if (errors[mode]) summary.error = errors[mode];
    out[mode] = summary;
  }
  const bars: NetworkReport['bars'] = [];
  const add = (name: string, value: number | undefined, bar: number) => value !== undefined && bars.push({ name, value, bar, pass: value >= bar });
  add('sidecar vs central Prometheus, (a) pods → monitoring', out.sidecar?.reduction.app, BARS.sidecarApp);
  add('sidecar vs central Prometheus, (b) into the central control plane', out.sidecar?.reduction.central, BARS.sidecarCentral);
  add('federated vs central Prometheus, (b) into the central control plane', out.federated?.reduction.central, BARS.federatedCentral);
  return { modes: out, config, bars };
}

function mergeComponents(lists: ComponentCost[][]): ComponentCost[] {
  const names = [...new Set(lists.flat().map((c) => c.component))];
  return names.map((component) => {
    const cs = lists.flat().filter((c) => c.component === component);
    return { component, count: cs[0].count, cpuMsPerSec: median(cs.map((c) => c.cpuMsPerSec)), rssMb: median(cs.map((c) => c.rssMb)) };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      runs: { type: 'string' },
      duration: { type: 'string' },
      interval: { type: 'string' },
      warmup: { type: 'string' },
      rps: { type: 'string' },
      modes: { type: 'string' },
      loopback: { type: 'boolean' },
      incidents: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      render: { type: 'string' },
    },
  });
  if (values.render) {
    // re-render the table and charts from a committed result, without measuring again
    const report = JSON.parse(readFileSync(values.render, 'utf8')) as NetworkReport;
    writeResults(report, dirname(values.render), basename(values.render, '.json'));
    process.stdout.write(`${formatTable(report)}\n`);
    process.exit(0);
  }
  const modes = values.modes?.split(',').map((m) => m.trim()) as Mode[] | undefined;
  if (modes?.some((m) => !MODES.includes(m))) {
    process.stderr.write(`--modes: expected a list of ${MODES.join(', ')}\n`);
    process.exit(2);
  }
  process.exitCode = await runNetworkBench({
    json: values.json ?? false,
    runs: values.runs ? Number(values.runs) : undefined,
    durationMs: values.duration ? parseDuration(values.duration) : undefined,
    intervalMs: values.interval ? parseDuration(values.interval) : undefined,
    warmupMs: values.warmup ? parseDuration(values.warmup) : undefined,
    rps: values.rps ? Number(values.rps) : undefined,
    modes,
    loopback: values.loopback,
    incidents: values.incidents,
    resultsDir: values['no-write'] ? null : undefined,
    command: `node bench/network.ts ${process.argv.slice(2).join(' ')}`.trim(),
  });
}
