// Score one detector's anomaly scores over a corpus for every profile: threshold either given (e.g. NAB's
// published config/thresholds.json) or optimised over the whole corpus, then normalised.
import type { Corpus } from './corpus.ts';
import type { CostMatrix } from './profiles.ts';
import { labelFile, type FileLabels } from './label-points.ts';
import { prepareSweep, sweepBest, type SweepInput } from './sweep.ts';
import { normaliseScore, scoreFile, type FileScore } from './score-file.ts';

export interface ProfileScore {
  /** Normalised NAB score (null detector 0, perfect 100). */
  score: number;
  raw: number;
  threshold: number;
  thresholdSource: 'optimised' | 'given';
  nullRaw: number;
  perfectRaw: number;
  perFile: FileScore[];
}

export interface LabeledCorpus {
  corpus: Corpus;
  labels: FileLabels[];
  /** Label windows over the corpus (NAB's perfect score is this × tpWeight). */
  labelledWindows: number;
  /** Windows with scored rows (NAB's null score is −fnWeight × this). */
  scoredWindows: number;
}

export function labelCorpus(corpus: Corpus): LabeledCorpus {
  const labels = corpus.files.map((f) => labelFile(f));
  return {
    corpus,
    labels,
    labelledWindows: labels.reduce((n, l) => n + l.labelledWindows, 0),
    scoredWindows: labels.reduce((n, l) => n + l.scoredWindows, 0),
  };
}

/** Replace NaN ("no opinion") by 0 so sorting and comparisons stay total. */
export function sanitiseScores(scores: Float64Array): Float64Array {
  for (let i = 0; i < scores.length; i++) if (Number.isNaN(scores[i])) scores[i] = 0;
  return scores;
}

export interface ScoreOptions {
  profiles: Record<string, CostMatrix>;
  /** profile → threshold; a profile absent here is optimised. */
  thresholds?: Record<string, number>;
}

/** scores[f] holds the anomaly scores of labeled.corpus.files[f], row-aligned. */
export function scoreDetector(labeled: LabeledCorpus, scores: Float64Array[], options: ScoreOptions): Record<string, ProfileScore> {
  for (const s of scores) sanitiseScores(s);
  let sweep: SweepInput | undefined;
  const out: Record<string, ProfileScore> = {};
  for (const [profile, cost] of Object.entries(options.profiles)) {
    const given = options.thresholds?.[profile];
    let threshold: number;
    if (given !== undefined) threshold = given;
    else {
      sweep ??= prepareSweep(labeled.labels, scores);
      threshold = sweepBest(sweep, cost).threshold;
    }
    const perFile = labeled.labels.map((l, f) => scoreFile(l, scores[f], cost, threshold));
    const raw = perFile.reduce((sum, f) => sum + f.raw, 0);
    const nullRaw = -cost.fnWeight * labeled.scoredWindows;
    const perfectRaw = cost.tpWeight * labeled.labelledWindows;
    out[profile] = {
      score: normaliseScore(raw, nullRaw, perfectRaw),
      raw,
      threshold,
      thresholdSource: given !== undefined ? 'given' : 'optimised',
      nullRaw,
      perfectRaw,
      perFile,
    };
  }
  return out;
}
