#!/usr/bin/env node
// deucalion: one binary for every component. Commands live in cli/commands/<name>.ts and are imported
// lazily, so the dispatcher sidecar does not pay for the code of the others.
import { enableCompileCache } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, type Command } from './command.ts';

// node:fs through getBuiltinModule, not `import`: see args.ts (its namespace's `promises` getter loads
// fs/promises, readline and file streams into every process, the sidecar included).
const { readdirSync } = process.getBuiltinModule('node:fs');

// V8's code cache for every module imported after this line (the commands are imported lazily): a
// function started on demand answers its first event ~100 ms sooner once the cache is warm (measured by
// bench/trigger.ts). Where the cache directory is not writable this quietly does nothing.
enableCompileCache();

const here = dirname(fileURLToPath(import.meta.url));
const commandsDir = join(here, 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<Command | undefined> {
  if (!/^[a-z][a-z-]*$/.test(name) || !commandNames().includes(name)) return undefined;
  return ((await import(join(commandsDir, `${name}.ts`))) as { command: Command }).command;
}

async function printHelp(): Promise<void> {
  const lines = ['deucalion: edge anomaly detection for AIOps on Kubernetes', '', 'Usage: deucalion <command> [options]', '', 'Commands:'];
  for (const name of commandNames()) {
    const command = await loadCommand(name);
    if (command) lines.push(`  ${name.padEnd(12)} ${command.summary}`);
  }
  lines.push('', 'Run `deucalion <command> --help` for the options of a command.');
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await printHelp();
    return name ? 0 : 2;
  }
  const command = await loadCommand(name);
  if (!command) {
    process.stderr.write(`deucalion: unknown command "${name}"; run \`deucalion --help\`\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`deucalion ${name}: ${err.message}\n\n${command.usage.trim()}\n`);
      return 2;
    }
    process.stderr.write(`deucalion ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`deucalion: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
