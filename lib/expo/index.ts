// Prometheus text / OpenMetrics exposition parsing and series selectors. See docs/parser.md.
export { Entry, ExpositionParser, type ExpositionFormat, type ParserOptions } from './parser.ts';
export { parseExposition, type Sample } from './parse-exposition.ts';
export { ParseError, formatParseError } from './parse-error.ts';
export { type Labels, detachString } from './labels.ts';
export { METRIC_TYPES, type MetricType, type SampleSuffix } from './metric-type.ts';
export { parseSelector, type Selector, type LabelMatcher, type MatchOp } from './selector.ts';
export { SeriesCache, type SeriesCacheOptions } from './series-cache.ts';
