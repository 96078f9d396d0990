// One evaluation: load a NAB corpus, get each detector's scores (run causally, or read from NAB result
// files), then score them per profile. Shared by `deucalion eval` and bench/detectors.ts.
import { BUILTIN_DETECTORS, DEFAULT_DETECTOR } from '../detectors/index.ts';
import { evalDetectorNames, findEvalDetector } from './eval-detectors.ts';
import { loadCorpus } from './corpus.ts';
import { loadProfiles, loadThresholds, type CostMatrix, type Thresholds } from './profiles.ts';
import { listResultDetectors, loadResultScores } from './results.ts';
import { toNabScore } from './run-detector.ts';
import { runCorpus, type DetectorRun } from './run-corpus.ts';
import { labelCorpus, scoreDetector, type LabeledCorpus, type ProfileScore } from './score-corpus.ts';

export interface EvalRequest {
  corpusDir: string;
  /** Detectors to run causally; default every built-in detector (the default one included). */
  detectors?: string[];
  /** Raw parameters per detector name (validated by the detector). */
  params?: Record<string, unknown>;
  /** Parameter grid: {"<detector>": {"<param>": [v1, v2], ...}}; every combination runs as its own entry. */
  grid?: Record<string, Record<string, unknown>>;
  /** Score precomputed NAB result files instead of running detectors. */
  scoresDir?: string;
  /** Profile names to score; default every profile of the corpus. */
  profiles?: string[];
  /** NAB thresholds.json: detectors named there use its thresholds instead of the optimiser. */
  thresholdsFile?: string;
  /** Keep only corpus files whose key contains this text (quick experiments). */
  only?: string;
  jobs?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface DetectorEvaluation {
  name: string;
  source: 'causal' | 'scores';
  isDefault: boolean;
  params?: unknown;
  costPerSampleNs?: number;
  profiles: Record<string, ProfileScore>;
  /** Causal runs: the scores at the detector's own alert threshold (score >= 1), i.e. as deployed. */
  deployed?: Record<string, ProfileScore>;
  /** NAB scores in [0, 1] per corpus file. */
  scores: Float64Array[];
}

export interface Evaluation {
  labeled: LabeledCorpus;
  profiles: Record<string, CostMatrix>;
  detectors: DetectorEvaluation[];
}

/** A detector score of 1 ("anomalous") on NAB's [0, 1] scale. */
export const DEPLOYED_THRESHOLD = toNabScore(1);

export async function evaluate(request: EvalRequest): Promise<Evaluation> {
  const only = request.only;
  const corpus = loadCorpus(request.corpusDir, only ? { only: (key) => key.includes(only) } : {});
  if (corpus.files.length === 0) throw new Error(`${request.corpusDir}: no data files${only ? ` match "${only}"` : ''}`);
  const labeled = labelCorpus(corpus);
  const profiles = pickProfiles(loadProfiles(request.corpusDir), request.profiles);
  const thresholds: Thresholds = request.thresholdsFile ? loadThresholds(request.thresholdsFile) : {};
  const detectors: DetectorEvaluation[] = [];
  const score = (name: string, scores: Float64Array[]) => scoreDetector(labeled, scores, { profiles, thresholds: thresholds[name] });

  if (request.scoresDir) {
    const found = listResultDetectors(request.scoresDir, corpus).filter((d) => !request.detectors || request.detectors.includes(d.name));
    if (found.length === 0) throw new Error(`${request.scoresDir}: no result directories${request.detectors ? ` for ${request.detectors.join(',')}` : ''}`);
    for (const [i, d] of found.entries()) {
      const scores = loadResultScores(d.root, d.name, corpus);
      request.onProgress?.(i + 1, found.length);
      detectors.push({ name: d.name, source: 'scores', isDefault: false, profiles: score(d.name, scores), scores });
    }
    return { labeled, profiles, detectors };
  }

  const names = request.detectors ?? (request.grid ? Object.keys(request.grid) : [...BUILTIN_DETECTORS.keys()]);
  const runs = resolveRuns(names, request.params ?? {}, request.grid ?? {});
  const results = await runCorpus(corpus, runs, { jobs: request.jobs, onProgress: request.onProgress });
  for (const [i, run] of runs.entries()) {
    const r = results[i];
    const name = run.label ?? run.name;
    detectors.push({
      name,
      source: 'causal',
      isDefault: name === DEFAULT_DETECTOR,
      params: run.params,
      costPerSampleNs: r.costPerSampleNs,
      profiles: score(name, r.scores),
      deployed: scoreDetector(labeled, r.scores, { profiles, thresholds: Object.fromEntries(Object.keys(profiles).map((p) => [p, DEPLOYED_THRESHOLD])) }),
      scores: r.scores,
    });
  }
  return { labeled, profiles, detectors };
}

function pickProfiles(all: Record<string, CostMatrix>, names?: string[]): Record<string, CostMatrix> {
  if (!names) return all;
  const out: Record<string, CostMatrix> = {};
  for (const name of names) {
    if (!all[name]) throw new Error(`unknown profile "${name}" (known: ${Object.keys(all).join(', ')})`);
    out[name] = all[name];
  }
  return out;
}

/** Validate detector names and parameters up front, so a typo fails before minutes of running. */
export function resolveRuns(names: string[], params: Record<string, unknown>, grid: Record<string, Record<string, unknown>> = {}): DetectorRun[] {
  for (const name of Object.keys(grid)) if (!names.includes(name)) throw new Error(`--grid names detector "${name}" that is not being run`);
  return names.flatMap((name) => {
    const detector = findEvalDetector(name);
    if (!detector) throw new Error(`unknown detector "${name}" (known: ${evalDetectorNames().join(', ')})`);
    const base = (params[name] ?? {}) as Record<string, unknown>;
    if (!grid[name]) return [{ name, params: detector.resolveParams(base, `params.${name}`) }];
    return expandGrid(grid[name]).map((combo) => ({
      name,
      label: `${name}[${Object.entries(combo).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',')}]`,
      params: detector.resolveParams({ ...base, ...combo }, `grid.${name}`),
    }));
  });
}

/** Every combination of a parameter grid; a non-array value is fixed. */
export function expandGrid(grid: Record<string, unknown>): Array<Record<string, unknown>> {
  let combos: Array<Record<string, unknown>> = [{}];
  for (const [key, value] of Object.entries(grid)) {
    const options = Array.isArray(value) ? value : [value];
    if (options.length === 0) throw new Error(`grid: "${key}" has no values`);
    combos = combos.flatMap((c) => options.map((v) => ({ ...c, [key]: v })));
  }
  if (combos.length > 500) throw new Error(`grid: ${combos.length} combinations; keep it under 500`);
  return combos;
}
