import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { SinkConfig } from '../../lib/dispatcher/config.ts';
import { createEvent, encodeEvent } from '../../lib/dispatcher/event.ts';
import { EventSink, retryDelay, type DropReason } from '../../lib/dispatcher/sink.ts';
import { silentLogger } from '../../lib/log.ts';
import { backoffDelay, parseCloudEvent, eventData } from '../../lib/runtime/index.ts';
import { validateAnomalies } from '../../lib/contracts/index.ts';
import { startSink, waitFor, type Sink } from './harness.ts';

const data = (n: number) => ({ namespace: 'ns', pod: 'p', anomalies: [{ detector: 'zscore', labels: { __name__: 'm', i: String(n) }, timestamp: n, value: n, score: 2 }] });

function sinkConfig(url: string | undefined, over: Partial<SinkConfig> = {}): SinkConfig {
  return { url, timeoutMs: 1000, bufferEvents: 100, retryBaseMs: 20, retryMaxMs: 100, mode: 'binary', ...over };
}

function recorder() {
  const drops: [DropReason, number][] = [];
  let sent = 0;
  let failures = 0;
  let depth = 0;
  return {
    hooks: {
      sent: () => void sent++,
      failed: () => void failures++,
      dropped: (reason: DropReason, e: { findings: number }) => void drops.push([reason, e.findings]),
      depth: (n: number) => void (depth = n),
    },
    drops,
    sent: () => sent,
    failures: () => failures,
    depth: () => depth,
  };
}

let sink: Sink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

describe('event encoding', () => {
  it.each(['binary', 'structured'] as const)('%s mode parses with the CloudEvents SDK and validates against the schema', (mode) => {
    const event = createEvent('/namespaces/ns/pods/p', data(1), Date.UTC(2026, 0, 1));
    const { headers, body } = encodeEvent(event, mode);
    const parsed = parseCloudEvent(headers, body.toString());
    expect([parsed.type, parsed.source, parsed.id, parsed.time]).toEqual(['io.deucalion.anomaly.v1', '/namespaces/ns/pods/p', event.id, '2026-01-01T00:00:00.000Z']);
    expect(() => validateAnomalies(eventData(parsed))).not.toThrow();
    expect(eventData(parsed)).toEqual(data(1));
  });

  it.each(['binary', 'structured'] as const)('%s mode carries extension attributes (K_CE_OVERRIDES, sink.extensions) the SDK reads back', (mode) => {
    const event = createEvent('/namespaces/ns/pods/p', data(1));
    const { headers, body } = encodeEvent(event, mode, { cluster: 'prod-eu1', team: 'payments' });
    const parsed = parseCloudEvent(headers, body.toString());
    expect([parsed.cluster, parsed.team, parsed.source, parsed.type]).toEqual(['prod-eu1', 'payments', '/namespaces/ns/pods/p', 'io.deucalion.anomaly.v1']);
    expect(eventData(parsed)).toEqual(data(1));
  });

  it('gives every event its own id', () => {
    const ids = new Set(Array.from({ length: 100 }, () => createEvent('/s', data(1)).id));
    expect(ids.size).toBe(100);
  });

  it('backs off like backoffDelay in lib/runtime/send.ts', () => {
    for (const [attempt, random] of [[0, 0.5], [3, 0.25], [10, 0.99]] as const) {
      expect(retryDelay(attempt, 500, 30_000, () => random)).toBe(backoffDelay(attempt, 500, 30_000, () => random));
    }
  });
});

