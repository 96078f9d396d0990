// Free local ports and readiness polling for the processes `deucalion up` starts.
import { createServer } from 'node:net';

/** A port the OS says is free on 127.0.0.1 right now (tiny race with other processes; fine locally). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Stop waiting early (e.g. the process exited). */
  abort?: () => string | undefined;
}

/** Poll GET url until it answers 2xx; throws with the reason on timeout or abort. */
export async function waitForReady(url: string, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const interval = options.intervalMs ?? 25;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw new Error(aborted);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${options.timeoutMs ?? 30_000} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
