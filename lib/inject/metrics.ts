// The injector's own metrics, registered on a Registry the caller owns (never the global one).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface InjectorMetrics {
  registry: Registry;
  requests: Counter<'dry_run'>;
  injections: Counter<'mode'>;
  skips: Counter<'reason'>;
  errors: Counter<'stage'>;
  latency: Histogram<'outcome'>;
  tlsReloads: Counter<'result'>;
  federations: Gauge;
  reconciles: Counter<'action' | 'result'>;
}

const P = 'deucalion_injector_';

export function createInjectorMetrics(registry: Registry = new Registry()): InjectorMetrics {
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: `${P}requests_total`, help: 'Admission requests answered (any outcome).', labelNames: ['dry_run'], registers }),
    injections: new Counter({ name: `${P}injections_total`, help: 'Pods patched, by mode (native, container, federated); dry runs excluded.', labelNames: ['mode'], registers }),
    skips: new Counter({ name: `${P}skips_total`, help: 'Pods admitted without a patch, by reason code (one count per reason).', labelNames: ['reason'], registers }),
    errors: new Counter({ name: `${P}errors_total`, help: 'Errors by stage: request (4xx), lookup (API, decision went on), internal (failure policy applied), tls_reload.', labelNames: ['stage'], registers }),
    latency: new Histogram({
      name: `${P}admission_duration_seconds`,
      help: 'Time from request received to response written, by outcome.',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    tlsReloads: new Counter({ name: `${P}tls_reloads_total`, help: 'TLS certificate reloads from the mounted files, by result.', labelNames: ['result'], registers }),
    federations: new Gauge({ name: `${P}federations`, help: 'Federations with at least one pod, as seen by the reconciler.', registers }),
    reconciles: new Counter({ name: `${P}reconciles_total`, help: 'Federation reconciliations by action (apply, delete) and result.', labelNames: ['action', 'result'], registers }),
  };
}
