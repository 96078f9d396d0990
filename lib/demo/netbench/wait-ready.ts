// Run inside a network namespace by the network benchmark: exit 0 once every URL answers 2xx.
//   node wait-ready.ts TIMEOUT_MS URL...
import { waitForReady } from '../../up/ports.ts';

const [timeout, ...urls] = process.argv.slice(2);
try {
  await Promise.all(urls.map((u) => waitForReady(u, { timeoutMs: Number(timeout), intervalMs: 50 })));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
