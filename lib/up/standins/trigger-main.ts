// Entry of the scrape-trigger stand-in (see ./trigger.ts): node lib/up/standins/trigger-main.ts --port P --config F
import { parseArgs } from 'node:util';
import { createLogger } from '../../log.ts';
import { serveFunction } from '../../runtime/server.ts';
import { createStandInTrigger } from './trigger.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, config: { type: 'string' } } });
const config = values.config ?? process.env.DEUCALION_CONFIG;
if (!config) {
  process.stderr.write('usage: trigger-main.ts --port P --config F\n');
  process.exit(2);
}
const log = createLogger('scrape-trigger-stand-in');
const running = await serveFunction(createStandInTrigger(config, process.env), { port: Number(values.port ?? process.env.PORT ?? 8080), log });
const stop = () => void running.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
