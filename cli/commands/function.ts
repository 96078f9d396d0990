import { loadFunction, listFunctionNames } from '../../functions/index.ts';
import { createLogger } from '../../lib/log.ts';
import { serveFunction } from '../../lib/runtime/server.ts';
import { parseCommandArgs, parsePort, untilSignal } from '../args.ts';
import { UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'function',
  summary: 'serve one function over HTTP CloudEvents',
  usage: `
Usage: deucalion function NAME [--port P] [--config F]

Serve one function as a CloudEvents HTTP endpoint (binary or structured mode in, binary out, 204 when
there is nothing to report). Health: /health/readiness, /health/liveness (Knative), /_/ready,
/_/health (OpenFaaS); metrics: /metrics.

NAME is scrape-trigger, alert-forwarder, detector-<name> for a built-in detector, or the path of a
detector module (its default export is served as detector-<its name>).
Built-in: ${listFunctionNames().join(', ')}

Options:
  --port P     listen port (default: $PORT or 8080)
  --config F   function config file (default: $DEUCALION_CONFIG)
Environment:
  DEUCALION_DETECTOR_PARAMS  JSON object of default detector parameters
  ALERTMANAGER_URL           alert-forwarder: Alertmanager URL(s), comma-separated; ALERT_* in docs/alerts.md
  LOG_LEVEL                  debug | info | warn | error
`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { port: { type: 'string' }, config: { type: 'string' } });
    const name = positionals[0];
    if (!name) throw new UsageError('missing function NAME');
    const port = parsePort(values.port ?? process.env.PORT, 8080);
    const log = createLogger(name.startsWith('detector-') || !name.includes('/') ? name : 'detector');
    const fn = await loadFunction(name, { config: values.config ?? process.env.DEUCALION_CONFIG, env: process.env, log });
    const running = await serveFunction(fn, { port, log });
    const signal = await untilSignal();
    log.info('shutting down', { signal });
    await running.close();
    return 0;
  },
};
