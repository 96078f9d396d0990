// Whole-payload convenience for tests and tools. Allocates an object per sample: not for the hot path.

import type { Labels } from './labels.ts';
import type { MetricType } from './metric-type.ts';
import type { ParseError } from './parse-error.ts';
import { Entry, ExpositionParser, type ExpositionFormat } from './parser.ts';

export interface Sample {
  name: string;
  /** Without `__name__`. */
  labels: Labels;
  value: number;
  /** Milliseconds; absent when the line has none. */
  timestamp?: number;
  /** Type of the sample's family (untyped without a TYPE line). */
  type: MetricType;
}

/** Every sample of `text`, in order. Bad lines are skipped; pass `errors` to collect them. */
export function parseExposition(text: string, format: ExpositionFormat = 'prometheus', errors?: ParseError[]): Sample[] {
  const p = new ExpositionParser(text, format);
  const out: Sample[] = [];
  for (let e = p.next(); e !== Entry.End; e = p.next()) {
    if (e === Entry.Error) errors?.push(p.error());
    if (e !== Entry.Series) continue;
    const labels = p.labels();
    if (labels === undefined) {
      errors?.push(p.error());
      continue;
    }
    const sample: Sample = { name: p.metricName(), labels, value: p.value(), type: p.familyType() };
    if (p.hasTimestamp()) sample.timestamp = p.timestamp();
    out.push(sample);
  }
  return out;
}
