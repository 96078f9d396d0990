// Config reload the way Kubernetes updates a mounted ConfigMap: the files live in a timestamped
// directory, `..data` points at it, `config.yaml` is a symlink through `..data`, and an update swaps
// `..data` atomically (rename of a new symlink over it), then removes the old directory.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startCli, waitForHttp } from '../support/process.ts';
import { startSink, startTarget, waitFor } from './harness.ts';

let version = 0;
function publish(dir: string, text: string, previous?: string): string {
  const data = `..2026_01_01_00_00_00.${String(++version).padStart(9, '0')}`;
  mkdirSync(join(dir, data));
  writeFileSync(join(dir, data, 'config.yaml'), text);
  symlinkSync(data, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  if (previous) rmSync(join(dir, previous), { recursive: true });
  return data;
}

describe('dispatcher config reload', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('applies a ConfigMap ..data swap without a restart and keeps running on an invalid update', async () => {
    const target = await startTarget();
    const sink = await startSink();
    cleanup.push(() => target.close(), () => sink.close());
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-configmap-'));
    const base = `target: { url: "${target.url}", interval: 100ms }\nsink: { url: "${sink.url}", retryBase: 20ms }\nlisten: "127.0.0.1:${port}"\n`;
    const quiet = `${base}detectors: [{ name: zscore, params: { threshold: 50 } }]\n`;
    let data = publish(dir, quiet);
    symlinkSync('..data/config.yaml', join(dir, 'config.yaml'));

    const proc = startCli(['dispatcher', '--config', join(dir, 'config.yaml')], { POD_NAME: 'p', POD_NAMESPACE: 'n', LOG_LEVEL: 'info' });
    cleanup.push(() => proc.stop('SIGKILL'));
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, proc);
    const metric = async (name: string) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(name + ' '));
      return line ? Number(line.split(' ').pop()) : NaN;
    };
    await waitFor(() => target.scrapes() >= 5, 'scrapes');
    expect(sink.events).toHaveLength(0);

    // Update 1: add a threshold detector that fires on the orders queue (about 50).
    const loud = `${quiet}  - { name: threshold, match: 'app_queue_depth{queue="orders"}', params: { upper: 30 } }\n`;
    data = publish(dir, loud.replace('detectors: [{ name: zscore, params: { threshold: 50 } }]\n', 'detectors:\n  - { name: zscore, params: { threshold: 50 } }\n'), data);
    await waitFor(() => sink.events.length >= 2, 'anomalies from the new detector');
    expect(await metric('deucalion_dispatcher_config_reloads_total{result="success"}')).toBe(1);
    expect(new Set(sink.events.flatMap((e) => e.data.anomalies.map((a) => `${a.detector} ${a.labels.__name__} ${a.labels.queue}`)))).toEqual(new Set(['threshold app_queue_depth orders']));
    expect(proc.output()).toMatch(/"msg":"config reloaded"/);

    // Update 2: invalid. Logged and counted; the running config stays (anomalies keep coming).
    data = publish(dir, `${base}detectors: [{ name: threshold, params: { upper: "high" } }]\n`, data);
    await waitFor(async () => (await metric('deucalion_dispatcher_config_reloads_total{result="failure"}')) === 1, 'failed reload counted');
    expect(await metric('deucalion_dispatcher_config_last_reload_successful')).toBe(0);
    expect(proc.output()).toContain('detectors[0].params.upper: expected a number, got \\"high\\"');
    const before = sink.events.length;
    await waitFor(() => sink.events.length > before + 2, 'still detecting with the previous config');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Update 3: back to quiet. The removed detector's anomaly is reported resolved; then silence.
    publish(dir, quiet, data);
    await waitFor(() => sink.events.some((e) => e.data.resolved?.length), 'resolved for the removed detector');
    const resolvedEvent = sink.events.find((e) => e.data.resolved?.length)!;
    expect(resolvedEvent.data.resolved).toEqual([{ detector: 'threshold', labels: { __name__: 'app_queue_depth', queue: 'orders' }, timestamp: expect.any(Number) }]);
    expect(await metric('deucalion_dispatcher_config_reloads_total{result="success"}')).toBe(2);
    const settled = sink.events.length;
    const scrapes = target.scrapes();
    await waitFor(() => target.scrapes() >= scrapes + 5, 'five more scrapes');
    expect(sink.events.length).toBe(settled);
    expect(proc.child.exitCode).toBeNull();
    expect(await proc.stop('SIGTERM')).toBe(0);
  });
});
