// The demo's traffic: a steady request rate to productpage (Locust's role in the paper), with
// Poisson-like jitter and a factor the traffic-drop incident turns down.
import { Agent, request } from 'node:http';

export interface Load {
  readonly sent: number;
  readonly failed: number;
  /** Multiply the rate (1 = normal). */
  setFactor(factor: number): void;
  stop(): Promise<void>;
}

export function startLoad(url: string, rps: number, tickMs = 50): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let factor = 1;
  let credit = 0;
  let sent = 0;
  let failed = 0;
  const pending = new Set<Promise<void>>();
  const fire = () => {
    const p = new Promise<void>((resolve) => {
      const req = request(url, { agent, timeout: 10_000 }, (res) => {
        if (res.statusCode !== 200) failed++;
        res.resume();
        res.on('end', resolve);
        res.on('error', resolve);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
    sent++;
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  const timer = setInterval(() => {
    // exponential-ish jitter around the mean keeps rates realistic without bursts
    credit += ((rps * factor * tickMs) / 1000) * (0.5 + Math.random());
    while (credit >= 1) {
      credit -= 1;
      fire();
    }
  }, tickMs);
  return {
    get sent() {
      return sent;
    },
    get failed() {
      return failed;
    },
    setFactor(f) {
      factor = f;
    },
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
      agent.destroy();
    },
  };
}
