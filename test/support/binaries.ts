// Integration tests need real binaries (Prometheus, Alertmanager, helm, chromium). Under CI=true a missing
// binary fails the test; on a developer machine the test is skipped loudly with the install command.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface BinarySpec {
  /** Candidate executable names or absolute paths, first found wins. */
  names: string[];
  install: string;
}

export const BINARIES = {
  prometheus: { names: ['prometheus'], install: 'apt-get install prometheus' },
  promtool: { names: ['promtool'], install: 'apt-get install prometheus' },
  alertmanager: { names: ['prometheus-alertmanager', 'alertmanager'], install: 'apt-get install prometheus-alertmanager' },
  chromium: { names: ['chromium', 'chromium-browser', 'google-chrome'], install: 'apt-get install chromium' },
} satisfies Record<string, BinarySpec>;

export function findBinary(names: string[]): string | undefined {
  for (const name of names) {
    if (name.includes('/')) {
      if (isExecutable(name)) return name;
      continue;
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolve a binary for a test file. Returns the path, or undefined after printing a loud skip notice.
 * Under CI=true a missing binary throws, so CI can never silently skip an integration test.
 * Use: `const prom = requireBinary('prometheus'); describe.skipIf(!prom)('...', ...)`.
 */
export function requireBinary(key: keyof typeof BINARIES | BinarySpec, label?: string): string | undefined {
  const spec: BinarySpec = typeof key === 'string' ? BINARIES[key] : key;
  const found = findBinary(spec.names);
  if (found) return found;
  const what = label ?? spec.names[0];
  const message = `${what} not found on PATH; install it with: ${spec.install}`;
  if (process.env.CI === 'true') throw new Error(`CI=true requires ${message}`);
  process.stderr.write(`\n*** SKIPPING integration tests: ${message} ***\n\n`);
  return undefined;
}
