// The dispatcher as Kubernetes runs it: a separate process (`deucalion dispatcher --config F`), a real
// HTTP target with an injected spike, a real HTTP sink that validates every CloudEvent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Anomaly } from '../../lib/contracts/index.ts';
import { makeCert } from '../injector/tls.ts';
import { requireBinary } from '../support/binaries.ts';
import { REPO_ROOT, runCli, startCli, waitForHttp, type Started } from '../support/process.ts';
import { startSink, startTarget, waitFor, type Sink, type Target } from './harness.ts';

const POD = { POD_NAME: 'checkout-7d9f', POD_NAMESPACE: 'shop', LOG_LEVEL: 'info' };
const promtool = requireBinary('promtool');

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function writeConfig(target: Target, sink: Sink | undefined, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    `target: { url: "${target.url}", interval: 100ms, timeout: 90ms }
detectors:
  - name: zscore
    params: { threshold: 6, window: 30, warmup: 10 }
series: { resolveAfter: 3 }
sink: { url: "${sink?.url ?? 'http://127.0.0.1:1/'}", retryBase: 50ms, retryMax: 400ms }
listen: "127.0.0.1:0"
${extra}`,
  );
  return file;
}

async function startDispatcher(config: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ proc: Started; url: string }> {
  const proc = startCli(['dispatcher', '--config', config, ...args], { ...POD, ...env });
  cleanup.push(() => proc.stop('SIGKILL'));
  await waitFor(() => /"msg":"dispatcher started"/.test(proc.output()) || proc.child.exitCode !== null, 'dispatcher start', 20_000);
  const url = /"http":"([^"]+)"/.exec(proc.output())?.[1];
  if (!url) throw new Error(`dispatcher did not start:\n${proc.output()}`);
  await waitForHttp(`${url}/readyz`, proc);
  return { proc, url };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`) && l.includes('} ') && l.startsWith(name));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

const seriesOf = (a: Pick<Anomaly, 'labels'>) => `${a.labels.__name__}${JSON.stringify(Object.fromEntries(Object.entries(a.labels).filter(([k]) => k !== '__name__')))}`;

describe('deucalion dispatcher (separate process)', () => {
  it('sends exactly one anomaly event for a spiked series, none for normal series, then resolves it; promtool accepts /metrics', async () => {
    const target = await startTarget({ spikes: new Map([[30, 'app_queue_depth']]) });
    const sink = await startSink();
    cleanup.push(() => target.close(), () => sink.close());
    const { proc, url } = await startDispatcher(writeConfig(target, sink));
    await waitFor(() => target.scrapes() >= 60, '60 scrapes');
    await waitFor(() => sink.events.some((e) => e.data.resolved?.length), 'the resolve event');

    const withAnomalies = sink.events.filter((e) => e.data.anomalies.length > 0);
    expect(withAnomalies.map((e) => e.data.anomalies.map(seriesOf))).toEqual([['app_queue_depth{"queue":"orders"}']]);
    const [event] = withAnomalies;
    expect(event.event.source).toBe('/namespaces/shop/pods/checkout-7d9f');
    expect(event.event.type).toBe('io.deucalion.anomaly.v1');
    expect(event.headers['ce-specversion']).toBe('1.0'); // binary mode
    expect(event.data).toMatchObject({ namespace: 'shop', pod: 'checkout-7d9f' });
    expect(event.data.anomalies[0]).toMatchObject({ detector: 'zscore', labels: { __name__: 'app_queue_depth', queue: 'orders' } });
    expect(event.data.anomalies[0].value).toBeGreaterThan(4000);
    expect(event.data.anomalies[0].score).toBeGreaterThanOrEqual(1);
    const resolved = sink.events.flatMap((e) => e.data.resolved ?? []);
    expect(resolved.map(seriesOf)).toEqual(['app_queue_depth{"queue":"orders"}']);
    expect(sink.invalid).toEqual([]);

    expect(await metric(url, 'deucalion_dispatcher_anomalies_total{detector="zscore"}')).toBe(1);
    expect(await metric(url, 'deucalion_dispatcher_series')).toBe(23);
    expect(await metric(url, 'deucalion_dispatcher_target_up')).toBe(1);
    expect(await metric(url, 'deucalion_dispatcher_parse_errors_total')).toBe(0);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(target.lastHeaders()?.accept).toMatch(/^application\/openmetrics-text;version=1\.0\.0/);

    const exposition = await (await fetch(`${url}/metrics`)).text();
    expect(exposition).toContain('deucalion_dispatcher_sent_bytes_total');
    if (promtool) {
      const check = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
      expect(`${check.status} ${check.stdout}${check.stderr}`).toBe('0 ');
    }
    expect(await proc.stop('SIGTERM')).toBe(0);
  });

  it('loses no anomaly event while the sink is down for a while', async () => {
    const spikes = new Map([[30, 'app_queue_depth'], [45, 'app_temperature_celsius:3'], [55, 'app_requests_total:1']]);
    const target = await startTarget({ spikes });
    const sink = await startSink();
    cleanup.push(() => target.close(), () => sink.close());
    const { proc, url } = await startDispatcher(writeConfig(target, sink));
    await waitFor(() => sink.events.length >= 1, 'the first anomaly while the sink is up');
    await waitFor(() => target.scrapes() >= 38, 'scrape 38');
    await sink.down();
    await waitFor(() => target.scrapes() >= 70, 'scrape 70 (sink down meanwhile)');
    expect(await metric(url, 'deucalion_dispatcher_buffer_events')).toBeGreaterThan(0);
    await sink.up();
    await waitFor(async () => (await metric(url, 'deucalion_dispatcher_buffer_events')) === 0 && target.scrapes() >= 80, 'buffer drained');

    const anomalies = sink.events.flatMap((e) => e.data.anomalies);
    expect(anomalies.map(seriesOf)).toEqual(['app_queue_depth{"queue":"orders"}', 'app_temperature_celsius{"sensor":"s3","zone":"a \\"quoted\\" zone"}', 'app_requests_total{"route":"/r1"}']);
    expect(anomalies[2].value).toBeGreaterThan(10_000); // the counter, fed as a rate
    expect(await metric(url, 'deucalion_dispatcher_send_failures_total{reason="network"}')).toBeGreaterThan(0);
    for (const reason of ['buffer_full', 'rejected', 'shutdown', 'no_sink']) {
      expect(await metric(url, `deucalion_dispatcher_dropped_events_total{reason="${reason}"}`)).toBe(0);
    }
    expect(new Set(sink.events.map((e) => e.event.id)).size).toBe(sink.events.length);
    expect(await proc.stop('SIGTERM')).toBe(0);
  });

  it('scrapes an https target trusting tls.caFile and sends to an https K_SINK trusting K_CA_CERTS, as a SinkBinding sets them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-tls-'));
    const pem = (cn: string, name: string) => {
      const files = makeCert(dir, cn, name);
      return { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8'), certFile: files.certFile };
    };
    const app = pem('app.local', 'app');
    const broker = pem('broker.local', 'broker');
    const target = await startTarget({ spikes: new Map([[30, 'app_queue_depth']]), tls: app });
    const sink = await startSink({ tls: broker });
    cleanup.push(() => target.close(), () => sink.close());
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `target: { url: "${target.url}", interval: 100ms, timeout: 90ms, tls: { caFile: app.crt } }
detectors:
  - name: zscore
    params: { threshold: 6, window: 30, warmup: 10 }
