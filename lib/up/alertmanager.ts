// A local Alertmanager for `deucalion up` when `alertmanager` / `prometheus-alertmanager` is on PATH
// (single node, no clustering, a null receiver: alerts are visible in its UI and API). Without it the
// alert-forwarder runs with its embedded sink (JSON lines + one readable line per alert).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from './binaries.ts';
import { findFreePort, waitForReady } from './ports.ts';
import type { Supervisor } from './supervisor.ts';

export interface LocalAlertmanager {
  readonly url: string;
  readonly pid: number;
  /** Alerts Alertmanager currently holds as active. */
  countActive(): Promise<number>;
  stop(): Promise<void>;
}

export function alertmanagerBinary(): string | undefined {
  return findExecutable(['alertmanager', 'prometheus-alertmanager']);
}

const CONFIG = `# written by deucalion up
route:
  receiver: local
  group_by: [alertname, federation, namespace, pod]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: local
`;

export async function startAlertmanager(binary: string, supervisor: Supervisor, workDir: string): Promise<LocalAlertmanager> {
  const dir = join(workDir, 'alertmanager');
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await findFreePort();
  const child = supervisor.start({
    name: 'alertmanager',
    argv: [binary, `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(`${url}/-/ready`, {
    timeoutMs: 30_000,
    intervalMs: 100,
    abort: () => (child.process.exitCode !== null ? `alertmanager exited (${child.process.exitCode}):\n${child.tail()}` : undefined),
  });
  return {
    url,
    pid: child.pid,
    async countActive() {
      try {
        const res = await fetch(`${url}/api/v2/alerts?active=true&silenced=false&inhibited=false`, { signal: AbortSignal.timeout(2000) });
        if (!res.ok) return NaN;
        return ((await res.json()) as unknown[]).length;
      } catch {
        return NaN;
      }
    },
    stop: () => supervisor.stop(child),
  };
}
