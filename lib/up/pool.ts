// Scale-to-zero function instances: each function is a `deucalion function NAME --port P` process,
// started on its first invocation (the caller waits: the cold start, which is measured), and stopped
// once it has been idle for its idle time, like the OpenFaaS Pro autoscaler or Knative's KPA.
import type { UpBus } from './events.ts';
import { findFreePort, waitForReady } from './ports.ts';
import type { UpFunction } from './stack.ts';
import { functionArgv } from './argv.ts';
import type { Child, Supervisor } from './supervisor.ts';

export interface Instance {
  child: Child;
  port: number;
  url: string;
  startedAt: number;
}

export interface FunctionState {
  fn: UpFunction;
  instance?: Instance;
  starting?: Promise<Instance>;
  inflight: number;
  lastUsed: number;
  invocations: number;
  coldStarts: number[];
}

export interface PoolOptions {
  supervisor: Supervisor;
  bus: UpBus;
  /** Env below the stack's own environment (defaults). */
  baseEnv: (fn: UpFunction) => Record<string, string>;
  /** Env above the stack's own environment: the local wiring (K_SINK, PROMETHEUS_URL, ...) replacing cluster URLs. */
  overrideEnv?: (fn: UpFunction) => Record<string, string>;
  readyTimeoutMs?: number;
  /** How often idleness is checked. */
  reapIntervalMs?: number;
}

export class FunctionPool {
  readonly states = new Map<string, FunctionState>();
  private readonly options: PoolOptions;
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  constructor(functions: UpFunction[], options: PoolOptions) {
    this.options = options;
    for (const fn of functions) this.states.set(fn.name, { fn, inflight: 0, lastUsed: 0, invocations: 0, coldStarts: [] });
    this.reaper = setInterval(() => void this.reapIdle(), options.reapIntervalMs ?? 250);
    this.reaper.unref();
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  /** Mark one invocation as started; resolves with a ready instance (starting it if needed). */
  async acquire(name: string): Promise<{ instance: Instance; cold: boolean }> {
    const state = this.states.get(name);
    if (!state) throw new Error(`no function "${name}"`);
    if (this.closed) throw new Error('shutting down');
    state.inflight++;
    state.invocations++;
    try {
      if (state.instance) return { instance: state.instance, cold: false };
      state.starting ??= this.startInstance(state).finally(() => (state.starting = undefined));
      return { instance: await state.starting, cold: true };
    } catch (err) {
      this.release(name);
      throw err;
    }
  }

  release(name: string): void {
    const state = this.states.get(name);
    if (!state) return;
    state.inflight = Math.max(0, state.inflight - 1);
    state.lastUsed = Date.now();
  }

  private async startInstance(state: FunctionState): Promise<Instance> {
    const { fn } = state;
    const port = await findFreePort();
    const argv = functionArgv(fn.serves, port, fn.config);
    const env = { ...process.env, ...this.options.baseEnv(fn), ...fn.env, ...this.options.overrideEnv?.(fn), PORT: String(port) };
    const began = performance.now();
    this.options.bus.emit('component', { name: fn.name, kind: 'function', state: 'starting' });
    const child = this.options.supervisor.start({ name: `function-${fn.name}`, argv, env });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForReady(`${url}/health/readiness`, {
        timeoutMs: this.options.readyTimeoutMs ?? 30_000,
        intervalMs: 10,
        abort: () => (child.process.exitCode !== null ? `function ${fn.name} exited with code ${child.process.exitCode}: ${lastLine(child.tail())}` : undefined),
      });
    } catch (err) {
      await this.options.supervisor.stop(child, 1000);
      this.options.bus.emit('component', { name: fn.name, kind: 'function', state: 'failed', detail: (err as Error).message });
      throw err;
    }
    const coldStartMs = performance.now() - began;
    state.coldStarts.push(coldStartMs);
    const instance: Instance = { child, port, url, startedAt: Date.now() };
    state.instance = instance;
    state.lastUsed = Date.now();
    this.options.bus.emit('component', { name: fn.name, kind: 'function', state: 'running', pid: child.pid, url, coldStartMs });
    void child.exited.then((code) => {
      if (state.instance !== instance) return;
      state.instance = undefined;
      if (!this.closed) this.options.bus.emit('component', { name: fn.name, kind: 'function', state: 'failed', detail: `exited with code ${code}` });
    });
    return instance;
  }

  /** Stop instances idle for longer than their idle time (never one with calls in flight). */
  private async reapIdle(): Promise<void> {
    const now = Date.now();
    for (const state of this.states.values()) {
      const { instance, fn } = state;
      if (!instance || state.inflight > 0 || fn.idleMs === undefined) continue;
      if (now - state.lastUsed < fn.idleMs) continue;
      state.instance = undefined;
      await this.options.supervisor.stop(instance.child);
      this.options.bus.emit('component', { name: fn.name, kind: 'function', state: 'stopped', detail: `scaled to zero after ${Math.round((now - state.lastUsed) / 1000)}s idle` });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all(
      [...this.states.values()].map(async (state) => {
        const instance = state.instance ?? (state.starting ? await state.starting.catch(() => undefined) : undefined);
        state.instance = undefined;
        if (instance) await this.options.supervisor.stop(instance.child);
      }),
    );
  }
}

/** The most telling line of a child's output: its last JSON log `msg`/`err`, or its last line. */
export function lastLine(tail: string): string {
  const lines = tail.split('\n').filter((l) => l.trim());
  const last = lines[lines.length - 1] ?? '';
  try {
    const entry = JSON.parse(last) as { msg?: string; err?: { message?: string } | string };
    const err = typeof entry.err === 'string' ? entry.err : entry.err?.message;
    return [entry.msg, err].filter(Boolean).join(': ') || last;
  } catch {
    return last.slice(0, 300);
  }
}
