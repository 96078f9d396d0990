// STAND-IN for the scrape-trigger function (issue 5) while functions/scrape-trigger is a placeholder:
// `deucalion up`, the demo and the network benchmark use it only then. Same config (federation,
// prometheus.url, window, step, queries[{expr, detectors}], detectors.baseUrl|urls, sink.url) and the
// same contract: a cron POST or PingSource event in → query_range per query → one window event per
// query and detector → anomalies forwarded to the sink with the federation as source. No chunking,
// retries, overlap guard or metrics: the real trigger does that.
import { readFileSync } from 'node:fs';
import { CloudEvent } from 'cloudevents';
import { parse } from 'yaml';
import { EVENT_TYPES, federationSource, type Anomaly, type AnomalyData, type WindowData } from '../../contracts/types.ts';
import { parseDuration } from '../../duration.ts';
import { eventData } from '../../runtime/cloudevent.ts';
import type { DeucalionFunction } from '../../runtime/function.ts';
import { HttpError } from '../../runtime/http-error.ts';
import { sendCloudEvent } from '../../runtime/send.ts';

interface TriggerConfig {
  federation: string;
  prometheus: { url: string };
  window?: string;
  step?: string;
  queries: { expr: string; detectors?: string[] }[];
  detectors?: { baseUrl?: string; urls?: Record<string, string> };
  sink?: { url?: string };
}

export function createStandInTrigger(configFile: string, env: NodeJS.ProcessEnv): DeucalionFunction {
  const config = parse(readFileSync(configFile, 'utf8')) as TriggerConfig;
  const windowMs = parseDuration(config.window ?? '1h');
  const stepMs = parseDuration(config.step ?? '15s');
  const sink = config.sink?.url ?? env.K_SINK;
  const detectorUrl = (name: string) => config.detectors?.urls?.[name] ?? `${config.detectors?.baseUrl ?? env.DETECTORS_BASE_URL ?? ''}${name}`;
  let lastEnd: number | undefined;

  return {
    name: 'scrape-trigger',
    async handle(context) {
      const end = Math.floor(Date.now() / stepMs) * stepMs;
      const start = end - windowMs;
      // report only what the previous run has not seen (a cold start looks back two steps)
      const reportFrom = lastEnd === undefined ? end - 2 * stepMs : lastEnd + 1;
      lastEnd = end;
      const anomalies: Anomaly[] = [];
      const errors: string[] = [];
      for (const q of config.queries) {
        const body = new URLSearchParams({ query: q.expr, start: String(start / 1000), end: String(end / 1000), step: String(stepMs / 1000) });
        let series: WindowData['series'];
        try {
          const res = await fetch(`${config.prometheus.url}/api/v1/query_range`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
          const json = (await res.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
          if (json.status !== 'success') throw new Error(json.error ?? `HTTP ${res.status}`);
          series = json.data!.result.map((r) => ({ labels: r.metric, timestamps: r.values.map(([t]) => Math.round(t * 1000)), values: r.values.map(([, v]) => (v === 'NaN' ? null : Number(v))) }));
        } catch (err) {
          errors.push(`${q.expr}: ${(err as Error).message}`);
          continue;
        }
        if (!series.length) continue;
        for (const name of q.detectors ?? ['detector-zscore']) {
          const window: WindowData = { federation: config.federation, query: q.expr, start, end, step: stepMs, reportFrom, series };
          const event = new CloudEvent<WindowData>({ type: EVENT_TYPES.window, source: federationSource(config.federation), datacontenttype: 'application/json', data: window });
          try {
            const { reply } = await sendCloudEvent(detectorUrl(name), event, { timeoutMs: 30_000 });
            if (reply?.type === EVENT_TYPES.anomaly) anomalies.push(...(eventData(reply) as AnomalyData).anomalies);
          } catch (err) {
            errors.push(`${name}: ${(err as Error).message}`);
          }
        }
      }
      context.log.info('run', { federation: config.federation, anomalies: anomalies.length, errors });
      if (anomalies.length && sink) {
        const out = new CloudEvent<AnomalyData>({ type: EVENT_TYPES.anomaly, source: federationSource(config.federation), datacontenttype: 'application/json', data: { federation: config.federation, anomalies } });
        await sendCloudEvent(sink, out, { timeoutMs: 10_000 });
      }
      if (errors.length) throw new HttpError(502, errors.join('; ').slice(0, 1000));
      return undefined;
    },
  };
}
