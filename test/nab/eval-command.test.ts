// `deucalion eval` end to end, as a child process, on a synthetic corpus (NAB itself: nab-corpus.test.ts).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './nab-dir.ts';
import { writeSyntheticCorpus } from './synthetic-corpus.ts';

const run = promisify(execFile);
const node = join(repoRoot, 'node_modules/.bin/node');
const main = join(repoRoot, 'cli/main.ts');

async function deucalion(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(node, [main, ...args], { cwd: repoRoot, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('deucalion eval', () => {
  let corpus: string;
  beforeAll(() => {
    corpus = writeSyntheticCorpus();
  });

  it('prints JSON with every profile, thresholds, cost per sample and per-file results', async () => {
    const r = await deucalion('eval', '--corpus', corpus, '--detectors', 'zscore,ewma', '--json', '--jobs', '2');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.detectors)).toEqual(['zscore', 'ewma']);
    for (const d of Object.values(out.detectors) as Array<Record<string, any>>) {
      for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
        expect(typeof d[p]).toBe('number');
        expect(d.thresholds[p].source).toBe('optimised');
        expect(typeof d.deployed[p]).toBe('number'); // at the detector's own alert threshold, score >= 1
      }
      expect(d.costPerSampleNs).toBeGreaterThan(0);
      expect(Object.keys(d.perFile)).toEqual(['synthA/quiet.csv', 'synthA/spiky.csv', 'synthB/late.csv']);
    }
    // Spikes this large are found by a rolling z-score: every window detected.
    expect(out.detectors.zscore.perFile['synthA/spiky.csv'].standard.windowsDetected).toBe(2);
    expect(r.stderr).toContain('eval: done');
  });

  it('prints a table, one profile when asked', async () => {
    const r = await deucalion('eval', '--corpus', corpus, '--detectors', 'zscore', '--profile', 'reward_low_FN_rate', '--jobs', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/detector\s+low FN\s+threshold/);
    expect(r.stdout).toMatch(/zscore/);
  });

  it('writes causal scores in NAB layout that --scores reads back to the same result', async () => {
    const out = mkdtempSync(join(tmpdir(), 'deucalion-scores-'));
    const a = await deucalion('eval', '--corpus', corpus, '--detectors', 'ewma', '--write-scores', out, '--json');
    expect(a.code).toBe(0);
    expect(existsSync(join(out, 'ewma', 'synthB', 'ewma_late.csv'))).toBe(true);
    expect(readFileSync(join(out, 'ewma', 'synthB', 'ewma_late.csv'), 'utf8').split('\n')[0]).toBe('timestamp,value,anomaly_score,label');
    const b = await deucalion('eval', '--corpus', corpus, '--scores', join(out, 'ewma'), '--json');
    expect(b.code).toBe(0);
    const [ja, jb] = [JSON.parse(a.stdout).detectors.ewma, JSON.parse(b.stdout).detectors.ewma];
    for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) expect(jb[p]).toBeCloseTo(ja[p], 3);
  });

  it('scores every combination of a --grid as its own row', async () => {
    const r = await deucalion('eval', '--corpus', corpus, '--grid', '{"zscore": {"window": [30, 120], "threshold": 3}}', '--json', '--jobs', '1');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out.detectors)).toEqual(['zscore[window=30,threshold=3]', 'zscore[window=120,threshold=3]']);
    expect(out.detectors['zscore[window=120,threshold=3]'].params).toMatchObject({ window: 120, threshold: 3 });
  });

  it.each([
    [['--corpus', 'CORPUS', '--grid', '{"zscore": {"window": []}}'], /"window" has no values/],
    [['--corpus', 'CORPUS', '--detectors', 'ewma', '--grid', '{"zscore": {"window": [3]}}'], /not being run/],
    [['--detectors', 'zscore'], /--corpus DIR is required/],
    [['--corpus', 'CORPUS', '--detectors', 'nope'], /unknown detector "nope"/],
    [['--corpus', 'CORPUS', '--profile', 'fancy'], /--profile must be one of/],
    [['--corpus', 'CORPUS', '--detectors', 'zscore', '--params', '{"window": -3}'], /params\.zscore\.window/],
    [['--corpus', 'CORPUS', '--params', '{bad'], /--params is not JSON/],
    [['--corpus', '/nonexistent'], /not a NAB corpus/],
  ])('rejects bad input %j with a reason', async (args, message) => {
    const r = await deucalion('eval', ...args.map((a) => (a === 'CORPUS' ? corpus : a)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
