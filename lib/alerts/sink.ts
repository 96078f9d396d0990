// The embedded sink, used when no Alertmanager is configured (a laptop, the demo): each series change
// is appended to a JSON-lines file and printed as one readable line on stdout.
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Labels } from '../contracts/types.ts';
import type { SeriesChange } from './map.ts';

/** One line of the sink file: the alert as it would be POSTed, plus its state. */
export interface SinkRecord {
  state: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export class EmbeddedSink {
  readonly file: string;
  private readonly print: (line: string) => void;

  constructor(file: string, print: (line: string) => void = (line) => process.stdout.write(line)) {
    this.file = file;
    this.print = print;
    mkdirSync(dirname(file), { recursive: true });
  }

  /** Append and fsync the records, then print them. Throws when the file cannot be written. */
  async write(changes: SeriesChange[]): Promise<void> {
    if (changes.length === 0) return;
    const records: SinkRecord[] = changes.map((c) => ({ state: c.state, ...c.alert }));
    const handle = await open(this.file, 'a');
    try {
      await handle.appendFile(records.map((r) => JSON.stringify(r) + '\n').join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.print(records.map((r) => formatAlertLine(r) + '\n').join(''));
  }
}

/**
 * A line a person reads, e.g.
 * `FIRING critical DeucalionAnomaly{detector="zscore",metric="http_requests_rate",pod="a"} score=4.2 value=130 expected=9.5..10.5 since 2026-01-01T00:00:00.000Z`
 */
export function formatAlertLine(record: SinkRecord): string {
  const { alertname, severity, ...rest } = record.labels;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  const head = `${record.state.toUpperCase()}${severity ? ` ${severity}` : ''} ${alertname ?? ''}{${labels}}`;
  if (record.state === 'resolved') return `${head} at ${record.endsAt}: ${record.annotations.description ?? ''}`.trimEnd();
  const a = record.annotations;
  const expected = a.expected ? ` expected=${a.expected}` : '';
  return `${head} score=${a.score} value=${a.value}${expected} since ${record.startsAt}`;
}
