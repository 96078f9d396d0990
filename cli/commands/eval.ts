// deucalion eval: score detectors on a NAB-layout corpus (Numenta Anomaly Benchmark method).
import { writeFileSync } from 'node:fs';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type Command } from '../command.ts';
import { BUILTIN_DETECTORS } from '../../lib/detectors/index.ts';
import { evaluate } from '../../lib/nab/evaluate.ts';
import { PROFILE_NAMES } from '../../lib/nab/profiles.ts';
import { renderReport } from '../../lib/nab/report.ts';
import { writeResultScores } from '../../lib/nab/results.ts';
import { formatTable, summariseJson } from '../../lib/nab/summary.ts';

const usage = `
Usage: deucalion eval --corpus DIR [options]

Score anomaly detectors on a corpus in the NAB layout (data/<category>/<file>.csv, labels/combined_windows.json)
with the Numenta Anomaly Benchmark method. Detectors run causally: online, one sample at a time.

Options:
  --corpus DIR          NAB corpus directory (required)
  --detectors a,b       detectors to score (default: every built-in: ${[...BUILTIN_DETECTORS.keys()].join(', ')})
  --profile NAME        standard | reward_low_FP_rate | reward_low_FN_rate | all (default: all)
  --params JSON         detector parameters: {"<detector>": {...}}, or {...} applied to the one detector named
  --grid JSON           parameter grid, e.g. {"zscore": {"window": [60, 500], "threshold": [3, 4]}}: every
                        combination is scored as its own row (without --detectors: the grid's detectors)
  --scores DIR          score precomputed NAB result files (<detector>/<category>/<detector>_<file>.csv)
                        instead of running detectors; DIR is one detector's directory or a results root
  --thresholds FILE     NAB thresholds.json; detectors it names use its thresholds instead of the optimiser
  --write-scores DIR    write each detector's scores in NAB's results layout
  --report FILE.html    write a self-contained HTML report (plots of every series)
  --only TEXT           keep only corpus files whose path contains TEXT
  --jobs N              worker threads (default: CPU cores)
  --json                print JSON instead of a table
`;

export const command: Command = {
  name: 'eval',
  summary: 'Score detectors on a NAB corpus (NAB scoring, causal runs)',
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(
      argv,
      {
        corpus: { type: 'string' },
        detectors: { type: 'string' },
        profile: { type: 'string', default: 'all' },
        params: { type: 'string' },
        grid: { type: 'string' },
        scores: { type: 'string' },
        thresholds: { type: 'string' },
        'write-scores': { type: 'string' },
        report: { type: 'string' },
        only: { type: 'string' },
        jobs: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      false,
    );
    if (!values.corpus) throw new UsageError('--corpus DIR is required');
    const profile = values.profile!;
    if (profile !== 'all' && !(PROFILE_NAMES as readonly string[]).includes(profile)) {
      throw new UsageError(`--profile must be one of ${PROFILE_NAMES.join(', ')}, all; got "${profile}"`);
    }
    const detectors = values.detectors?.split(',').map((d) => d.trim()).filter(Boolean);
    const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a positive integer; got "${values.jobs}"`);

    const progress = createProgress(values.scores ? 'reading scores' : 'running detectors');
    const evaluation = await evaluate({
      corpusDir: values.corpus,
      detectors,
      params: parseParams(values.params, detectors),
      grid: values.grid === undefined ? undefined : (parseJsonObject(values.grid, '--grid') as Record<string, Record<string, unknown>>),
      scoresDir: values.scores,
      profiles: profile === 'all' ? undefined : [profile],
      thresholdsFile: values.thresholds,
      only: values.only,
      jobs,
      onProgress: progress,
    });
    progress.end();

    if (values['write-scores']) {
      for (const d of evaluation.detectors) writeResultScores(values['write-scores'], d.name, evaluation.labeled.corpus, d.scores);
      process.stderr.write(`eval: wrote scores of ${evaluation.detectors.length} detector(s) to ${values['write-scores']}\n`);
    }
    if (values.report) {
      writeFileSync(values.report, renderReport(evaluation));
      process.stderr.write(`eval: wrote report ${values.report}\n`);
    }
    process.stdout.write(values.json ? `${JSON.stringify(summariseJson(evaluation), null, 2)}\n` : `${formatTable(evaluation)}\n`);
    return 0;
  },
};

function parseParams(raw: string | undefined, detectors: string[] | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  const parsed = parseJsonObject(raw, '--params');
  const keys = Object.keys(parsed);
  if (keys.length > 0 && keys.every((k) => BUILTIN_DETECTORS.has(k))) return parsed as Record<string, unknown>;
  // Bare parameters: they belong to the single detector named with --detectors.
  if (detectors?.length !== 1) throw new UsageError('--params {...} without detector names needs exactly one --detectors entry');
  return { [detectors[0]]: parsed };
}

function parseJsonObject(raw: string, option: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`${option} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${option} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** Progress on stderr: a rewritten line on a terminal, a line per 10% otherwise. */
function createProgress(what: string): ((done: number, total: number) => void) & { end(): void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastDecile = -1;
  let printed = false;
  const report = (done: number, total: number) => {
    const decile = Math.floor((done / total) * 10);
    if (tty) process.stderr.write(`\reval: ${what} ${done}/${total}`);
    else if (decile !== lastDecile) process.stderr.write(`eval: ${what} ${done}/${total}\n`);
    lastDecile = decile;
    printed = true;
  };
  return Object.assign(report, {
    end() {
      if (printed) process.stderr.write(`${tty ? '\n' : ''}eval: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  });
}
