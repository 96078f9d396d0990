// Golden injection tests (Istio-style): testdata/x.yaml → testdata/x.yaml.injected, the pod after
// applying our patch. UPDATE_GOLDEN=1 rewrites the expected files; a golden without input fails.
import { readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyOps, decodePatch, parseCase, runCase } from './harness.ts';
import { validatePod } from './pod-schema.ts';

const DIR = join(import.meta.dirname, 'testdata');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const files = readdirSync(DIR);
const inputs = files.filter((f) => f.endsWith('.yaml')).sort();

describe('golden injection', () => {
  it('has no orphan golden files', () => {
    const orphans = files.filter((f) => f.endsWith('.yaml.injected') && !inputs.includes(f.slice(0, -'.injected'.length)));
    expect(orphans).toEqual([]);
  });

  it.each(inputs)('%s', async (file) => {
    const c = parseCase(readFileSync(join(DIR, file), 'utf8'));
    expect(validatePod(c.pod), 'the input itself must be a valid pod').toEqual([]);
    const first = await runCase(c);
    expect(first.review.response?.allowed).toBe(true);
    const ops = decodePatch(first.review);
    const injected = applyOps(c.pod, ops);
    expect(validatePod(injected)).toEqual([]);

    const outcome = first.outcome.kind === 'injected' ? `injected: ${first.outcome.mode}` : first.outcome.kind === 'skipped' ? `skipped: ${first.outcome.reasons.join(', ')}` : `error: ${first.outcome.message}`;
    const warnings = (first.review.response?.warnings ?? []).map((w) => `# warning: ${w}\n`).join('');
    const text = `# ${outcome}\n${warnings}${stringify(injected, { lineWidth: 0 })}`;
    const golden = join(DIR, `${file}.injected`);
    if (UPDATE) {
      writeFileSync(`${golden}.tmp`, text);
      renameSync(`${golden}.tmp`, golden);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));

    // Idempotency: the injected pod goes through the webhook again (as on reinvocation): no patch.
    const second = await runCase(c, injected);
    expect(second.review.response?.patch).toBeUndefined();
    expect(second.review.response?.allowed).toBe(true);
  });
});
