// Golden files: every testdata/*.prom and *.om is parsed and compared with <file>.golden.json.
// UPDATE_GOLDEN=1 npx vitest run test/expo/golden.test.ts rewrites them; never edit goldens by hand.
// A golden without its input fails, so stale files cannot linger.
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../lib/expo/parse-exposition.ts';
import type { ParseError } from '../../lib/expo/parse-error.ts';

const DIR = join(import.meta.dirname, 'testdata');
const inputs = readdirSync(DIR).filter((f) => f.endsWith('.prom') || f.endsWith('.om'));

function render(file: string): string {
  const errors: ParseError[] = [];
  const samples = parseExposition(readFileSync(join(DIR, file), 'utf8'), file.endsWith('.om') ? 'openmetrics' : 'prometheus', errors);
  // JSON has no NaN/Inf: write non-finite values as strings.
  const rows = samples.map((s) => ({ ...s, value: Number.isFinite(s.value) ? s.value : String(s.value) }));
  return `${JSON.stringify({ samples: rows, errors: errors.map((e) => e.message) }, null, 1)}\n`;
}

describe('golden expositions', () => {
  it.each(inputs)('%s', (file) => {
    const golden = join(DIR, `${file}.golden.json`);
    const got = render(file);
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(`${golden}.tmp`, got);
      renameSync(`${golden}.tmp`, golden);
      return;
    }
    expect(existsSync(golden), `missing ${golden}; run UPDATE_GOLDEN=1`).toBe(true);
    expect(got).toBe(readFileSync(golden, 'utf8'));
  });

  it('has no orphan goldens', () => {
    const orphans = readdirSync(DIR).filter((f) => f.endsWith('.golden.json') && !inputs.includes(f.replace(/\.golden\.json$/, '')));
    expect(orphans).toEqual([]);
  });
});
