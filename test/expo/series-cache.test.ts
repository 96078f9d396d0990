import { describe, expect, it } from 'vitest';
import { Entry, ExpositionParser } from '../../lib/expo/parser.ts';
import { SeriesCache } from '../../lib/expo/series-cache.ts';

interface State {
  id: string;
  values: number[];
}

/** Run one scrape through the cache; returns the ids seen, ids created and ids that vanished. */
function scrape(cache: SeriesCache<State>, text: string, accept: (p: ExpositionParser) => boolean = () => true) {
  const p = new ExpositionParser(text, 'prometheus', { lazyLabels: true });
  const created: string[] = [];
  const seen: string[] = [];
  cache.begin();
  for (let e = cache.next(p); e !== Entry.End; e = cache.next(p)) {
    if (e !== Entry.Series) continue;
    const st = cache.resolve(p, (q) => {
      const labels = q.labels(true);
      if (labels === undefined || !accept(q)) return undefined;
      created.push(q.seriesKey());
      return { id: q.seriesKey(), values: [] };
    });
    if (st === undefined) continue;
    st.values.push(p.value());
    seen.push(st.id);
  }
  return { seen, created, gone: cache.end().map((s) => s.id) };
}

describe('SeriesCache', () => {
  it('creates each series once and keeps state across scrapes', () => {
    const cache = new SeriesCache<State>();
    expect(scrape(cache, 'a 1\nb{x="1"} 2\n')).toEqual({ seen: ['a', 'b{x="1"}'], created: ['a', 'b{x="1"}'], gone: [] });
    expect(scrape(cache, 'a 3\nb{x="1"} 4\n')).toEqual({ seen: ['a', 'b{x="1"}'], created: [], gone: [] });
    expect(cache.size).toBe(2);
  });

  it('follows insertions, removals and reordering', () => {
    const cache = new SeriesCache<State>();
    scrape(cache, 'a 1\nb 1\nc 1\nd 1\n');
    expect(scrape(cache, 'a 2\nnew 2\nb 2\nd 2\n')).toEqual({ seen: ['a', 'new', 'b', 'd'], created: ['new'], gone: ['c'] });
    expect(scrape(cache, 'd 3\nb 3\nnew 3\na 3\n')).toEqual({ seen: ['d', 'b', 'new', 'a'], created: [], gone: [] });
    expect(scrape(cache, '')).toEqual({ seen: [], created: [], gone: ['a', 'b', 'd', 'new'] });
    expect(cache.size).toBe(0);
  });

  it('accumulates values per series', () => {
    const cache = new SeriesCache<State>();
    for (let k = 0; k < 3; k++) scrape(cache, `a ${k}\nb ${k * 10}\n`);
    const out = scrape(cache, 'b 99\na 9\n');
    expect(out.seen).toEqual(['b', 'a']);
  });

  it('ignores a repeated series within one scrape', () => {
    const cache = new SeriesCache<State>();
    expect(scrape(cache, 'a 1\na 2\n').seen).toEqual(['a']);
    expect(scrape(cache, 'a 1\na 2\n').seen).toEqual(['a']);
  });

  it('remembers rejected series without creating them again, and forgets them when they vanish', () => {
    const cache = new SeriesCache<State>();
    let asked = 0;
    const onlyA = (p: ExpositionParser) => {
      asked++;
      return p.metricName() === 'a';
    };
    expect(scrape(cache, 'a 1\nb 1\nbad{x=1} 1\n', onlyA).seen).toEqual(['a']);
    expect(scrape(cache, 'a 1\nb 1\nbad{x=1} 1\n', onlyA).seen).toEqual(['a']);
    expect(asked).toBe(2);
    expect(cache.size).toBe(1);
    scrape(cache, 'a 1\n', onlyA);
    scrape(cache, 'a 1\nb 1\n', onlyA);
    expect(asked).toBe(3);
  });

  it('caps the number of series and counts the overflow', () => {
    const cache = new SeriesCache<State>({ maxSeries: 2 });
    expect(scrape(cache, 'a 1\nb 1\nc 1\nd 1\n').seen).toEqual(['a', 'b']);
    expect(cache.overflow).toBe(2);
    expect(scrape(cache, 'b 1\nc 1\n')).toEqual({ seen: ['b'], created: [], gone: ['a'] });
    expect(scrape(cache, 'b 1\nc 1\n').seen).toEqual(['b', 'c']);
  });

  it('keys series by their raw text, long labels included', () => {
    const cache = new SeriesCache<State>();
    const body = `m{label="${'x'.repeat(50)}"} 1\n`;
    const out = scrape(cache, body);
    expect(out.seen).toEqual([body.slice(0, -3)]);
  });

  it('a hinted line reads exactly like an unhinted one', () => {
    const text = '# TYPE h histogram\nh_bucket{le="1"} 2\nh_sum 3 1000\nx {a="b"} 1\nx 2\n';
    const cache = new SeriesCache<string>();
    const run = () => {
      const p = new ExpositionParser(text, 'prometheus', { lazyLabels: true });
      const rows: unknown[] = [];
      cache.begin();
      for (let e = cache.next(p); e !== Entry.End; e = cache.next(p)) {
        if (e !== Entry.Series) continue;
        cache.resolve(p, (q) => q.seriesKey());
        rows.push([p.matchedHint(), p.seriesKey(), p.metricName(), p.familyName(), p.familyType(), p.suffix(), p.isCounter(), p.labels(true), p.value(), p.timestamp()]);
      }
      cache.end();
      return rows;
    };
    const first = run();
    const second = run();
    expect(first.map((r) => (r as unknown[])[0])).toEqual([false, false, false, false]);
    expect(second.map((r) => (r as unknown[])[0])).toEqual([true, true, true, true]);
    expect(second.map((r) => (r as unknown[]).slice(1))).toEqual(first.map((r) => (r as unknown[]).slice(1)));
  });

  it('a hint for "a" does not swallow "a {x=\"1\"}"', () => {
    const cache = new SeriesCache<string>();
    const keys = (text: string) => {
      const p = new ExpositionParser(text, 'prometheus', { lazyLabels: true });
      const out: string[] = [];
      cache.begin();
      for (let e = cache.next(p); e !== Entry.End; e = cache.next(p)) if (e === Entry.Series && cache.resolve(p, (q) => q.seriesKey()) !== undefined) out.push(p.seriesKey());
      cache.end();
      return out;
    };
    expect(keys('a 1\n')).toEqual(['a']);
    expect(keys('a {x="1"} 1\n')).toEqual(['a {x="1"}']);
    expect(keys('a 1\n')).toEqual(['a']);
    expect(keys('a 1 2\n')).toEqual(['a']);
  });
});
