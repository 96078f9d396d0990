import { describe, expect, it } from 'vitest';
import { evaluate, parseQuery, QueryError, type Point } from '../../../lib/up/mini-prom/promql.ts';
import { SeriesStore } from '../../../lib/up/mini-prom/store.ts';

// Two pods, 1 s scrapes for 60 s: a counter at 10/s (a at 20/s), a gauge, a histogram.
function fixture(): SeriesStore {
  const store = new SeriesStore();
  for (let s = 0; s <= 60; s++) {
    const t = s * 1000;
    for (const [pod, rate] of [['a', 20], ['b', 10]] as const) {
      store.append({ __name__: 'http_requests_total', pod, code: '200' }, t, s * rate);
      store.append({ __name__: 'mem_bytes', pod }, t, 100 + s);
      store.append({ __name__: 'lat_bucket', pod, le: '0.1' }, t, s * 5);
      store.append({ __name__: 'lat_bucket', pod, le: '1' }, t, s * 10);
      store.append({ __name__: 'lat_bucket', pod, le: '+Inf' }, t, s * 10);
    }
  }
  // a counter reset on pod c: 0..30 then restart
  for (let s = 0; s <= 60; s++) store.append({ __name__: 'resets_total', pod: 'c' }, s * 1000, s <= 30 ? s : s - 31);
  return store;
}

const at = (query: string, t = 60_000) => {
  const v = evaluate(parseQuery(query), fixture(), t);
  if (typeof v === 'number') return v;
  return Object.fromEntries((v as Point[]).map((p) => [p.labels.pod ?? JSON.stringify(p.labels), Math.round(p.value * 1000) / 1000]));
};

describe('built-in PromQL subset', () => {
  it.each([
    ['mem_bytes', { a: 160, b: 160 }],
    ['mem_bytes{pod="a"}', { a: 160 }],
    ['{__name__="mem_bytes",pod!="a"}', { b: 160 }],
    ['rate(http_requests_total[30s])', { a: 20, b: 10 }],
    ['irate(http_requests_total[30s])', { a: 20, b: 10 }],
    ['increase(http_requests_total[10s])', { a: 200, b: 100 }],
    ['rate(resets_total[60s])', { c: 0.983 }], // 58 over 59 s: the drop counts as a restart from 0
    ['avg_over_time(mem_bytes[10s])', { a: 155.5, b: 155.5 }], // (50 s, 60 s], left-open like Prometheus
    ['sum(rate(http_requests_total[30s]))', { '{}': 30 }],
    ['sum by (code) (rate(http_requests_total[30s]))', { '{"code":"200"}': 30 }],
    ['max without (code) (rate(http_requests_total[30s]))', { a: 20, b: 10 }],
    ['rate(http_requests_total[30s]) / 2', { a: 10, b: 5 }],
    ['rate(http_requests_total[30s]) / rate(http_requests_total[30s])', { a: 1, b: 1 }],
    ['histogram_quantile(0.5, sum by (pod, le) (rate(lat_bucket[30s])))', { a: 0.1, b: 0.1 }],
    ['histogram_quantile(0.9, rate(lat_bucket[30s]))', { a: 0.82, b: 0.82 }],
    ['2 * (1 + 3)', 8],
  ])('%s', (query, expected) => {
    expect(at(query)).toEqual(expected);
  });

  it('returns nothing for samples older than the 5 minute lookback', () => {
    expect(at('mem_bytes', 60_000 + 6 * 60_000)).toEqual({});
  });

  it.each([
    ['rate(mem_bytes)', 'expects one range vector'],
    ['mem_bytes[1m]', 'needs a function'],
    ['topk(3, mem_bytes)', 'not supported by the built-in Prometheus stand-in'],
    ['mem_bytes{pod=}', 'bad selector'],
    ['rate(x[1 minute])', 'bad range'],
    ['mem_bytes )', 'unexpected text'],
  ])('%s fails with %s', (query, message) => {
    expect(() => at(query)).toThrow(QueryError);
    expect(() => at(query)).toThrow(message);
  });
});
