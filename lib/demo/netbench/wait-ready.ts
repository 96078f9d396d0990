// Run inside a network namespace by the network benchmark: exit 0 once every URL answers 2xx; for a
// Prometheus `/api/v1/targets` URL, once every target has been scraped successfully.
//   node wait-ready.ts TIMEOUT_MS URL...
import { waitUntilReady } from './ready.ts';

const [timeout, ...urls] = process.argv.slice(2);
try {
  await Promise.all(urls.map((u) => waitUntilReady(u, Number(timeout))));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
