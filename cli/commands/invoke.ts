import { readFileSync } from 'node:fs';
import { CloudEvent } from 'cloudevents';
import { loadFunction } from '../../functions/index.ts';
import { EVENT_TYPES } from '../../lib/contracts/types.ts';
import { createLogger } from '../../lib/log.ts';
import { sendCloudEvent, SendError } from '../../lib/runtime/send.ts';
import { serveFunction } from '../../lib/runtime/server.ts';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'invoke',
  summary: 'send a CloudEvent to a URL or an in-process function, print the reply',
  usage: `
Usage: deucalion invoke TARGET [--type T] [--source S] [--data JSON|@file|-] [--structured] [--header K=V]

Local function testing with CloudEvents. TARGET is a URL, or a function name (detector-zscore,
scrape-trigger, alert-forwarder, a detector module path) that is started in-process on a free port,
invoked through its real HTTP endpoint, and stopped.

Options:
  --type T       event type (default by target: detector → ${EVENT_TYPES.window},
                 scrape-trigger → ${EVENT_TYPES.ping}, alert-forwarder → ${EVENT_TYPES.anomaly})
  --source S     event source (default /deucalion/cli)
  --data D       event data: inline JSON, @file with JSON, or - for stdin
  --structured   send in structured mode (default binary)
  --header K=V   extra HTTP header, repeatable (e.g. X-Connector=cron-connector)
  --config F     config file for an in-process function
  --plain        send a plain POST without a CloudEvent (as the OpenFaaS cron-connector does)

Prints the reply event as JSON on stdout; exit 0 on 2xx (204 prints a note on stderr), 1 otherwise.

Example:
  deucalion invoke detector-zscore --data @examples/windows/spike.json
`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      type: { type: 'string' },
      source: { type: 'string' },
      data: { type: 'string' },
      structured: { type: 'boolean' },
      header: { type: 'string', multiple: true },
      config: { type: 'string' },
      plain: { type: 'boolean' },
    });
    const target = positionals[0];
    if (!target) throw new UsageError('missing TARGET (a URL or a function name)');
    const data = values.data === undefined ? undefined : readData(values.data);
    const headers = parseHeaders(values.header ?? []);
    const isUrl = /^https?:\/\//.test(target);
    const log = createLogger('invoke', { level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'error' });
    let url = target;
    let stop: (() => Promise<void>) | undefined;
    if (!isUrl) {
      const fn = await loadFunction(target, { config: values.config, env: process.env, log });
      const running = await serveFunction(fn, { port: 0, host: '127.0.0.1', log });
      url = running.url;
      stop = running.close;
    }
    try {
      if (values.plain) return await sendPlain(url, headers, data);
      const event = new CloudEvent({
        type: values.type ?? defaultType(target),
        source: values.source ?? '/deucalion/cli',
        datacontenttype: 'application/json',
        data,
      });
      const result = await sendCloudEvent(url, event, { mode: values.structured ? 'structured' : 'binary', headers, timeoutMs: 60_000 });
      if (result.reply) process.stdout.write(JSON.stringify(result.reply.toJSON(), null, 2) + '\n');
      else process.stderr.write(`${result.status} ${result.status === 204 ? 'No Content: nothing to report' : result.body}\n`);
      return 0;
    } catch (err) {
      if (err instanceof SendError) {
        process.stderr.write(`${err.status ?? 'error'}: ${reason(err)}\n`);
        return 1;
      }
      throw err;
    } finally {
      await stop?.();
    }
  },
};

function defaultType(target: string): string {
  if (/scrape-trigger/.test(target)) return EVENT_TYPES.ping;
  if (/alert-forwarder/.test(target)) return EVENT_TYPES.anomaly;
  return EVENT_TYPES.window;
}

function readData(raw: string): unknown {
  const text = raw === '-' ? readFileSync(0, 'utf8') : raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--data is not valid JSON: ${(err as Error).message}`);
  }
}

function parseHeaders(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--header expects K=V, got "${pair}"`);
    out[pair.slice(0, at).toLowerCase()] = pair.slice(at + 1);
  }
  return out;
}

function reason(err: SendError): string {
  try {
    return (JSON.parse(err.body ?? '') as { error?: string }).error ?? err.message;
  } catch {
    return err.message;
  }
}

async function sendPlain(url: string, headers: Record<string, string>, data: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: data === undefined ? '' : JSON.stringify(data),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  process.stdout.write(text ? `${text}\n` : '');
  process.stderr.write(`${response.status}\n`);
  return response.ok ? 0 : 1;
}
