// In-memory series store of the built-in Prometheus stand-in: scrape targets on an interval with our
// own exposition parser, keep a bounded ring of samples per series, plus Prometheus' `up` series.
// Only for `deucalion up`/the demo on machines without Prometheus; not a TSDB.
import { parseExposition } from '../../expo/index.ts';

export interface StoredSeries {
  /** Includes __name__. */
  labels: Record<string, string>;
  t: number[];
  v: number[];
}

export interface StoreTarget {
  url: string;
  labels: Record<string, string>;
}

export class SeriesStore {
  readonly series = new Map<string, StoredSeries>();
  private readonly maxPoints: number;

  constructor(maxPoints = 3600) {
    this.maxPoints = maxPoints;
  }

  append(labels: Record<string, string>, t: number, v: number): void {
    const key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, t: [], v: [] };
      this.series.set(key, s);
    }
    s.t.push(t);
    s.v.push(v);
    if (s.t.length > this.maxPoints + 256) {
      // trim in blocks so appends stay amortised O(1)
      const drop = s.t.length - this.maxPoints;
      s.t.splice(0, drop);
      s.v.splice(0, drop);
    }
  }

  /** Scrape one target at time `t`; records `up` like Prometheus does. */
  async scrape(target: StoreTarget, job: string, t: number, timeoutMs: number): Promise<boolean> {
    const base = { job, instance: new URL(target.url).host, ...target.labels };
    let ok = 0;
    try {
      const res = await fetch(target.url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain;version=0.0.4' } });
      if (res.ok) {
        const text = await res.text();
        for (const s of parseExposition(text)) {
          this.append({ ...s.labels, ...base, __name__: s.name }, t, s.value);
        }
        ok = 1;
      } else {
        await res.arrayBuffer();
      }
    } catch {
      // target down: up = 0
    }
    this.append({ ...base, __name__: 'up' }, t, ok);
    return ok === 1;
  }
}

export function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}
