// NAB (Numenta Anomaly Benchmark) scoring, written from the method: see docs/eval.md.
export { loadCorpus, listDataFiles, type Corpus, type NabFile } from './corpus.ts';
export { loadProfiles, loadThresholds, NAB_PROFILES, PROFILE_NAMES, type CostMatrix, type ProfileName, type Thresholds } from './profiles.ts';
export { labelFile, scaledSigmoid, probationaryLength, MAX_TP, type FileLabels } from './label-points.ts';
export { prepareSweep, sweepBest, NO_DETECTION_THRESHOLD, type SweepInput, type SweepResult } from './sweep.ts';
export { scoreFile, normaliseScore, type FileScore } from './score-file.ts';
export { labelCorpus, scoreDetector, sanitiseScores, type LabeledCorpus, type ProfileScore, type ScoreOptions } from './score-corpus.ts';
export { listResultDetectors, loadResultScores, writeResultScores, resultPath } from './results.ts';
export { parseNabTimestamp, formatNabTimestamp } from './timestamp.ts';
