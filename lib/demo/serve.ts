// Entry for one demo service process (started by `deucalion up` from the demo's stack, or inside a
// network namespace by the network benchmark):
//   node lib/demo/serve.ts --name reviews-v2 --port 9080 [--host 0.0.0.0] [--peer ratings=http://127.0.0.1:9081 ...]
import { parseArgs } from 'node:util';
import { startService } from './service.ts';
import { findService } from './topology.ts';

const { values } = parseArgs({
  options: { name: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, peer: { type: 'string', multiple: true } },
});
if (!values.name || !values.port) {
  process.stderr.write('usage: node lib/demo/serve.ts --name NAME --port P [--host H] [--peer name=url ...]\n');
  process.exit(2);
}
const peers: Record<string, string> = {};
for (const p of values.peer ?? []) {
  const eq = p.indexOf('=');
  if (eq > 0) peers[p.slice(0, eq)] = p.slice(eq + 1);
}
const running = await startService({ service: findService(values.name), peers, port: Number(values.port), host: values.host });
const stop = () => void running.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
