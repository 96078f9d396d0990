// The demo as a stack.yml for `deucalion up` (the same file format users deploy, plus the local
// `deucalion:` section): the Bookinfo services as local processes, sidecar dispatchers for half of
// them, two federations each with a Prometheus and a scrape-trigger on a cron, detector functions
// and the alert-forwarder scaled to zero.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { BOOKINFO, FEDERATIONS, NAMESPACE } from './topology.ts';

const SERVE = fileURLToPath(new URL('./serve.ts', import.meta.url));

export interface DemoPorts {
  gateway: number;
  services: Record<string, number>;
  prometheus: Record<string, number>;
}

export interface DemoStackOptions {
  dir: string;
  ports: DemoPorts;
  scrapeIntervalMs: number;
  /** Cron schedule of each federation's scrape-trigger. */
  triggerSchedule: string;
  idle: string;
}

/** Series the detectors watch, the same in both modes: traffic, errors, latency, memory. */
export const SIDECAR_MATCH = '{__name__=~"http_requests_total|http_request_duration_seconds_sum|http_request_duration_seconds_count|process_resident_memory_bytes"}';

export function federatedQueries(rateWindow: string): { expr: string; detectors: string[] }[] {
  const detectors = ['detector-zscore'];
  return [
    { expr: `sum by (pod) (rate(http_requests_total[${rateWindow}]))`, detectors },
    { expr: `sum by (pod) (rate(http_requests_total{code=~"5.."}[${rateWindow}]))`, detectors },
    { expr: `sum by (pod) (rate(http_request_duration_seconds_sum[${rateWindow}])) / sum by (pod) (rate(http_request_duration_seconds_count[${rateWindow}]))`, detectors },
    { expr: 'sum by (pod) (process_resident_memory_bytes)', detectors },
  ];
}

const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))}s`;

/** Write stack.yml and the scrape-trigger configs into `dir`; returns the stack path. */
export function writeDemoStack(options: DemoStackOptions): string {
  const { ports, dir } = options;
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  const peerArgs = BOOKINFO.flatMap((s) => ['--peer', `${s.name}=http://127.0.0.1:${ports.services[s.name]}`]);
  const rateWindow = seconds(Math.max(5 * options.scrapeIntervalMs, 5000));

  const functions: Record<string, unknown> = {
    'alert-forwarder': {
      lang: 'deucalion-ts',
      handler: './functions/alert-forwarder',
      image: 'ghcr.io/deucalion/alert-forwarder:0.1.0',
      // alerts must outlive the slowest sender's interval (docs/alerts.md): the trigger's schedule
      environment: { ALERT_RESEND_INTERVAL: '30s' },
      labels: { 'com.openfaas.scale.zero': 'true' },
    },
    'detector-zscore': {
      lang: 'deucalion-ts',
      handler: './functions/detector',
      image: 'ghcr.io/deucalion/detector:0.1.0',
      environment: { DEUCALION_DETECTOR_PARAMS: JSON.stringify({ threshold: 5, warmup: 10, window: 60 }) },
      labels: { 'com.openfaas.scale.zero': 'true' },
    },
  };
  const overrides: Record<string, unknown> = {};
  for (const fed of FEDERATIONS) {
    const name = `scrape-trigger-${fed}`;
    const config = join(dir, `${name}.yaml`);
    writeFileSync(
      config,
      stringify({
        federation: fed,
        prometheus: { url: `http://127.0.0.1:${ports.prometheus[fed]}` },
        window: '1m',
        step: seconds(options.scrapeIntervalMs),
        queries: federatedQueries(rateWindow),
        detectors: { baseUrl: `${gateway}/function/` },
        sink: { url: `${gateway}/function/alert-forwarder` },
      }),
    );
    functions[name] = {
      lang: 'deucalion-ts',
      handler: './functions/scrape-trigger',
      image: 'ghcr.io/deucalion/scrape-trigger:0.1.0',
      environment: { FEDERATION: fed },
      annotations: { topic: 'cron-function', schedule: options.triggerSchedule },
      labels: { 'com.openfaas.scale.zero': 'true' },
    };
    overrides[name] = { config, federation: fed };
  }

  const services = BOOKINFO.map((s) => ({
    name: s.name,
    namespace: NAMESPACE,
    command: [process.execPath, SERVE, '--name', s.name, '--port', String(ports.services[s.name]), ...peerArgs],
    metrics: `http://127.0.0.1:${ports.services[s.name]}/metrics`,
    ...(s.placement.mode === 'sidecar'
      ? { sidecar: { interval: seconds(options.scrapeIntervalMs), detectors: [{ name: 'zscore', match: SIDECAR_MATCH, params: { threshold: 5, warmup: 10, window: 60 } }] } }
      : { federation: s.placement.federation }),
  }));

  const stack = {
    version: '1.0',
    provider: { name: 'openfaas', gateway },
    functions,
    deucalion: {
      gateway: { port: ports.gateway },
      idle: options.idle,
      scrapeInterval: seconds(options.scrapeIntervalMs),
      sink: 'alert-forwarder',
      functions: overrides,
      services,
      federations: Object.fromEntries(FEDERATIONS.map((f) => [f, { scrapeInterval: seconds(options.scrapeIntervalMs), port: ports.prometheus[f] }])),
    },
  };
  const file = join(dir, 'stack.yml');
  writeFileSync(file, `# generated by \`deucalion demo\`\n${stringify(stack)}`);
  return file;
}
