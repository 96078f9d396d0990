// Command lines of the real components that `deucalion up`, the demo and the network benchmark start
// as processes: all go through the CLI, as the images do.
import { fileURLToPath } from 'node:url';
import { DISPATCHER_NODE_FLAGS } from '../dispatcher/node-flags.ts';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

/** argv of a sidecar dispatcher with config `config`, with the node flags of its image. */
export function dispatcherArgv(config: string): string[] {
  return [process.execPath, ...DISPATCHER_NODE_FLAGS, CLI, 'dispatcher', '--config', config];
}

/** argv of a function (`scrape-trigger`, `alert-forwarder`, `detector-<name>`) on `port`. */
export function functionArgv(name: string, port: number, config?: string): string[] {
  return [process.execPath, CLI, 'function', name, '--port', String(port), ...(config ? ['--config', config] : [])];
}
