// Starts and stops the child processes of `deucalion up` (functions, dispatchers, Prometheus,
// Alertmanager, apps). Each child leads its own process group, so stopping it also stops anything it
// spawned and a terminal Ctrl-C reaches only `up`, which then stops children in order. If `up` dies
// abruptly, an exit hook SIGKILLs every group still alive: no orphans.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ChildSpec {
  /** Unique display name, also the log file name. */
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each line of output (stdout and stderr), besides the log file. */
  onLine?: (line: string) => void;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Last lines of output, for error messages. */
  tail(): string;
}

export class Supervisor {
  readonly logDir: string;
  private readonly children = new Set<Child>();
  private readonly killAll = () => {
    for (const child of this.children) signalGroup(child.pid, 'SIGKILL');
  };

  constructor(logDir: string) {
    this.logDir = logDir;
    mkdirSync(logDir, { recursive: true });
    process.on('exit', this.killAll);
  }

  start(spec: ChildSpec): Child {
    const [file, ...args] = spec.argv;
    const proc = spawn(file, args, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (proc.pid === undefined) {
      // spawn failures (ENOENT) are reported asynchronously; surface them as an exited child
      proc.on('error', () => {});
    }
    const log: WriteStream = createWriteStream(join(this.logDir, `${spec.name.replace(/[^\w.-]/g, '_')}.log`), { flags: 'a' });
    const lines: string[] = [];
    const feed = (stream: NodeJS.ReadableStream) => {
      let partial = '';
      stream.on('data', (d: Buffer) => {
        log.write(d);
        const parts = (partial + d.toString()).split('\n');
        partial = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          if (lines.length > 30) lines.shift();
          spec.onLine?.(line);
        }
      });
    };
    feed(proc.stdout!);
    feed(proc.stderr!);
    const exited = new Promise<number | null>((resolve) => {
      proc.once('error', (err) => {
        lines.push(String(err));
        resolve(127);
      });
      proc.once('exit', (code) => resolve(code));
    }).then((code) => {
      this.children.delete(child);
      log.end();
      return code;
    });
    const child: Child = { name: spec.name, pid: proc.pid ?? -1, startedAt: Date.now(), process: proc, exited, tail: () => lines.join('\n') };
    if (proc.pid !== undefined) this.children.add(child);
    return child;
  }

  /** SIGTERM the child's group, SIGKILL it after `graceMs`; resolves once it has exited. */
  async stop(child: Child, graceMs = 5000): Promise<void> {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return;
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(timer);
    // the leader is gone; anything left in its group goes too
    signalGroup(child.pid, 'SIGKILL');
  }

  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.all([...this.children].map((c) => this.stop(c, graceMs)));
  }

  list(): Child[] {
    return [...this.children];
  }

  dispose(): void {
    this.killAll();
    process.off('exit', this.killAll);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
