#!/usr/bin/env node
// npm bin shim. Deucalion is TypeScript run by Node 24's type stripping; when the `node` on PATH is
// older, re-run under the Node 24 that the `node` devDependency/package provides.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(entry);
} else {
  let node;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    console.error(`deucalion needs Node >= 24 (this is ${process.version}); install it or run \`npm install\` in the project`);
    process.exit(1);
  }
  const result = spawnSync(node, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
