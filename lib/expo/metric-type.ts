// Metric types and how a sample name relates to the family announced by the last `# TYPE` line.

export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped', 'stateset', 'info', 'gaugehistogram'] as const;
/** OpenMetrics' `unknown` is reported as `untyped`, the Prometheus text name for the same thing. */
export type MetricType = (typeof METRIC_TYPES)[number];

/** Suffix of a sample name relative to its family name ('' when the name is the family name). */
export type SampleSuffix = '' | '_total' | '_created' | '_bucket' | '_count' | '_sum' | '_gcount' | '_gsum' | '_info';

/** Map the word of a TYPE line to a MetricType; undefined when unknown. */
export function toMetricType(word: string): MetricType | undefined {
  switch (word) {
    case 'counter':
    case 'gauge':
    case 'histogram':
    case 'summary':
    case 'untyped':
    case 'stateset':
    case 'info':
    case 'gaugehistogram':
      return word;
    case 'unknown':
      return 'untyped';
    default:
      return undefined;
  }
}

const SUFFIXES: Record<MetricType, readonly SampleSuffix[]> = {
  counter: ['_total', '_created'],
  gauge: [],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['_count', '_sum', '_created'],
  untyped: [],
  stateset: [],
  info: ['_info'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
};

/**
 * The suffix s[start, end) (what follows the family name in a sample name) stands for in a family of
 * `type`, or undefined when a family of that type has no such sample.
 */
export function matchSuffix(s: string, start: number, end: number, type: MetricType): SampleSuffix | undefined {
  if (start === end) return '';
  const suffixes = SUFFIXES[type];
  for (let k = 0; k < suffixes.length; k++) {
    const suffix = suffixes[k];
    if (end - start === suffix.length && s.startsWith(suffix, start)) return suffix;
  }
  return undefined;
}

/**
 * Whether a sample only ever goes up (detectors should look at its rate): counters, histogram buckets,
 * counts and sums, summary counts and sums, and untyped samples named `*_total`. `_created` samples are
 * timestamps, not counters.
 */
export function isCounterSample(type: MetricType, suffix: SampleSuffix, untypedTotal: boolean): boolean {
  switch (type) {
    case 'counter':
      return suffix !== '_created';
    case 'histogram':
    case 'summary':
      return suffix === '_bucket' || suffix === '_count' || suffix === '_sum';
    case 'untyped':
      return untypedTotal;
    default:
      return false;
  }
}
