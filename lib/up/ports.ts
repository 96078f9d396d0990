// Free local ports and readiness polling for the processes `deucalion up` starts.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port that is free on `host` now, for a process started next to listen on. Chosen at random below
 * the kernel's ephemeral range (Linux: ip_local_port_range, default 32768-60999), not by listen(0): a
 * port from that range can be handed to another process's listen(0) or outgoing connection before ours
 * binds it, which under parallel tests happens. Below the range only an explicit choice can take it.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const low = ephemeralLow();
  const from = Math.max(1024, low - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (low - from));
    if (await canListen(port, host)) return port;
  }
  return listenAny(host);
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768; // not Linux: the IANA dynamic range starts at 49152, so this stays below it too
  }
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function listenAny(host: string): Promise<number> {
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
