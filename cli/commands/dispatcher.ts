import { parseDuration } from '../../lib/duration.ts';
import { parseCommandArgs, untilSignal } from '../args.ts';
import { UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'dispatcher',
  summary: 'run the sidecar dispatcher: scrape the pod, detect online, send only anomalies',
  usage: `
Usage: deucalion dispatcher [--config F] [--grace D]
       deucalion dispatcher --check [--config F]

Scrape the pod's own metrics endpoint, run the configured detectors on every series, and send only
anomalies as io.deucalion.anomaly.v1 CloudEvents to the sink. Serves /metrics, /healthz and /readyz
(port 9464 unless \`listen:\` or DEUCALION_HTTP_PORT say otherwise). The config file is reloaded when
it changes (including Kubernetes ConfigMap updates). See docs/dispatcher.md.

Options:
  --config F   config YAML (default: $DEUCALION_CONFIG, else /etc/deucalion/config.yaml)
  --grace D    on SIGTERM, keep delivering buffered anomaly events this long (default 10s)
  --check      validate the config (file and environment, as the dispatcher would read them), print
               what it resolves to and exit: 0 valid, 1 invalid. Also fills NODE_COMPILE_CACHE with
               the dispatcher's modules, which is how the image warms its cache at build time.
Environment:
  POD_NAME, POD_NAMESPACE     pod identity (downward API), in the event source
  K_SINK                      default sink URL (Knative SinkBinding)
  DEUCALION_SCRAPE_PORT/PATH  default target http://127.0.0.1:PORT/PATH (prometheus.io annotations)
  DEUCALION_HTTP_PORT         port of /metrics /healthz /readyz
  LOG_LEVEL                   debug (one line per scrape) | info | warn | error
  DEUCALION_TURBOFAN=1        keep V8's optimizing compiler on (off by default: cheaper at 1 Hz)
`,
  async run(argv) {
    const { values } = parseCommandArgs(argv, { config: { type: 'string' }, grace: { type: 'string' }, check: { type: 'boolean' } }, false);
    let graceMs = 10_000;
    if (values.grace !== undefined) {
      try {
        graceMs = parseDuration(values.grace);
      } catch (err) {
        throw new UsageError(`--grace: ${(err as Error).message}`);
      }
    }
    // The dispatcher wakes once per interval for a millisecond or two. TurboFan's background
    // compilations cost more CPU than its faster code saves at that duty cycle (bench/sidecar.ts:
    // 3.50 → 2.83 ms/s, 500 series at 1 s); Maglev, the mid-tier JIT, stays on. DEUCALION_TURBOFAN=1
    // keeps TurboFan (e.g. for thousands of series at short intervals with heavy detectors).
    if (process.env.DEUCALION_TURBOFAN !== '1') process.getBuiltinModule('node:v8').setFlagsFromString('--no-opt');
    // Imported here, not at the top: `deucalion --help` imports every command module.
    const { startDispatcher, checkConfig, DEFAULT_CONFIG_PATH } = await import('../../lib/dispatcher/index.ts');
    const configPath = values.config ?? (process.env.DEUCALION_CONFIG?.trim() || DEFAULT_CONFIG_PATH);
    if (values.check) {
      const checked = await checkConfig(configPath, process.env);
      if (!checked.ok) {
        process.stderr.write(`${checked.message}\n`);
        return 1;
      }
      process.stdout.write(`${checked.message}\n`);
      return 0;
    }
    const running = await startDispatcher({ configPath, env: process.env });
    await untilSignal();
    await running.stop(graceMs);
    return 0;
  },
};
