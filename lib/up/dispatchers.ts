// One `deucalion dispatcher --config F` per sidecar-mode service, configured like the injector would:
// scrape the app's own metrics URL, run the detectors, send anomalies to the sink (through the
// gateway, so the view sees them). POD_NAME / POD_NAMESPACE stand in for the downward API.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseDuration } from '../duration.ts';
import type { UpBus } from './events.ts';
import { dispatcherArgv } from './argv.ts';
import type { UpService } from './stack.ts';
import type { Child, Supervisor } from './supervisor.ts';

export interface DispatcherConfigInput {
  metricsUrl: string;
  intervalMs: number;
  sinkUrl?: string;
  detectors?: unknown[];
  /** Where the dispatcher serves its own /metrics, /healthz, /readyz (default: any free local port). */
  listen?: string;
}

/** The dispatcher config of issue 3: target, detectors, sink. */
export function buildDispatcherConfig(input: DispatcherConfigInput): string {
  const seconds = Math.max(1, Math.round(input.intervalMs / 1000));
  const config: Record<string, unknown> = {
    target: { url: input.metricsUrl, interval: `${seconds}s`, timeout: `${seconds}s` },
    detectors: input.detectors ?? [{ name: 'zscore' }],
    listen: input.listen ?? '127.0.0.1:0',
  };
  if (input.sinkUrl) config.sink = { url: input.sinkUrl };
  return stringify(config);
}

export interface StartedDispatcher {
  service: string;
  child: Child;
}

export function startDispatchers(services: UpService[], options: { supervisor: Supervisor; bus: UpBus; workDir: string; sinkUrl?: string; intervalMs: number }): StartedDispatcher[] {
  const sidecars = services.filter((s) => s.sidecar);
  if (!sidecars.length) return [];
  const dir = join(options.workDir, 'dispatchers');
  mkdirSync(dir, { recursive: true });
  return sidecars.map((s) => {
    let config = s.sidecar!.config;
    if (!config) {
      config = join(dir, `${s.name}.yaml`);
      const intervalMs = s.sidecar!.interval ? parseDuration(s.sidecar!.interval) : options.intervalMs;
      writeFileSync(config, buildDispatcherConfig({ metricsUrl: s.metrics, intervalMs, sinkUrl: options.sinkUrl, detectors: s.sidecar!.detectors }));
    }
    const env: NodeJS.ProcessEnv = { ...process.env, POD_NAME: s.name, POD_NAMESPACE: s.namespace, DEUCALION_CONFIG: config };
    if (options.sinkUrl) env.K_SINK = options.sinkUrl;
    const name = `dispatcher-${s.name}`;
    const child = options.supervisor.start({ name, argv: dispatcherArgv(config), env });
    options.bus.emit('component', { name, kind: 'dispatcher', state: 'running', pid: child.pid, detail: `→ ${s.metrics}` });
    void child.exited.then((code) => options.bus.emit('component', { name, kind: 'dispatcher', state: code === 0 || code === null ? 'stopped' : 'failed', detail: code ? `exited with code ${code}: ${child.tail().split('\n').slice(-3).join(' | ')}` : undefined }));
    return { service: s.name, child };
  });
}
