// Delivery of anomaly events to the sink (K_SINK: a Knative Broker or the alert-forwarder). Events wait
// in a bounded FIFO buffer and are sent one at a time, in order; a failed send is retried with
// exponential backoff and full jitter until it succeeds, so an outage delays events but loses none
// unless the buffer overflows (the oldest event is dropped) or the sink rejects an event outright
// (4xx other than 408/429). Every drop is counted and logged.
// Plain-http sinks (the usual K_SINK: a Broker's or the alert-forwarder's cluster address) are sent to
// through the dispatcher's small HTTP client (http-client.ts), over a connection kept while events come
// close together; https sinks through https-client.ts (node:https), trusting $K_CA_CERTS or sink.tls.
import type { Logger } from '../log.ts';
import type { SinkConfig } from './config.ts';
import { encodeEvent, type OutgoingEvent } from './event.ts';
import { PeerClients } from './https-client.ts';
import { USER_AGENT } from './scrape.ts';

/** A sink's answer is read up to this size (its body only matters for the log line of a failure). */
const MAX_ANSWER_BYTES = 1024 * 1024;
/**
 * Idle time after which the kept-alive connection to the sink is closed. Events are rare, so between
 * them the connection would mostly sit idle; shorter than the idle timeout of Node's HTTP server (5 s,
 * the shortest common one), so the sink does not close it just as the next event goes out.
 */
const SINK_IDLE_MS = 4000;

export type DropReason = 'buffer_full' | 'rejected' | 'shutdown' | 'no_sink';

export interface SinkHooks {
  sent(event: OutgoingEvent, bytes: number): void;
  failed(reason: string): void;
  dropped(reason: DropReason, event: OutgoingEvent): void;
  depth(events: number): void;
}

class SendFailure extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
  get retryable(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 408 || this.status === 429;
  }
  get reason(): string {
    return this.status === undefined ? 'network' : `http_${this.status}`;
  }
}

/**
 * Full-jitter exponential backoff: the formula of backoffDelay in lib/runtime/send.ts. Not imported:
 * send.ts loads the cloudevents SDK and ajv, which the sidecar avoids for memory (see event.ts).
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

export class EventSink {
  private config: SinkConfig;
  private readonly queue: OutgoingEvent[] = [];
  private readonly clients = new PeerClients({ idleMs: SINK_IDLE_MS });
  private running = false;
  private wake: (() => void) | undefined;
  private closing = false;
  private readonly hooks: SinkHooks;
  private readonly log: Logger;

  constructor(config: SinkConfig, hooks: SinkHooks, log: Logger) {
    this.config = config;
    this.hooks = hooks;
    this.log = log;
  }

  get depth(): number {
    return this.queue.length;
  }

  /** New settings on reload; buffered events stay and go to the new URL. */
  update(config: SinkConfig): void {
    this.config = config;
    this.trim();
    this.wake?.();
  }

  enqueue(event: OutgoingEvent): void {
    if (this.config.url === undefined) {
      this.log.warn('no sink configured (sink.url or K_SINK): anomaly event dropped', { findings: event.findings, data: event.data });
      this.hooks.dropped('no_sink', event);
      return;
    }
    this.queue.push(event);
    this.trim();
    this.hooks.depth(this.queue.length);
    if (!this.running) void this.pump();
  }

  /** Send what is buffered, retrying until `deadlineMs` (epoch ms); whatever is left is dropped and counted. */
  async flush(deadlineMs: number): Promise<void> {
    this.closing = true;
    this.wake?.();
    while (this.queue.length > 0 && Date.now() < deadlineMs) {
      if (!this.running) void this.pump();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const left = this.queue.splice(0);
    for (const event of left) this.hooks.dropped('shutdown', event);
    if (left.length > 0) this.log.error('shutting down with undelivered anomaly events: dropped', { events: left.length, findings: left.reduce((n, e) => n + e.findings, 0) });
    this.hooks.depth(0);
    this.clients.close();
  }

  private trim(): void {
    while (this.queue.length > this.config.bufferEvents) {
      const oldest = this.queue.shift()!;
      this.hooks.dropped('buffer_full', oldest);
      this.log.warn('sink buffer full: oldest anomaly event dropped', { buffer: this.config.bufferEvents, id: oldest.id, findings: oldest.findings });
    }
  }

  private async pump(): Promise<void> {
    this.running = true;
    let attempt = 0;
    try {
      while (this.queue.length > 0) {
        const event = this.queue[0];
        try {
          const bytes = await this.send(event);
          if (this.queue[0] === event) this.queue.shift();
          attempt = 0;
          this.hooks.sent(event, bytes);
          this.hooks.depth(this.queue.length);
        } catch (err) {
          const failure = err instanceof SendFailure ? err : new SendFailure(String(err));
          this.hooks.failed(failure.reason);
          if (!failure.retryable) {
            if (this.queue[0] === event) this.queue.shift();
            this.hooks.dropped('rejected', event);
            this.hooks.depth(this.queue.length);
            this.log.error('sink rejected an anomaly event: dropped', { id: event.id, error: failure.message, findings: event.findings });
            continue;
          }
          // Shutting down: keep trying, but at the fastest pace the deadline allows.
          const delay = this.closing ? Math.min(100, this.config.retryBaseMs) : retryDelay(attempt, this.config.retryBaseMs, this.config.retryMaxMs);
          attempt++;
          this.log.warn('sending anomaly event failed; retrying', { id: event.id, attempt, delayMs: delay, buffered: this.queue.length, error: failure.message });
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = undefined;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async send(event: OutgoingEvent): Promise<number> {
    const url = new URL(this.config.url!);
    const { headers, body } = encodeEvent(event, this.config.mode, this.config.extensions);
    const timeoutMs = this.config.timeoutMs;
    const client = this.clients.for(url, this.config.tls);
    const timer = setTimeout(() => client.abort(`timed out after ${timeoutMs} ms`), timeoutMs);
    let answer;
    try {
      answer = await client.post(url, { ...headers, 'User-Agent': USER_AGENT }, body, MAX_ANSWER_BYTES);
    } catch (err) {
      throw new SendFailure(`sending to ${url.href} failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    if (answer.status >= 200 && answer.status < 300) return body.length;
    throw new SendFailure(`sink answered HTTP ${answer.status}: ${answer.body.toString('utf8', 0, Math.min(answer.body.length, 300))}`, answer.status);
  }
}
