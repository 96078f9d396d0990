import { startUp } from '../../lib/up/index.ts';
import { parseDuration } from '../../lib/duration.ts';
import { parseCommandArgs, parsePort, untilSignal } from '../args.ts';
import { UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'up',
  summary: 'run the whole system locally from a stack.yml',
  usage: `
Usage: deucalion up [-f stack.yml] [--port P] [--built-in-prometheus] [--no-alertmanager]
                    [--duration D] [--work-dir DIR] [--plain]

Runs the stack on this machine: each function as a local \`deucalion function\` process behind a
gateway at /function/<name> (started on first call, stopped after its idle time: scale to zero),
cron schedules from the annotations topic: cron-function + schedule (5 fields or @every 10s, UTC),
one Prometheus per federation (the built-in stand-in when prometheus is not on PATH), an
Alertmanager when alertmanager/prometheus-alertmanager is on PATH (else the embedded sink), and a
dispatcher per sidecar-mode service. The optional top-level \`deucalion:\` section of the stack
(ignored by faas-cli) lists local services and overrides: see docs/demo.md.

Options:
  -f, --file F              stack file (default: stack.yml)
  --port P                  gateway port (default: deucalion.gateway.port or 8080; 0 = any)
  --built-in-prometheus     use the built-in Prometheus stand-in even if prometheus is installed
  --no-alertmanager         use the alert-forwarder's embedded sink even if Alertmanager is installed
  --duration D              stop after D (e.g. 2m); default: until Ctrl-C / SIGTERM
  --work-dir DIR            keep logs, configs and data here (default: a temp dir, removed at exit)
  --plain                   plain log lines even on a terminal
`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        file: { type: 'string', short: 'f' },
        port: { type: 'string' },
        'built-in-prometheus': { type: 'boolean' },
        'no-alertmanager': { type: 'boolean' },
        duration: { type: 'string' },
        'work-dir': { type: 'string' },
        plain: { type: 'boolean' },
      },
      false,
    );
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    let durationMs: number | undefined;
    if (values.duration !== undefined) {
      try {
        durationMs = parseDuration(values.duration);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const running = await startUp({
      file: values.file ?? 'stack.yml',
      gatewayPort: values.port === undefined ? undefined : parsePort(values.port, 8080),
      prometheus: values['built-in-prometheus'] ? 'built-in' : 'auto',
      alertmanager: values['no-alertmanager'] ? 'embedded' : 'auto',
      workDir: values['work-dir'],
      tty: !values.plain && process.stdout.isTTY === true,
    });
    const signal = durationMs === undefined ? untilSignal() : Promise.race([untilSignal(), new Promise((r) => setTimeout(r, durationMs).unref())]);
    await signal;
    // a second Ctrl-C while stopping must not kill `up` before its children are gone
    const ignore = () => process.stdout.write('still stopping…\n');
    process.on('SIGINT', ignore).on('SIGTERM', ignore);
    process.stdout.write('\nstopping…\n');
    const summary = await running.stop();
    process.stdout.write(`${summary}\n`);
    return 0;
  },
};