sink: { retryBase: 50ms, retryMax: 400ms }
listen: "127.0.0.1:0"
`);
    const { proc, url } = await startDispatcher(config, [], { K_SINK: sink.url, K_CA_CERTS: broker.cert });
    await waitFor(() => sink.events.length >= 1, 'the anomaly at the https sink');
    expect(sink.events[0].data.anomalies.map(seriesOf)).toEqual(['app_queue_depth{"queue":"orders"}']);
    expect(await metric(url, 'deucalion_dispatcher_target_up')).toBe(1);
    // Kept alive, both (a scrape that times out on a loaded machine reconnects, hence no exact count).
    expect(target.connections()).toBeLessThan(target.scrapes() / 5);
    expect(sink.connections()).toBe(1);
    expect(proc.output()).not.toContain('BEGIN CERTIFICATE');
    expect(await proc.stop('SIGTERM')).toBe(0);
  });

  it('flushes buffered events on SIGTERM when the sink comes back within the grace period', async () => {
    const target = await startTarget({ spikes: new Map([[25, 'app_queue_depth']]) });
    const sink = await startSink();
    cleanup.push(() => target.close(), () => sink.close());
    await sink.down();
    const { proc, url } = await startDispatcher(writeConfig(target, sink), ['--grace', '20s']);
    await waitFor(async () => (await metric(url, 'deucalion_dispatcher_buffer_events')) >= 1, 'an event buffered');
    const exited = proc.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    expect(proc.child.exitCode).toBeNull(); // still trying to deliver
    await sink.up();
    expect(await exited).toBe(0);
    expect(sink.events.flatMap((e) => e.data.anomalies).map(seriesOf)).toEqual(['app_queue_depth{"queue":"orders"}']);
    expect(proc.output()).not.toMatch(/undelivered/);
  });

  it('fails at startup on an invalid config, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-'));
    writeFileSync(join(dir, 'c.yaml'), 'target: { url: "http://127.0.0.1:1/", interval: soon }\ndetectors: [{ name: zscore, params: { window: 1 } }]\n');
    const r = await runCli(['dispatcher', '--config', join(dir, 'c.yaml')], POD);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('target.interval: invalid duration "soon"');
    expect(r.stderr).toContain('detectors[0].params.window: expected a number >= 2, got 1');
  });

  it('--check validates the config as the dispatcher reads it: a summary and exit 0, or every problem and exit 1', async () => {
    const target = await startTarget();
    cleanup.push(() => target.close());
    const good = await runCli(['dispatcher', '--check', '--config', writeConfig(target, undefined)], POD);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('config OK');
    expect(good.stdout).toContain(`target     ${target.url} every 100ms (timeout 90ms, gzip off)`);
    expect(good.stdout).toContain('detectors  zscore on every series');
    expect(good.stdout).toContain('identity   pod shop/checkout-7d9f');

    // The example of docs/dispatcher.md, as printed there.
    const doc = readFileSync(join(REPO_ROOT, 'docs/dispatcher.md'), 'utf8');
    const [, yaml, shown] = /`--check` validates[\s\S]*?```yaml\n([\s\S]*?)```[\s\S]*?```console\n\$ deucalion dispatcher --check --config config.yaml\n([\s\S]*?)```/.exec(doc)!;
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-'));
    writeFileSync(join(dir, 'config.yaml'), yaml);
    const documented = await runCli(['dispatcher', '--check', '--config', join(dir, 'config.yaml')], { POD_NAME: '', POD_NAMESPACE: '', K_SINK: '', DEUCALION_HTTP_PORT: '' });
    expect(documented.code).toBe(0);
    expect(documented.stdout.replace(join(dir, 'config.yaml'), 'config.yaml')).toBe(shown);

    writeFileSync(join(dir, 'c.yaml'), 'target: { url: "ftp://example/", interval: 1s, timeout: 5s }\ndetectors: [{ name: nosuch }]\n');
    const bad = await runCli(['dispatcher', '--check', '--config', join(dir, 'c.yaml')], POD);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('target.url: expected an http:// or https:// URL');
    expect(bad.stderr).toContain('target.timeout: must not exceed target.interval');
    expect(bad.stderr).toContain('detectors[0].name: unknown detector "nosuch"');
  });

  it('waits unready without a config, and starts when the file appears', async () => {
    const target = await startTarget();
    const sink = await startSink();
    cleanup.push(() => target.close(), () => sink.close());
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-'));
    const file = join(dir, 'config.yaml');
    const proc = startCli(['dispatcher'], { ...POD, DEUCALION_CONFIG: file, DEUCALION_HTTP_PORT: '0' });
    cleanup.push(() => proc.stop('SIGKILL'));
    await waitFor(() => /"http":"([^"]+)"/.test(proc.output()), 'dispatcher start');
    const url = /"http":"([^"]+)"/.exec(proc.output())![1];
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, (await ready.text()).trim()]).toEqual([503, expect.stringMatching(/^no config: .*target\.url: required/s)]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    writeFileSync(file, `target: { url: "${target.url}", interval: 100ms }\nsink: { url: "${sink.url}" }\n`);
    await waitForHttp(`${url}/readyz`, proc);
    await waitFor(() => target.scrapes() > 0, 'a scrape');
  });
});
