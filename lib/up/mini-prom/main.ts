// The built-in Prometheus stand-in as its own process (the network benchmark runs it inside a
// node's namespace when prometheus is not installed):
//   node lib/up/mini-prom/main.ts --port P --job J --interval-ms 1000 --target [POD=]URL ...
import { parseArgs } from 'node:util';
import { startMiniProm } from './server.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, job: { type: 'string' }, 'interval-ms': { type: 'string' }, target: { type: 'string', multiple: true }, host: { type: 'string' } } });
const prom = await startMiniProm({
  job: values.job ?? 'job',
  port: Number(values.port ?? 9090),
  host: values.host ?? '127.0.0.1',
  scrapeIntervalMs: Number(values['interval-ms'] ?? 15_000),
  targets: (values.target ?? []).map((t) => {
    const m = /^([\w-]+)=(https?:.*)$/.exec(t);
    const labels: Record<string, string> = m ? { pod: m[1] } : {};
    return { url: m ? m[2] : t, labels };
  }),
});
process.once('SIGTERM', () => void prom.close().then(() => process.exit(0)));
process.once('SIGINT', () => void prom.close().then(() => process.exit(0)));
