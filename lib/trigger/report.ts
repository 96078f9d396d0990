// What a run did, as one JSON object: the HTTP reply body, the run's log line, and test assertions.

export type RunStatus = 'ok' | 'partial' | 'failed' | 'skipped';

export interface QueryReport {
  expr: string;
  /** Prometheus range asked (Unix ms), absent when the query had nothing new to report. */
  start?: number;
  end?: number;
  series: number;
  points: number;
  requests: number;
  windows: number;
  durationMs: number;
  error?: string;
  warnings?: string[];
}

export interface DetectorReport {
  detector: string;
  url: string;
  query: string;
  /** First point reported (Unix ms); points before it were warm-up history. */
  reportFrom: number;
  extended: boolean;
  lostMs: number;
  windows: number;
  failed: number;
  attempts: number;
  anomalies: number;
  resolved: number;
  durationMs: number;
  error?: string;
  /** Why nothing was sent: "nothing new since the last run". */
  skipped?: string;
}

export interface RunReport {
  run: number;
  status: RunStatus;
  trigger: 'ping' | 'cron';
  federation: string;
  startedAt: string;
  durationMs: number;
  /** Window end (Unix ms, on the step grid) and step. */
  end?: number;
  step?: number;
  series: number;
  points: number;
  windows: number;
  windowsFailed: number;
  anomalies: number;
  resolved: number;
  forwarded: number;
  dropped: number;
  retries: number;
  timings: { prometheusMs: number; detectorsMs: number; sinkMs: number };
  queries: QueryReport[];
  detectors: DetectorReport[];
  errors: string[];
  /** Why the run was skipped. */
  reason?: string;
}

/** ok: nothing failed; failed: no query answered, no window was scored, or every finding dropped. */
export function decideStatus(report: Pick<RunReport, 'queries' | 'detectors' | 'errors' | 'windows' | 'windowsFailed' | 'anomalies' | 'resolved' | 'dropped' | 'forwarded'>): RunStatus {
  if (report.errors.length === 0) return 'ok';
  const attempted = report.queries.filter((q) => q.start !== undefined);
  const answered = attempted.filter((q) => q.error === undefined);
  if (attempted.length > 0 && answered.length === 0) return 'failed';
  if (report.windows > 0 && report.windowsFailed === report.windows) return 'failed';
  if (report.dropped > 0 && report.forwarded === 0) return 'failed';
  return 'partial';
}
