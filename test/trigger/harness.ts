// Real HTTP pieces around a scrape-trigger under test: a sink that records the anomaly events it
// receives (and can refuse), a scripted Prometheus query_range server, and detector functions served
// by the real function runtime (optionally started late, as after a scale to zero).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findDetector } from '../../lib/detectors/index.ts';
import type { AnomalyData } from '../../lib/contracts/types.ts';
import { silentLogger } from '../../lib/log.ts';
import { eventData, parseCloudEvent, type AnyCloudEvent } from '../../lib/runtime/cloudevent.ts';
import { serveFunction, type RunningFunction } from '../../lib/runtime/server.ts';
import { createDetectorFunction } from '../../functions/detector/index.ts';

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export interface RecordingSink {
  readonly url: string;
  readonly events: AnyCloudEvent[];
  /** Answer the next `n` events with `status` instead of 202. */
  refuse(n: number, status?: number): void;
  anomalies(): AnomalyData['anomalies'];
  waitForEvents(n: number, timeoutMs?: number): Promise<AnyCloudEvent[]>;
  close(): Promise<void>;
}

export async function startSink(): Promise<RecordingSink> {
  const events: AnyCloudEvent[] = [];
  let refusals = 0;
  let refusalStatus = 503;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (refusals > 0) {
        refusals--;
        res.writeHead(refusalStatus, { 'content-type': 'application/json' }).end('{"error":"sink says no"}');
        return;
      }
      try {
        events.push(parseCloudEvent(req.headers, body));
        res.writeHead(202).end();
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    events,
    refuse(n, status = 503) {
      refusals = n;
      refusalStatus = status;
    },
    anomalies: () => events.flatMap((e) => (eventData(e) as AnomalyData).anomalies),
    async waitForEvents(n, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < n) {
        if (Date.now() > deadline) throw new Error(`sink got ${events.length} events, wanted ${n}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return events;
    },
    close: () => close(server),
  };
}

export interface FakePrometheus {
  readonly url: string;
  /** Form parameters of each query_range call. */
  readonly calls: URLSearchParams[];
  /** Answer every query_range with this HTTP status and Prometheus error envelope (undefined: normal). */
  fail(error?: { status: number; errorType: string; error: string }): void;
  /** Hold each answer this long (ms). */
  delay(ms: number): void;
  close(): Promise<void>;
}

/**
 * A query_range server over synthetic series: for every grid point t of the asked range it answers
 * value(labels, t), or no point where that returns undefined (a gap). The query text is ignored.
 */
export async function startFakePrometheus(seriesLabels: Record<string, string>[], value: (labels: Record<string, string>, tMs: number) => number | undefined): Promise<FakePrometheus> {
  const calls: URLSearchParams[] = [];
  let failure: { status: number; errorType: string; error: string } | undefined;
  let holdMs = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/-/ready') return void res.writeHead(200).end('ready');
      const form = new URLSearchParams(body);
      calls.push(form);
      const answer = () => {
        if (failure) {
          res.writeHead(failure.status, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ status: 'error', errorType: failure.errorType, error: failure.error }));
        }
        const start = Math.round(Number(form.get('start')) * 1000);
        const end = Math.round(Number(form.get('end')) * 1000);
        const step = Math.round(Number(form.get('step')) * 1000);
        const result = seriesLabels.map((labels) => {
          const values: [number, string][] = [];
          for (let t = start; t <= end; t += step) {
            const v = value(labels, t);
            if (v !== undefined) values.push([t / 1000, String(v)]);
          }
          return { metric: labels, values };
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
      };
      if (holdMs > 0) setTimeout(answer, holdMs);
      else answer();
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    fail: (error) => (failure = error),
    delay: (ms) => (holdMs = ms),
    close: () => close(server),
  };
}

/** detector-<name> served by the real function runtime on `port` (0: any). */
export async function startDetector(name: string, port = 0, params: Record<string, unknown> = {}): Promise<RunningFunction> {
  const detector = findDetector(name);
  if (!detector) throw new Error(`no built-in detector ${name}`);
  return serveFunction(createDetectorFunction(detector, params), { port, host: '127.0.0.1', log: silentLogger });
}
