// Worker thread for `deucalion eval`: runs one detector over one series per message.
import { parentPort } from 'node:worker_threads';
import { findEvalDetector as findDetector } from './eval-detectors.ts';
import { runDetectorOnSeries } from './run-detector.ts';

export interface RunTask {
  id: number;
  detector: string;
  params: unknown;
  timestamps: Float64Array;
  values: Float64Array;
}

export interface RunReply {
  id: number;
  scores?: Float64Array;
  elapsedNs?: number;
  error?: string;
}

parentPort?.on('message', (task: RunTask) => {
  try {
    const detector = findDetector(task.detector);
    if (!detector) throw new Error(`unknown detector "${task.detector}"`);
    const { scores, elapsedNs } = runDetectorOnSeries(detector, task.params, task.timestamps, task.values);
    const reply: RunReply = { id: task.id, scores, elapsedNs };
    parentPort!.postMessage(reply, [scores.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: task.id, error: err instanceof Error ? err.message : String(err) } satisfies RunReply);
  }
});
