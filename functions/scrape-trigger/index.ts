// scrape-trigger: one per federation. A cron tick (Knative PingSource event or OpenFaaS
// cron-connector POST) runs range queries against the federation's Prometheus, fans the windows out
// to detector functions and forwards their anomalies to the sink (docs/federated.md).
//
// Reply: always plain JSON (the run report), never a CloudEvent: a PingSource or Broker would route a
// reply event as a new event, and the findings already went to the sink. 200 for ok, partial and
// skipped runs; 502 for a failed one (Prometheus down, every window or every finding lost), so
// cron-connector logs and `deucalion up` show it. Malformed ticks get a 400 with the reason.
import type { DeucalionFunction, FunctionOptions } from '../../lib/runtime/function.ts';
import { trustCaCertificates } from '../../lib/sink-binding.ts';
import { loadTriggerConfig } from '../../lib/trigger/config.ts';
import { parseTick } from '../../lib/trigger/tick.ts';
import { createTrigger } from '../../lib/trigger/trigger.ts';

export async function create(options: FunctionOptions): Promise<DeucalionFunction> {
  const config = loadTriggerConfig(options.config, options.env);
  // fetch takes no per-request CA: a SinkBinding's CA is trusted process-wide (the system's stay).
  if (config.sink.caCerts) trustCaCertificates(config.sink.caCerts);
  const trigger = createTrigger(config, { log: options.log });
  options.log.info('scrape-trigger configured', {
    federation: config.federation,
    prometheus: config.prometheus.url,
    window: config.windowMs,
    step: config.stepMs,
    queries: config.queries.map((q) => ({ expr: q.expr, detectors: q.detectors.map((d) => `${d.name} ${d.url}`) })),
    sink: config.sink.url,
    sinkCaCerts: config.sink.caCerts ? 'K_CA_CERTS' : undefined,
    extensions: config.sink.extensions,
  });
  return {
    name: 'scrape-trigger',
    metrics: trigger.metrics,
    async handle(context, event) {
      const tick = parseTick(context.headers, context.body, event);
      const report = await trigger.run(tick);
      return { status: report.status === 'failed' ? 502 : 200, json: report };
    },
    readiness: () => trigger.ready(),
    liveness: () => true,
    shutdown: () => trigger.close(),
  };
}
