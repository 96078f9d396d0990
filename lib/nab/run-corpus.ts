// Run detectors causally over every series of a corpus, spread over worker threads (one per core by
// default). Each (detector, series) pair is one task; the longest series go first so the pool ends evenly.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { findEvalDetector as findDetector } from './eval-detectors.ts';
import type { Corpus } from './corpus.ts';
import type { RunReply, RunTask } from './eval-worker.ts';
import { runDetectorOnSeries } from './run-detector.ts';

export interface DetectorRun {
  /** Registry name of the detector. */
  name: string;
  /** Display name when one detector runs with several parameter sets (e.g. "zscore[window=200]"). */
  label?: string;
  /** Resolved parameters (detector.resolveParams output). */
  params: unknown;
}

export interface CorpusRun {
  /** NAB scores in [0, 1] per corpus file, row-aligned. */
  scores: Float64Array[];
  /** Mean wall time of one update() call over the corpus, nanoseconds. */
  costPerSampleNs: number;
}

export interface RunOptions {
  /** Worker threads; 1 runs in this thread. Default: available cores, at most 8. */
  jobs?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One CorpusRun per entry of `runs`, in the same order. */
export async function runCorpus(corpus: Corpus, runs: DetectorRun[], options: RunOptions = {}): Promise<CorpusRun[]> {
  const jobs = Math.max(1, options.jobs ?? Math.min(availableParallelism(), 8));
  const tasks: Array<{ run: number; file: number }> = [];
  runs.forEach((_, run) => corpus.files.forEach((_, file) => tasks.push({ run, file })));
  tasks.sort((a, b) => corpus.files[b.file].timestamps.length - corpus.files[a.file].timestamps.length);
  const scores = runs.map(() => new Array<Float64Array>(corpus.files.length));
  const elapsed = runs.map(() => 0);
  let done = 0;
  const finish = (task: { run: number; file: number }, s: Float64Array, ns: number) => {
    scores[task.run][task.file] = s;
    elapsed[task.run] += ns;
    options.onProgress?.(++done, tasks.length);
  };

  if (jobs === 1 || tasks.length <= 1) {
    for (const task of tasks) {
      const detector = findDetector(runs[task.run].name);
      if (!detector) throw new Error(`unknown detector "${runs[task.run].name}"`);
      const f = corpus.files[task.file];
      const r = runDetectorOnSeries(detector, runs[task.run].params, f.timestamps, f.values);
      finish(task, r.scores, r.elapsedNs);
    }
  } else {
    await runInWorkers(Math.min(jobs, tasks.length), tasks.length, (id) => {
      const task = tasks[id];
      const f = corpus.files[task.file];
      return { id, detector: runs[task.run].name, params: runs[task.run].params, timestamps: f.timestamps, values: f.values };
    }, (reply) => finish(tasks[reply.id], reply.scores!, reply.elapsedNs!));
  }

  const samples = corpus.files.reduce((n, f) => n + f.timestamps.length, 0);
  return runs.map((_, i) => ({ scores: scores[i], costPerSampleNs: samples ? elapsed[i] / samples : 0 }));
}

async function runInWorkers(jobs: number, total: number, makeTask: (id: number) => RunTask, onReply: (r: RunReply) => void): Promise<void> {
  const url = new URL('./eval-worker.ts', import.meta.url);
  const workers = Array.from({ length: jobs }, () => new Worker(url));
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= total) return resolve();
              worker.postMessage(makeTask(next++));
            };
            worker.on('message', (reply: RunReply) => {
              if (reply.error) return reject(new Error(reply.error));
              onReply(reply);
              feed();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => (next < total || code !== 0 ? reject(new Error(`eval worker exited with code ${code}`)) : resolve()));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
