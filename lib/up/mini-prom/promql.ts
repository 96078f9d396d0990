// The PromQL subset the built-in Prometheus stand-in answers: selectors (with the expo selector
// parser), range selectors, rate/irate/increase/delta/*_over_time, sum/avg/min/max/count by|without,
// histogram_quantile, abs, + - * / between vectors (one-to-one on all labels but __name__) and
// scalars, parentheses. Differences from Prometheus: rate() does not extrapolate to the window edges
// (increase() is rate × range).
// Anything else is a clear "unsupported" error, which the query API returns as bad_data.
import type { Selector } from '../../expo/index.ts';
import { QueryError, type Node } from './promql-parse.ts';
import { seriesKey, type SeriesStore, type StoredSeries } from './store.ts';

export { parseQuery, QueryError, type Node } from './promql-parse.ts';

export interface Point {
  labels: Record<string, string>;
  value: number;
}
export type Value = number | Point[];

const RANGE_FNS = new Set(['rate', 'irate', 'increase', 'delta', 'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'count_over_time']);
export const LOOKBACK_MS = 5 * 60_000;

/** Evaluate at time `t` (ms). */
export function evaluate(node: Node, store: SeriesStore, t: number): Value {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'selector': {
      if (node.rangeMs !== undefined) throw new QueryError('a range vector needs a function such as rate()');
      const out: Point[] = [];
      for (const s of select(store, node.selector)) {
        const k = lastIndexAtOrBefore(s.t, t);
        if (k >= 0 && s.t[k] > t - LOOKBACK_MS) out.push({ labels: s.labels, value: s.v[k] });
      }
      return out;
    }
    case 'call':
      return evaluateCall(node.fn, node.args, store, t);
    case 'agg':
      return aggregate(node, asVector(evaluate(node.expr, store, t), node.op));
    case 'binary':
      return arithmetic(node.op, evaluate(node.left, store, t), evaluate(node.right, store, t));
  }
}

function select(store: SeriesStore, selector: Selector): StoredSeries[] {
  const out: StoredSeries[] = [];
  for (const s of store.series.values()) if (selector.matches(s.labels.__name__ ?? '', s.labels)) out.push(s);
  return out;
}

function evaluateCall(fn: string, args: Node[], store: SeriesStore, t: number): Value {
  if (RANGE_FNS.has(fn)) {
    const arg = args[0];
    if (args.length !== 1 || arg.kind !== 'selector' || arg.rangeMs === undefined) throw new QueryError(`${fn}() expects one range vector, e.g. ${fn}(x[1m])`);
    const out: Point[] = [];
    for (const s of select(store, arg.selector)) {
      const hi = lastIndexAtOrBefore(s.t, t);
      const lo = lastIndexAtOrBefore(s.t, t - arg.rangeMs) + 1;
      if (hi < 0 || lo > hi) continue;
      const value = overRange(fn, s, lo, hi, arg.rangeMs);
      if (!Number.isNaN(value)) out.push({ labels: dropName(s.labels), value });
    }
    return out;
  }
  if (fn === 'histogram_quantile') {
    const q = evaluate(args[0], store, t);
    if (typeof q !== 'number' || args.length !== 2) throw new QueryError('histogram_quantile(φ, buckets) expects a number and a vector');
    return histogramQuantile(q, asVector(evaluate(args[1], store, t), fn));
  }
  if (fn === 'abs' && args.length === 1) {
    const v = evaluate(args[0], store, t);
    return typeof v === 'number' ? Math.abs(v) : v.map((p) => ({ labels: dropName(p.labels), value: Math.abs(p.value) }));
  }
  throw new QueryError(`function ${fn}() is not supported by the built-in Prometheus stand-in`);
}

function overRange(fn: string, s: StoredSeries, lo: number, hi: number, rangeMs: number): number {
  const n = hi - lo + 1;
  if (fn.endsWith('_over_time')) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let k = lo; k <= hi; k++) {
      sum += s.v[k];
      min = Math.min(min, s.v[k]);
      max = Math.max(max, s.v[k]);
    }
    return fn === 'avg_over_time' ? sum / n : fn === 'sum_over_time' ? sum : fn === 'min_over_time' ? min : fn === 'max_over_time' ? max : n;
  }
  if (n < 2) return NaN;
  if (fn === 'irate') {
    const dv = s.v[hi] >= s.v[hi - 1] ? s.v[hi] - s.v[hi - 1] : s.v[hi];
    return (dv / (s.t[hi] - s.t[hi - 1])) * 1000;
  }
  if (fn === 'delta') return s.v[hi] - s.v[lo];
  let increase = 0; // counter resets: a drop means the counter restarted from zero
  for (let k = lo + 1; k <= hi; k++) increase += s.v[k] >= s.v[k - 1] ? s.v[k] - s.v[k - 1] : s.v[k];
  const perSecond = (increase / (s.t[hi] - s.t[lo])) * 1000;
  // increase = rate × range, what Prometheus' extrapolation gives for a steady counter
  return fn === 'increase' ? (perSecond * rangeMs) / 1000 : perSecond;
}

