// of-watchdog runs fprocess without a shell, so the function to serve comes from the environment:
// DEUCALION_FUNCTION (detector-<name>, scrape-trigger, alert-forwarder, or a detector module path),
// else the handler folder's index.ts served as a detector module.
import { existsSync } from 'node:fs';

const name = process.env.DEUCALION_FUNCTION || (existsSync('./index.ts') ? './index.ts' : '');
if (!name) {
  process.stderr.write('deucalion-ts: set DEUCALION_FUNCTION (detector-<name>, scrape-trigger or alert-forwarder)\n');
  process.exit(2);
}
process.argv.splice(2, 0, 'function', name);
await import('./bin/deucalion.js');
