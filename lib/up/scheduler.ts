// The local cron-connector: for every function annotated `topic: cron-function` + `schedule`, POST an
// empty body to the gateway's /function/<name> with X-Topic / X-Connector headers, exactly what the
// OpenFaaS cron-connector sends. Through the gateway, so a scaled-to-zero trigger cold-starts.
import { parseSchedule, type Schedule } from './cron.ts';
import type { UpBus } from './events.ts';
import type { UpFunction } from './stack.ts';

export interface CronScheduler {
  stop(): Promise<void>;
}

export function startScheduler(functions: UpFunction[], gatewayUrl: string, bus: UpBus, timeoutMs = 60_000): CronScheduler {
  const timers = new Map<string, NodeJS.Timeout>();
  const inflight = new Set<Promise<void>>();
  const abort = new AbortController();
  let stopped = false;

  const fire = async (fn: UpFunction, schedule: Schedule, at: number): Promise<void> => {
    const began = performance.now();
    let status = 0;
    let error: string | undefined;
    try {
      const res = await fetch(`${gatewayUrl}/function/${fn.name}`, {
        method: 'POST',
        headers: { 'X-Topic': 'cron-function', 'X-Connector': 'cron-connector' },
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      status = res.status;
      const text = await res.text();
      if (!res.ok) error = text.slice(0, 300);
    } catch (err) {
      error = (err as Error).message;
    }
    if (!stopped) bus.emit('run', { function: fn.name, schedule: schedule.text, at, status, ms: performance.now() - began, error });
  };

  const arm = (fn: UpFunction, schedule: Schedule, after: number) => {
    if (stopped) return;
    const next = schedule.next(after);
    const timer = setTimeout(() => {
      const run = fire(fn, schedule, next).finally(() => inflight.delete(run));
      inflight.add(run);
      arm(fn, schedule, Math.max(next, Date.now()));
    }, Math.max(0, next - Date.now()));
    timers.set(fn.name, timer);
  };

  for (const fn of functions) {
    if (!fn.schedule) continue;
    arm(fn, parseSchedule(fn.schedule), Date.now());
  }

  return {
    async stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      abort.abort();
      await Promise.allSettled([...inflight]);
    },
  };
}