function aggregate(node: Node & { kind: 'agg' }, points: Point[]): Point[] {
  const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
  for (const p of points) {
    const labels: Record<string, string> = {};
    if (node.by) for (const k of node.by) if (p.labels[k] !== undefined) labels[k] = p.labels[k];
    if (node.without) for (const [k, v] of Object.entries(p.labels)) if (k !== '__name__' && !node.without.includes(k)) labels[k] = v;
    const key = seriesKey(labels);
    const g = groups.get(key) ?? { labels, values: [] };
    g.values.push(p.value);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ labels, values }) => {
    const sum = values.reduce((a, b) => a + b, 0);
    const value = node.op === 'sum' ? sum : node.op === 'avg' ? sum / values.length : node.op === 'min' ? Math.min(...values) : node.op === 'max' ? Math.max(...values) : values.length;
    return { labels, value };
  });
}

function histogramQuantile(q: number, points: Point[]): Point[] {
  const groups = new Map<string, { labels: Record<string, string>; buckets: [number, number][] }>();
  for (const p of points) {
    const le = p.labels.le;
    if (le === undefined) continue;
    const { le: _le, ...rest } = dropName(p.labels);
    const key = seriesKey(rest);
    const g = groups.get(key) ?? { labels: rest, buckets: [] };
    g.buckets.push([le === '+Inf' ? Infinity : Number(le), p.value]);
    groups.set(key, g);
  }
  const out: Point[] = [];
  for (const { labels, buckets } of groups.values()) {
    buckets.sort((a, b) => a[0] - b[0]);
    const total = buckets[buckets.length - 1]?.[1] ?? 0;
    if (total <= 0 || buckets[buckets.length - 1][0] !== Infinity) continue;
    const rank = q * total;
    let value = NaN;
    for (let k = 0; k < buckets.length; k++) {
      if (buckets[k][1] < rank) continue;
      if (buckets[k][0] === Infinity) value = buckets[k - 1]?.[0] ?? NaN;
      else {
        const [lowerBound, lowerCount] = k === 0 ? [0, 0] : buckets[k - 1];
        const [upperBound, count] = buckets[k];
        value = count === lowerCount ? upperBound : lowerBound + ((upperBound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
      }
      break;
    }
    out.push({ labels, value });
  }
  return out;
}

function arithmetic(op: string, left: Value, right: Value): Value {
  const apply = (a: number, b: number) => (op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b);
  if (typeof left === 'number' && typeof right === 'number') return apply(left, right);
  if (typeof left === 'number') return (right as Point[]).map((p) => ({ labels: dropName(p.labels), value: apply(left, p.value) }));
  if (typeof right === 'number') return left.map((p) => ({ labels: dropName(p.labels), value: apply(p.value, right) }));
  const byKey = new Map(right.map((p) => [seriesKey(dropName(p.labels)), p]));
  const out: Point[] = [];
  for (const p of left) {
    const labels = dropName(p.labels);
    const other = byKey.get(seriesKey(labels));
    if (other) out.push({ labels, value: apply(p.value, other.value) });
  }
  return out;
}

function asVector(v: Value, where: string): Point[] {
  if (typeof v === 'number') throw new QueryError(`${where}: expected an instant vector, got a scalar`);
  return v;
}

function dropName(labels: Record<string, string>): Record<string, string> {
  if (labels.__name__ === undefined) return labels;
  const { __name__: _n, ...rest } = labels;
  return rest;
}

/** Index of the last sample at or before t, or -1. */
function lastIndexAtOrBefore(ts: number[], t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
