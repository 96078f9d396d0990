// Thin wrapper over node:util parseArgs that turns its errors into UsageError (exit code 2).
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './command.ts';

// Not `import { parseArgs } from 'node:util'`: an ESM import of a builtin evaluates every lazy getter of
// its namespace, and node:util's load worker_threads, streams and the diff code. The dispatcher sidecar
// starts through here (docs/dispatcher.md, "Memory").
const { parseArgs } = process.getBuiltinModule('node:util');

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid port "${raw}"`);
  return port;
}

/** Resolve on SIGTERM/SIGINT, so a service can drain and exit 0 (Kubernetes sends SIGTERM). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve(signal);
    };
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
}
