// Entry of the dispatcher stand-in (see ./sidecar.ts): node lib/up/standins/sidecar-main.ts --config F
import { parseArgs } from 'node:util';
import { startStandInSidecar } from './sidecar.ts';

const { values } = parseArgs({ options: { config: { type: 'string' } } });
const config = values.config ?? process.env.DEUCALION_CONFIG;
if (!config) {
  process.stderr.write('usage: sidecar-main.ts --config F\n');
  process.exit(2);
}
const sidecar = startStandInSidecar(config, process.env, (line) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), component: 'dispatcher-stand-in', msg: line })}\n`));
const stop = () => {
  sidecar.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
