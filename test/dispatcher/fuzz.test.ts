// Random corruption of real expositions, served by a real target to the dispatcher process: it must
// never crash, keep serving /healthz, count what it skipped, and send only valid events.
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHistogramPayload } from '../../bench/fixtures/index.ts';
import { seededRandom } from '../support/signals.ts';
import { REPO_ROOT, freePort, startCli, waitForHttp } from '../support/process.ts';
import { startSink, startTarget, waitFor } from './harness.ts';

const testdata = (f: string) => readFileSync(join(REPO_ROOT, 'test/expo/testdata', f), 'utf8');
const PAYLOADS = [
  { text: testdata('node-exporter.prom'), om: false },
  { text: testdata('exposition-format-example.prom'), om: false },
  { text: testdata('openmetrics-example.om'), om: true },
  { text: generateHistogramPayload().slice(0, 60_000), om: false },
];
const GARBAGE = ['{', '}', '"', '\\', '=', ',', ' ', '\n', '#', '# TYPE ', '# EOF\n', 'NaN', '+Inf', '1e999', '\u0000', '\uFFFD', 'é', '\t', 'x{a="', '_total', '\r\n'];

type Mutation = (s: string, r: () => number, res: ServerResponse) => string | Buffer | 'handled';
const at = (s: string, r: () => number) => Math.floor(r() * (s.length + 1));
const MUTATIONS: Mutation[] = [
  (s, r) => s.slice(0, at(s, r)), // truncate
  (s, r) => {
    const chars = [...s];
    for (let k = 0; k < 1 + r() * 40; k++) chars[Math.floor(r() * chars.length)] = GARBAGE[Math.floor(r() * GARBAGE.length)];
    return chars.join('');
  },
  (s, r) => {
    const i = at(s, r);
    return s.slice(0, i) + GARBAGE[Math.floor(r() * GARBAGE.length)].repeat(1 + Math.floor(r() * 5)) + s.slice(i);
  },
  (s, r) => {
    const lines = s.split('\n');
    for (let k = 0; k < 10; k++) lines.splice(Math.floor(r() * lines.length), 0, lines[Math.floor(r() * lines.length)]);
    return lines.join('\n'); // duplicated and misplaced lines
  },
  (s, r) => {
    const bytes = Buffer.from(s);
    for (let k = 0; k < 20; k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256); // invalid UTF-8 too
    return bytes;
  },
  (s, r) => `x${'{a="b"}'.repeat(Math.floor(r() * 3))}${'a'.repeat(20_000)} 1\n${s}`, // absurd line
  (_s, r) => Buffer.from(Array.from({ length: 2000 }, () => Math.floor(r() * 256))), // binary noise
  (s, _r, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(gzipSync(s).subarray(0, 100)); // truncated gzip
    return 'handled';
  },
  (s, _r, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0' });
    res.end(s.replace(/# EOF\n?$/, '')); // OpenMetrics without # EOF
    return 'handled';
  },
  (_s, _r, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
    res.write('a 1\nb 2');
    setTimeout(() => res.socket?.destroy(), 5); // connection cut mid-body
    return 'handled';
  },
  (_s, _r, res) => {
    setTimeout(() => res.headersSent || res.writeHead(200, { 'content-type': 'text/plain' }).end('late 1\n'), 300); // beyond the timeout
    return 'handled';
  },
  (_s, r) => 'a 1\n'.repeat(30_000 + Math.floor(r() * 1000)), // over the body size limit
];

describe('dispatcher fuzz: corrupted real payloads', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('never crashes, counts parse errors, sends only valid events', async () => {
    const random = seededRandom(2024);
    const counts = new Map<number, number>();
    const target = await startTarget({
      mutate: (_generated, n, res) => {
        const payload = PAYLOADS[n % PAYLOADS.length];
        if (n % 5 === 0) return payload.text; // some clean scrapes in between
        const m = Math.floor(random() * MUTATIONS.length);
        counts.set(m, (counts.get(m) ?? 0) + 1);
        const out = MUTATIONS[m](payload.text, random, res);
        if (out !== 'handled' && payload.om) {
          res.setHeader('content-type', 'application/openmetrics-text; version=1.0.0; charset=utf-8');
        }
        if (out !== 'handled') {
          res.writeHead(200, { 'content-type': String(res.getHeader('content-type') ?? 'text/plain; version=0.0.4') });
          res.end(out);
        }
        return 'handled';
      },
    });
    const sink = await startSink();
    cleanup.push(() => target.close(), () => sink.close());
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-dispatcher-fuzz-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `target: { url: "${target.url}", interval: 40ms, timeout: 35ms, bodySizeLimit: 100KB }
detectors: [{ name: zscore, params: { warmup: 3 } }, { name: stuck, params: { absent: 200ms } }, { name: ewma }]
series: { vanishAfter: 1s }
sink: { url: "${sink.url}", retryBase: 10ms, retryMax: 50ms }
listen: "127.0.0.1:${port}"
`,
    );
    const proc = startCli(['dispatcher', '--config', config], { POD_NAME: 'p', POD_NAMESPACE: 'n', LOG_LEVEL: 'warn' });
    cleanup.push(() => proc.stop('SIGKILL'));
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, proc);
    await waitFor(() => target.scrapes() >= 300 || proc.child.exitCode !== null, '300 scrapes', 60_000);

    expect(proc.child.exitCode).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string) => Number(/ ([\d.e+]+)$/m.exec(metrics.split('\n').find((l) => l.startsWith(name))!)![1]);
    expect(value('deucalion_dispatcher_parse_errors_total')).toBeGreaterThan(0);
    expect(value('deucalion_dispatcher_scrapes_total{result="ok"}')).toBeGreaterThan(50);
    expect(value('deucalion_dispatcher_scrapes_total{result="body_too_large"}')).toBeGreaterThan(0);
    expect(value('deucalion_dispatcher_scrapes_total{result="timeout"}')).toBeGreaterThan(0);
    expect(counts.size).toBe(MUTATIONS.length); // every kind of corruption was served
    expect(sink.invalid).toEqual([]);
    expect(proc.output()).not.toMatch(/"level":"error"/);
    expect(await proc.stop('SIGTERM')).toBe(0);
  });
});
