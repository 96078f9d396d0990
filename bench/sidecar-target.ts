// The app the sidecar bench scrapes: `series` series (default 500) in the shape of a typical service,
// 100 gauges, 150 counters and 25 ten-series histograms (scaled for other sizes), values moving every
// second with stationary noise (a healthy service: anomalies are rare). Prometheus text 0.0.4, gzipped
// when asked (both scrapers ask), rendered fresh for each scrape. It runs in its own process (bench/sidecar.ts --serve-target) so neither measured process pays for it.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { ExpositionWriter } from './fixtures/exposition-writer.ts';
import { createRandom } from './fixtures/random.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5];

export interface SidecarTarget {
  /** The exposition at time `nowMs`: counters grow with the time since the previous render. */
  render(nowMs?: number): string;
}

export function generateSidecarTarget(series = 500, seed = 11): SidecarTarget {
  const random = createRandom(seed);
  const histograms = Math.round((series * 0.5) / (BUCKETS.length + 3));
  const counters = Math.round(series * 0.3);
  const gauges = series - histograms * (BUCKETS.length + 3) - counters;
  const gaugeValues = Array.from({ length: gauges }, () => 100 * random());
  const counterValues = Array.from({ length: counters }, () => Math.floor(1e6 * random()));
  const rates = Array.from({ length: counters }, () => 20 + 200 * random());
  const hist = Array.from({ length: histograms }, () => ({ buckets: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0 }));
  let last = NaN;
  return {
    render(nowMs = Date.now()) {
      // Counters and histograms advance with elapsed time, like a live service's: a scraper sees
      // smooth rates whenever it scrapes (no aliasing between a render timer and the scrape timer).
      const dt = Number.isNaN(last) ? 1 : Math.max(0, (nowMs - last) / 1000);
      last = nowMs;
      const w = new ExpositionWriter();
      w.family('app_queue_depth', 'gauge', 'Items waiting in each queue.');
      for (let i = 0; i < gauges; i++) {
        // Stationary noise around a level, like a healthy service: anomalies stay rare, as in production.
        const value = gaugeValues[i] + 5 * (random() + random() + random() - 1.5);
        w.sample('app_queue_depth', { queue: `q-${i}`, shard: String(i % 4) }, Math.round(value * 100) / 100);
      }
      w.family('app_requests_total', 'counter', 'Requests handled, by route and code.');
      for (let i = 0; i < counters; i++) {
        counterValues[i] += Math.round(rates[i] * dt * (0.9 + 0.2 * random()));
        w.sample('app_requests_total', { route: `/api/v1/resource-${Math.floor(i / 5)}`, code: ['200', '201', '404', '500', '503'][i % 5], method: 'GET' }, counterValues[i]);
      }
      w.family('app_request_duration_seconds', 'histogram', 'Request latency.');
      for (let h = 0; h < histograms; h++) {
        const state = hist[h];
        const observations = Math.round(dt * (250 + random() * 100));
        for (let k = 0; k < observations; k++) {
          const v = 0.002 + random() * random() * 0.6;
          state.sum += v;
          let b = BUCKETS.findIndex((le) => v <= le);
          if (b < 0) b = BUCKETS.length;
          state.buckets[b]++;
        }
        const labels = { handler: `/api/v1/resource-${h}` };
        let cumulative = 0;
        for (let b = 0; b <= BUCKETS.length; b++) {
          cumulative += state.buckets[b];
          w.sample('app_request_duration_seconds_bucket', { ...labels, le: b < BUCKETS.length ? String(BUCKETS[b]) : '+Inf' }, cumulative);
        }
        w.sample('app_request_duration_seconds_sum', labels, Math.round(state.sum * 1e6) / 1e6);
        w.sample('app_request_duration_seconds_count', labels, cumulative);
      }
      return w.toString();
    },
  };
}

/** Serve on a free 127.0.0.1 port; tell the parent the URL over IPC and answer 'counts' messages.
 *  Each scrape gets a fresh rendering (values as of now), gzipped when asked. */
export async function serveTarget(target: SidecarTarget): Promise<void> {
  const counts = { dispatcher: 0, prometheus: 0, other: 0 };
  const server = createServer((req, res) => {
    const agent = String(req.headers['user-agent'] ?? '');
    if (agent.startsWith('Prometheus/')) counts.prometheus++;
    else if (agent.startsWith('deucalion-dispatcher')) counts.dispatcher++;
    else counts.other++;
    const gzip = String(req.headers['accept-encoding'] ?? '').includes('gzip');
    const text = target.render();
    const gzipped = gzip ? gzipSync(text) : undefined;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(gzipped ?? text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics` });
  process.on('message', (m) => {
    if (m === 'counts') process.send?.({ ...counts });
  });
  process.on('SIGTERM', () => process.exit(0));
}
