// alert-forwarder: io.deucalion.anomaly.v1 events in, Prometheus Alertmanager v2 alerts out (or the
// embedded sink when no Alertmanager is configured). Stateless between events, so it can scale to
// zero: alert state lives in the events and in Alertmanager (see docs/alerts.md).
import { AlertConfigError, loadAlertConfig } from '../../lib/alerts/config.ts';
import { AlertForwarder } from '../../lib/alerts/forwarder.ts';
import type { DeucalionFunction, FunctionOptions } from '../../lib/runtime/function.ts';

export async function create(options: FunctionOptions): Promise<DeucalionFunction> {
  let config;
  try {
    config = loadAlertConfig(options.env, options.config);
  } catch (err) {
    if (err instanceof AlertConfigError) throw new Error(`alert-forwarder: invalid configuration: ${err.message}`);
    throw err;
  }
  const forwarder = new AlertForwarder(config, { log: options.log });
  return {
    name: 'alert-forwarder',
    metrics: forwarder.metrics.registry,
    async init() {
      await forwarder.start();
    },
    async shutdown() {
      await forwarder.close();
    },
    async handle(_context, event) {
      await forwarder.forward(event);
      return undefined;
    },
  };
}
