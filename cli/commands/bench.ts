import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../../lib/duration.ts';
import { UsageError, type Command } from '../command.ts';

/** Each area's module in bench/ and the function it exports: `(options: {json, ...}) => Promise<number>`. */
const AREAS = {
  sidecar: { file: 'sidecar.ts', fn: 'runSidecarBench', what: 'parser throughput vs parse-prometheus-text-format; dispatcher vs Prometheus CPU/RSS side by side' },
  network: { file: 'network.ts', fn: 'runNetworkBench', what: 'monitoring traffic: centralized vs sidecar vs federated (paper Figure 4)' },
  injector: { file: 'injector.ts', fn: 'runInjectorBench', what: 'admission latency over TLS at 500 req/s' },
  trigger: { file: 'trigger.ts', fn: 'runTriggerBench', what: 'scrape-trigger fan-out of windows to detector functions' },
} as const;

type Area = keyof typeof AREAS;

export const command: Command = {
  name: 'bench',
  summary: 'run an evaluation benchmark: sidecar | network | injector | trigger',
  usage: `
Usage: deucalion bench <area> [--json] [--runs N] [--duration D] [area options...]

Areas:
${Object.entries(AREAS)
  .map(([name, a]) => `  ${name.padEnd(9)} ${a.what} (bench/${a.file})`)
  .join('\n')}

Common options (passed to every area):
  --json         machine-readable result on stdout
  --runs N       repetitions (medians are reported)
  --duration D   measured time per run, e.g. 60s (shorten for a smoke run)
Other --name value / --flag options are passed on to the area as options.name (camelCase).
The exit code is 0 when the area's bars hold, 1 when not.
`,
  async run(argv) {
    const [area, ...rest] = argv;
    if (!area) throw new UsageError('which benchmark? one of sidecar, network, injector, trigger');
    if (!Object.hasOwn(AREAS, area)) throw new UsageError(`unknown benchmark "${area}"; one of ${Object.keys(AREAS).join(', ')}`);
    const spec = AREAS[area as Area];
    const path = fileURLToPath(new URL(`../../bench/${spec.file}`, import.meta.url));
    if (!existsSync(path)) {
      process.stderr.write(`deucalion bench ${area}: bench/${spec.file} does not exist yet (its issue has not landed it); nothing to run\n`);
      return 1;
    }
    const mod = (await import(path)) as Record<string, unknown>;
    const fn = mod[spec.fn];
    if (typeof fn !== 'function') {
      process.stderr.write(`deucalion bench ${area}: bench/${spec.file} does not export ${spec.fn}() yet\n`);
      return 1;
    }
    const options = parseOptions(rest);
    const result: unknown = await (fn as (o: Record<string, unknown>) => Promise<unknown>)(options);
    if (typeof result === 'number') return result;
    return reportObject(result, mod, options.json === true);
  },
};

/** `--flag` → true, `--no-flag` → false, `--name value` → value; numbers stay strings except the common
 *  ones (runs → number, duration/warmup/interval → also <name>Ms in milliseconds). */
export function parseOptions(argv: string[]): Record<string, unknown> {
  const options: Record<string, unknown> = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    let [name, value] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const key = name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (value === undefined && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined) {
      if (name.startsWith('no-')) options[key.slice(2, 3).toLowerCase() + key.slice(3)] = false;
      else options[key] = true;
      continue;
    }
    options[key] = value;
    if (key === 'runs' || key === 'seconds' || key === 'rate' || key === 'series') options[key] = toNumber(name, value);
    if (key === 'duration' || key === 'warmup' || key === 'interval') {
      try {
        options[`${key}Ms`] = parseDuration(value);
      } catch (err) {
        throw new UsageError(`--${name}: ${(err as Error).message}`);
      }
    }
  }
  return options;
}

function toNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: expected a positive number, got "${value}"`);
  return n;
}

/** An area that returns its result object instead of an exit code: print it, judge its pass flag. */
function reportObject(result: unknown, mod: Record<string, unknown>, json: boolean): number {
  const formatter = Object.entries(mod).find(([name, f]) => /^format/.test(name) && typeof f === 'function')?.[1] as ((r: unknown) => string) | undefined;
  process.stdout.write(json || !formatter ? `${JSON.stringify(result, null, 2)}\n` : `${formatter(result)}\n`);
  const r = result as { passed?: boolean; pass?: boolean };
  return (r.passed ?? r.pass) === false ? 1 : 0;
}
