import { parseDuration } from '../../lib/duration.ts';
import { runDemo } from '../../lib/demo/run.ts';
import { parseCommandArgs, untilSignal } from '../args.ts';
import { UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'demo',
  summary: 'run Bookinfo with injected incidents under Deucalion and report what was caught',
  usage: `
Usage: deucalion demo [--duration 2m] [--rps 20] [--scrape-interval 1s] [--trigger-schedule "@every 5s"]
                      [--built-in-prometheus] [--no-alertmanager] [--plain] [--json]

Starts a Bookinfo-like app (productpage, details, reviews v1-v3, ratings) under load, monitors half of
it in sidecar mode (a dispatcher per pod) and half in two federations (a Prometheus and a cron-driven
scrape-trigger each), injects a latency spike, an error burst, a memory leak and a traffic drop, and
ends with which were detected, by which detector and mode, how fast, and the network bytes.
Time is compressed (1 s scrapes) so the incidents are detectable within the run. Uses the real
prometheus / alertmanager when on PATH; otherwise the built-in stand-ins (and says so).

Options:
  --duration D            how long to run (default 2m, at least 30s)
  --rps N                 requests per second to productpage (default 20)
  --scrape-interval D     scrape interval in every mode (default 1s)
  --trigger-schedule S    federations' scrape-trigger cron schedule (default "@every 5s")
  --built-in-prometheus   use the built-in Prometheus stand-in even if prometheus is installed
  --no-alertmanager       use the embedded alert sink even if Alertmanager is installed
  --plain                 plain log lines even on a terminal
  --json                  print the result as JSON at the end (after the summary)
`,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      {
        duration: { type: 'string' },
        rps: { type: 'string' },
        'scrape-interval': { type: 'string' },
        'trigger-schedule': { type: 'string' },
        'built-in-prometheus': { type: 'boolean' },
        'no-alertmanager': { type: 'boolean' },
        plain: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      false,
    );
    const duration = (raw: string | undefined, fallback: number) => {
      if (raw === undefined) return fallback;
      try {
        return parseDuration(raw);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    };
    const rps = values.rps === undefined ? 20 : Number(values.rps);
    if (!(rps > 0 && rps <= 1000)) throw new UsageError(`--rps must be a number in (0, 1000], got "${values.rps}"`);
    const scrapeIntervalMs = duration(values['scrape-interval'], 1000);
    if (scrapeIntervalMs < 1000) throw new UsageError('--scrape-interval must be at least 1s');
    const durationMs = duration(values.duration, 120_000);
    if (durationMs < 30_000) throw new UsageError('--duration must be at least 30s: detectors need a warm-up before the first incident');
    const result = await runDemo({
      durationMs,
      rps,
      scrapeIntervalMs,
      triggerSchedule: values['trigger-schedule'] ?? '@every 5s',
      prometheus: values['built-in-prometheus'] ? 'built-in' : 'auto',
      alertmanager: values['no-alertmanager'] ? 'embedded' : 'auto',
      out: process.stdout,
      tty: !values.plain && !values.json && process.stdout.isTTY === true,
      interrupted: untilSignal().then(() => {
        // a second Ctrl-C while stopping must not kill the demo before its children are gone
        const ignore = () => process.stdout.write('still stopping…\n');
        process.on('SIGINT', ignore).on('SIGTERM', ignore);
      }),
    });
    process.stdout.write(`\n${result.summary}\n`);
    if (values.json) {
      const { summary: _s, ...rest } = result;
      process.stdout.write(`${JSON.stringify(rest)}\n`);
    }
    return result.detected > 0 ? 0 : 1;
  },
};
