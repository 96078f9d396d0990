import { parseCommandArgs, parsePort, untilSignal } from '../args.ts';
import { UsageError, type Command } from '../command.ts';

export const command: Command = {
  name: 'injector',
  summary: 'run the sidecar injector (admission webhook) and the federation reconciler',
  usage: `
Usage: deucalion injector --tls-cert F --tls-key F [--port P] [--config F]

Serve the mutating admission webhook over HTTPS: POST /mutate (AdmissionReview v1, pod CREATE),
GET /readyz, /healthz, /metrics. With Kubernetes API access (in-cluster or a kubeconfig) it also
resolves owning Deployments and namespace labels, and reconciles one Prometheus and trigger per
federation. Certificate files are reloaded when they change. See docs/injector.md.

Options:
  --port P       HTTPS port (default: $PORT or 8443)
  --tls-cert F   PEM certificate (default: $TLS_CERT_FILE)
  --tls-key F    PEM private key (default: $TLS_KEY_FILE)
  --config F     injector config YAML (default: $DEUCALION_INJECTOR_CONFIG; none: defaults)
Environment:
  POD_NAMESPACE  the injector's own namespace (never injected; federation resources go there)
  LOG_LEVEL      debug | info | warn | error
`,
  async run(argv) {
    const { values } = parseCommandArgs(argv, { port: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, config: { type: 'string' } }, false);
    const certFile = values['tls-cert'] ?? process.env.TLS_CERT_FILE;
    const keyFile = values['tls-key'] ?? process.env.TLS_KEY_FILE;
    if (!certFile || !keyFile) throw new UsageError('--tls-cert and --tls-key are required (the API server only calls webhooks over HTTPS)');
    const port = parsePort(values.port ?? process.env.PORT, 8443);
    // Loaded here, not at the top: `deucalion --help` imports every command module.
    const { startInjector } = await import('../../injector/main.ts');
    const running = await startInjector({ port, certFile, keyFile, configFile: values.config ?? process.env.DEUCALION_INJECTOR_CONFIG, env: process.env });
    await untilSignal();
    await running.close();
    return 0;
  },
};
