// Our parser in the two shapes the dispatcher uses it: keys only (steady state: series key, value,
// timestamp and family type per sample) and full labels (first scrape: name and label object per sample).

import { Entry, ExpositionParser } from '../../lib/expo/parser.ts';
import type { ParserAdapter } from './types.ts';

const parser = new ExpositionParser();

export const keysAdapter: ParserAdapter = {
  name: 'deucalion (keys only)',
  work: 'series key string, value, timestamp and family type per sample; labels not parsed',
  run(text) {
    parser.reset(text, 'prometheus');
    let sum = 0;
    for (let e = parser.next(); e !== Entry.End; e = parser.next()) {
      if (e !== Entry.Series) continue;
      sum += parser.seriesKey().length + parser.value() + parser.familyType().length;
      if (parser.hasTimestamp()) sum += parser.timestamp()!;
    }
    return sum;
  },
};

export const fullAdapter: ParserAdapter = {
  name: 'deucalion (full labels)',
  work: 'metric name, label object (unescaped, detached), value, timestamp and family type per sample',
  run(text) {
    parser.reset(text, 'prometheus');
    let sum = 0;
    for (let e = parser.next(); e !== Entry.End; e = parser.next()) {
      if (e !== Entry.Series) continue;
      sum += parser.metricName().length + parser.value() + parser.familyType().length;
      const labels = parser.labels();
      for (const k in labels) sum += labels[k].length;
      if (parser.hasTimestamp()) sum += parser.timestamp()!;
    }
    return sum;
  },
};
