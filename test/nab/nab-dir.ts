// Locate the NAB dataset for tests: $NAB_DIR, else ../shared/datasets/nab beside the repository.
// Under CI=true a missing dataset fails; elsewhere the tests skip loudly.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function findNabDir(): string | undefined {
  const dir = process.env.NAB_DIR ?? resolve(repoRoot, '../shared/datasets/nab');
  if (existsSync(join(dir, 'labels', 'combined_windows.json'))) return dir;
  const message = `NAB dataset not found at ${dir}; set NAB_DIR or place it at ../shared/datasets/nab`;
  if (process.env.CI === 'true') throw new Error(`CI=true requires the ${message}`);
  process.stderr.write(`\n*** SKIPPING NAB tests: ${message} ***\n\n`);
  return undefined;
}