describe('EventSink', () => {
  it('delivers in order and loses nothing while the sink is down for a while', async () => {
    sink = await startSink();
    const r = recorder();
    const out = new EventSink(sinkConfig(sink.url), r.hooks, silentLogger);
    out.enqueue(createEvent('/s', data(0)));
    await waitFor(() => sink!.events.length === 1, 'first event');
    await sink.down();
    for (let i = 1; i <= 5; i++) out.enqueue(createEvent('/s', data(i)));
    await waitFor(() => r.failures() >= 3, 'retries while down');
    expect(out.depth).toBeGreaterThan(0);
    await sink.up();
    await waitFor(() => sink!.events.length === 6, 'all events after the sink is back');
    expect(sink.events.map((e) => e.data.anomalies[0].labels.i)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(r.drops).toEqual([]);
    expect(r.depth()).toBe(0);
    await out.flush(Date.now() + 1000);
  });

  it('drops the oldest events when the buffer is full, and counts them', async () => {
    const r = recorder();
    const out = new EventSink(sinkConfig('http://127.0.0.1:1/', { bufferEvents: 2, retryBaseMs: 10_000, retryMaxMs: 10_000 }), r.hooks, silentLogger);
    for (let i = 0; i < 5; i++) out.enqueue(createEvent('/s', data(i)));
    expect(r.drops).toEqual([['buffer_full', 1], ['buffer_full', 1], ['buffer_full', 1]]);
    expect(out.depth).toBe(2);
    await out.flush(Date.now() + 200);
    expect(r.drops.slice(3)).toEqual([['shutdown', 1], ['shutdown', 1]]);
  });

  it('drops an event the sink rejects with 400 and goes on with the next', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(++calls === 1 ? 400 : 202).end(calls === 1 ? 'bad event' : ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const r = recorder();
    const out = new EventSink(sinkConfig(`http://127.0.0.1:${(server.address() as { port: number }).port}/`), r.hooks, silentLogger);
    out.enqueue(createEvent('/s', data(1)));
    out.enqueue(createEvent('/s', data(2)));
    await waitFor(() => r.sent() === 1, 'second event sent');
    expect(r.drops).toEqual([['rejected', 1]]);
    await out.flush(Date.now() + 100);
    server.closeAllConnections();
    server.close();
  });

  it('retries 503 and 429 until accepted', async () => {
    const answers = [503, 429, 202];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answers.shift() ?? 202).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const r = recorder();
    const out = new EventSink(sinkConfig(`http://127.0.0.1:${(server.address() as { port: number }).port}/`), r.hooks, silentLogger);
    out.enqueue(createEvent('/s', data(1)));
    await waitFor(() => r.sent() === 1, 'accepted after retries');
    expect([r.failures(), r.drops.length]).toEqual([2, 0]);
    await out.flush(Date.now() + 100);
    server.closeAllConnections();
    server.close();
  });

  it('sends events that come close together over one connection, and reconnects after the sink closed it', async () => {
    let connections = 0;
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(202).end();
      });
    });
    // The sink closes idle connections long before the dispatcher would (Node adds a 1 s buffer by default).
    server.keepAliveTimeout = 100;
    server.keepAliveTimeoutBuffer = 0;
    server.on('connection', () => void connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const r = recorder();
    const out = new EventSink(sinkConfig(`http://127.0.0.1:${(server.address() as { port: number }).port}/`), r.hooks, silentLogger);
    for (let i = 1; i <= 3; i++) out.enqueue(createEvent('/s', data(i)));
    await waitFor(() => r.sent() === 3, 'three events');
    expect(connections).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    out.enqueue(createEvent('/s', data(4)));
    await waitFor(() => r.sent() === 4, 'the event after the idle close');
    expect(connections).toBe(2);
    expect(bodies.map((b) => JSON.parse(b).anomalies[0].labels.i)).toEqual(['1', '2', '3', '4']);
    expect([r.failures(), r.drops]).toEqual([0, []]);
    await out.flush(Date.now() + 100);
    server.closeAllConnections();
    server.close();
  });

  it('gives up on a sink that does not answer within the timeout, and retries', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      if (++calls > 1) req.on('end', () => res.writeHead(202).end()); // the first request hangs
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const r = recorder();
    const out = new EventSink(sinkConfig(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, { timeoutMs: 200 }), r.hooks, silentLogger);
    out.enqueue(createEvent('/s', data(1)));
    await waitFor(() => r.sent() === 1, 'accepted on the retry');
    expect([calls, r.failures(), r.drops.length]).toEqual([2, 1, 0]);
    await out.flush(Date.now() + 100);
    server.closeAllConnections();
    server.close();
  });

  it('counts anomalies it cannot send anywhere when no sink is configured', () => {
    const r = recorder();
    const out = new EventSink(sinkConfig(undefined), r.hooks, silentLogger);
    out.enqueue(createEvent('/s', data(1)));
    expect(r.drops).toEqual([['no_sink', 1]]);
  });

  it('flush delivers what is buffered once the sink comes back before the deadline', async () => {
    sink = await startSink();
    await sink.down();
    const r = recorder();
    const out = new EventSink(sinkConfig(sink.url, { retryBaseMs: 5000, retryMaxMs: 5000 }), r.hooks, silentLogger);
    out.enqueue(createEvent('/s', data(1)));
    await waitFor(() => r.failures() >= 1, 'a failure');
    const flushed = out.flush(Date.now() + 5000);
    await sink.up();
    await flushed;
    expect(sink.events).toHaveLength(1);
    expect(r.drops).toEqual([]);
  });
});
