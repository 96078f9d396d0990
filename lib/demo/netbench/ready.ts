// Readiness for the network benchmark: a plain URL is ready when it answers 2xx; a Prometheus
// /api/v1/targets URL when every active target is up (Prometheus' first scrape comes seconds after
// it is ready, and a measurement window must not start before it).
import { waitForReady } from '../../up/ports.ts';

export async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  if (!url.endsWith('/api/v1/targets')) return waitForReady(url, { timeoutMs, intervalMs: 50 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { data?: { activeTargets?: { health: string }[] } };
      const targets = body.data?.activeTargets ?? [];
      if (targets.length > 0 && targets.every((t) => t.health === 'up')) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url}: targets not all scraped after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
