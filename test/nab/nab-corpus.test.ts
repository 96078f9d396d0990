// End-to-end against NAB's published results: the scorer must reproduce the scoreboard.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelCorpus, loadCorpus, loadProfiles, loadResultScores, loadThresholds, scoreDetector } from '../../lib/nab/index.ts';
import { evaluate } from '../../lib/nab/evaluate.ts';
import { findNabDir } from './nab-dir.ts';

const nabDir = findNabDir();

const PUBLISHED = {
  numenta: { standard: 70.1, reward_low_FP_rate: 63.12, reward_low_FN_rate: 74.32 },
  windowedGaussian: { standard: 39.65, reward_low_FP_rate: 20.87, reward_low_FN_rate: 47.41 },
};

describe.skipIf(!nabDir)('NAB corpus', () => {
  const dir = nabDir!;
  const corpus = loadCorpus(dir);
  const labeled = labelCorpus(corpus);
  const profiles = loadProfiles(dir);
  const thresholds = loadThresholds(join(dir, 'config', 'thresholds.json'));

  it('has 58 files and 116 windows, all scored', () => {
    expect(corpus.files.length).toBe(58);
    expect(labeled.labelledWindows).toBe(116);
    expect(labeled.scoredWindows).toBe(116);
  });

  describe.each(Object.entries(PUBLISHED))('%s', (detector, expected) => {
    const scores = loadResultScores(join(dir, 'results'), detector, corpus);
    const given = scoreDetector(labeled, scores.map((s) => s.slice()), { profiles, thresholds: thresholds[detector] });
    const optimised = scoreDetector(labeled, scores, { profiles });

    it.each(Object.entries(expected))('%s with the published threshold reproduces %d', (profile, score) => {
      expect(given[profile].thresholdSource).toBe('given');
      expect(Math.abs(given[profile].score - score)).toBeLessThanOrEqual(0.05);
    });

    it.each(Object.entries(expected))('%s with our optimised threshold is no lower than %d', (profile, score) => {
      expect(optimised[profile].thresholdSource).toBe('optimised');
      expect(optimised[profile].score).toBeGreaterThanOrEqual(score - 0.005);
      expect(optimised[profile].score).toBeGreaterThanOrEqual(given[profile].score - 1e-9);
    });
  });
});

describe.skipIf(!nabDir)('NAB windowed Gaussian, reimplemented and run causally', () => {
  it('reproduces the published windowedGaussian scores within 0.05', async () => {
    const evaluation = await evaluate({ corpusDir: nabDir!, detectors: ['nab-windowed-gaussian'], jobs: 1 });
    const [wg] = evaluation.detectors;
    for (const [profile, score] of Object.entries(PUBLISHED.windowedGaussian)) {
      expect(Math.abs(wg.profiles[profile].score - score)).toBeLessThanOrEqual(0.05);
    }
  });
});
