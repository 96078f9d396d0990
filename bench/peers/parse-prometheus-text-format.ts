// The peer: parse-prometheus-text-format, the most used npm exposition parser. It builds an object
// per family and per sample (label objects included); we walk the result so every sample is visited.

import { createRequire } from 'node:module';
import type { ParserAdapter } from './types.ts';

export interface PeerMetric {
  value?: string;
  labels?: Record<string, string>;
  timestamp_ms?: string;
  buckets?: Record<string, string>;
  quantiles?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface PeerFamily {
  name: string;
  help: string;
  type: string;
  metrics: PeerMetric[];
}

export const parsePeer = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PeerFamily[];

export const peerAdapter: ParserAdapter = {
  name: 'parse-prometheus-text-format',
  work: 'families with label objects for every sample (values stay strings)',
  run(text) {
    let sum = 0;
    for (const family of parsePeer(text)) {
      sum += family.name.length;
      for (const m of family.metrics) {
        if (m.labels !== undefined) for (const k in m.labels) sum += m.labels[k].length;
        if (m.value !== undefined) sum += m.value.length;
        if (m.buckets !== undefined) for (const k in m.buckets) sum += m.buckets[k].length;
        if (m.quantiles !== undefined) for (const k in m.quantiles) sum += m.quantiles[k].length;
      }
    }
    return sum;
  },
};
