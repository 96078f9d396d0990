// The benchmark fixtures and test payloads must be valid expositions by Prometheus' own reading:
// `promtool check metrics` exits 1 on a parse error (3 only for lint findings, which real exporters have).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePayloads } from '../../bench/fixtures/index.ts';
import { requireBinary } from '../support/binaries.ts';

const promtool = requireBinary('promtool');
const TESTDATA = join(import.meta.dirname, 'testdata');

describe.skipIf(!promtool)('promtool check metrics', () => {
  const inputs = [
    ...generatePayloads().map((p) => [p.name, p.text] as const),
    ...readdirSync(TESTDATA).filter((f) => f.endsWith('.prom')).map((f) => [f, readFileSync(join(TESTDATA, f), 'utf8')] as const),
  ];
  it.each(inputs)('%s parses', (_name, text) => {
    const run = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(run.stderr + run.stdout).not.toMatch(/parsing error|error while linting/);
    expect([0, 3]).toContain(run.status);
  });

  it('rejects what we reject', () => {
    const run = spawnSync(promtool!, ['check', 'metrics'], { input: 'a{b=c} 1\n', encoding: 'utf8' });
    expect(run.status).toBe(1);
  });
});
