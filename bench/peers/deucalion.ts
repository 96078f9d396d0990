// Our parser in the shapes the dispatcher uses it:
// - keys only: series key, value, timestamp and family type per sample; label blocks checked lazily;
// - dispatcher: one parser per target with remembered metadata, SeriesCache per sample (expected-series
//   hint, then lookup), labels parsed and checked once per new series (table and parser live across
//   parses as across scrapes: this measures the steady state after the first scrape);
// - full labels: every label block checked eagerly, name and label object built for every sample.

import type { Labels } from '../../lib/expo/labels.ts';
import { Entry, ExpositionParser } from '../../lib/expo/parser.ts';
import { SeriesCache } from '../../lib/expo/series-cache.ts';
import type { ParserAdapter } from './types.ts';

export const keysAdapter: ParserAdapter = {
  name: 'deucalion (keys only)',
  work: 'series key string, value, timestamp and family type per sample; label blocks not parsed',
  run: (() => {
    const parser = new ExpositionParser('', 'prometheus', { lazyLabels: true });
    return (text: string) => {
      parser.reset(text, 'prometheus');
      let sum = 0;
      for (let e = parser.next(); e !== Entry.End; e = parser.next()) {
        if (e !== Entry.Series) continue;
        sum += parser.seriesKey().length + parser.value() + parser.familyType().length;
        if (parser.hasTimestamp()) sum += parser.timestamp()!;
      }
      return sum;
    };
  })(),
};

/** A fresh dispatcher-style adapter with its own series table (so payloads do not share one). */
export function createDispatcherAdapter(): ParserAdapter {
  const parser = new ExpositionParser('', 'prometheus', { lazyLabels: true, reuseMetadata: true });
  const cache = new SeriesCache<{ labels: Labels; counter: boolean; last: number }>();
  const create = (p: ExpositionParser) => {
    const labels = p.labels(true);
    return labels === undefined ? undefined : { labels, counter: p.isCounter(), last: 0 };
  };
  return {
    name: 'deucalion (dispatcher)',
    work: 'series table lookup per sample (hinted by the previous scrape), value; labels once per new series; metadata lines remembered',
    run(text) {
      parser.reset(text, 'prometheus');
      cache.begin();
      let sum = 0;
      for (let e = cache.next(parser); e !== Entry.End; e = cache.next(parser)) {
        if (e !== Entry.Series) continue;
        const state = cache.resolve(parser, create);
        if (state === undefined) continue;
        state.last = parser.value();
        sum += state.last;
      }
      return sum + cache.end().length;
    },
  };
}

export const fullAdapter: ParserAdapter = {
  name: 'deucalion (full labels)',
  work: 'metric name, label object (unescaped, detached), value, timestamp and family type per sample',
  run: (() => {
    const parser = new ExpositionParser();
    return (text: string) => {
      parser.reset(text, 'prometheus');
      let sum = 0;
      for (let e = parser.next(); e !== Entry.End; e = parser.next()) {
        if (e !== Entry.Series) continue;
        sum += parser.metricName().length + parser.value() + parser.familyType().length;
        const labels = parser.labels()!;
        for (const k in labels) sum += labels[k].length;
        if (parser.hasTimestamp()) sum += parser.timestamp()!;
      }
      return sum;
    };
  })(),
};
