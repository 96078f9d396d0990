// What a Knative SinkBinding gives the scrape-trigger besides K_SINK: K_CA_CERTS (the CA of an https
// sink) and K_CE_OVERRIDES (extension attributes on every event). The trigger runs as its own process
// (`deucalion function scrape-trigger`), against a scripted Prometheus, the zscore detector function
// and an https sink with a self-signed certificate made by openssl.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../lib/trigger/report.ts';
import { startSink as startTlsSink, type Sink } from '../dispatcher/harness.ts';
import { makeCert } from '../injector/tls.ts';
import { freePort, startCli, waitForHttp, type Started } from '../support/process.ts';
import { startDetector, startFakePrometheus, type FakePrometheus } from './harness.ts';

const STEP = 1000;
let dir: string;
let cert: string;
let prom: FakePrometheus;
let detectorUrl: string;
let sink: Sink;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deucalion-trigger-tls-'));
  const files = makeCert(dir, 'broker.local');
  cert = readFileSync(files.certFile, 'utf8');
  // Pod b jumps to 1000 in the last 5 s of every window (the trigger asks up to now).
  prom = await startFakePrometheus([{ __name__: 'queue', pod: 'a' }, { __name__: 'queue', pod: 'b' }], (labels, t) =>
    labels.pod === 'b' && t > Date.now() - 5000 ? 1000 : 10 + ((t / STEP) % 5) * 0.2,
  );
  const detector = await startDetector('zscore', 0, { warmup: 5, threshold: 4 });
  detectorUrl = detector.url;
  sink = await startTlsSink({ tls: { cert, key: readFileSync(files.keyFile, 'utf8') } });
  closers.push(prom.close, detector.close, () => sink.close());
});

afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

async function runTrigger(env: NodeJS.ProcessEnv): Promise<{ status: number; report: RunReport; proc: Started }> {
  const config = join(dir, `trigger-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    config,
    stringify({
      federation: 'zone-a',
      prometheus: { url: prom.url, retries: 0 },
      window: '1m',
      step: '1s',
      lookback: '30s',
      queries: [{ expr: 'queue', detectors: ['detector-zscore'] }],
      detectors: { urls: { 'detector-zscore': detectorUrl } },
      sink: { retry: { attempts: 2, backoff: '10ms', maxBackoff: '10ms' }, extensions: { team: 'payments' } },
    }),
  );
  const port = await freePort();
  const proc = startCli(['function', 'scrape-trigger', '--port', String(port), '--config', config], { LOG_LEVEL: 'info', K_SINK: sink.url, ...env });
  closers.push(() => proc.stop());
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(`${url}health/readiness`, proc);
  const res = await fetch(url, { method: 'POST', headers: { 'X-Connector': 'cron-connector' }, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, report: (await res.json()) as RunReport, proc };
}

describe('scrape-trigger under a SinkBinding', () => {
  it('sends to an https K_SINK trusting K_CA_CERTS, with K_CE_OVERRIDES extensions (sink.extensions wins by name)', async () => {
    const overrides = JSON.stringify({ extensions: { cluster: 'prod-eu1', team: 'platform' } });
    const { status, report, proc } = await runTrigger({ K_CA_CERTS: cert, K_CE_OVERRIDES: overrides });
    expect(status, JSON.stringify(report)).toBe(200);
    expect(sink.events.length).toBeGreaterThanOrEqual(1);
    const event = sink.events.at(-1)!;
    expect(event.data.anomalies.map((a) => a.labels.pod)).toContain('b');
    expect([event.event.source, event.event.cluster, event.event.team]).toEqual(['/federations/zone-a', 'prod-eu1', 'payments']);
    expect(event.headers['ce-cluster']).toBe('prod-eu1');
    expect(proc.output()).not.toContain('BEGIN CERTIFICATE');
  });

  it('without K_CA_CERTS the https sink is refused: the findings are reported dropped, with the reason', async () => {
    const before = sink.events.length;
    const { status, report } = await runTrigger({});
    expect(status).toBe(502);
    expect(JSON.stringify(report)).toMatch(/self[- ]signed certificate|SELF_SIGNED/i);
    expect(sink.events.length).toBe(before);
  });

  it('refuses to start on a K_CE_OVERRIDES it cannot honour, naming the variable', async () => {
    const port = await freePort();
    const proc = startCli(['function', 'scrape-trigger', '--port', String(port)], {
      FEDERATION: 'zone-a',
      PROMETHEUS_URL: prom.url,
      K_SINK: sink.url,
      K_CE_OVERRIDES: '{"extensions":{"Cluster":"prod"}}',
    });
    closers.push(() => proc.stop());
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(proc.output()).toContain('sink.extensions (from K_CE_OVERRIDES): extensions.Cluster: a CloudEvents attribute name is 1-20 lower-case letters and digits');
  });
});
