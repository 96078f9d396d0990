// `deucalion injector`: config, Kubernetes credentials, lookups, reconciler, HTTPS server.
import { AppsV1Api } from '@kubernetes/client-node';
import { loadInjectorConfig } from '../lib/inject/config.ts';
import { loadKubeConfig } from '../lib/inject/kube-config.ts';
import { createKubeLookups, NO_LOOKUPS } from '../lib/inject/lookups.ts';
import { createInjectorMetrics } from '../lib/inject/metrics.ts';
import type { OwnerReference } from '../lib/inject/types.ts';
import { parseDuration } from '../lib/duration.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { startFederationReconciler, type RunningReconciler } from '../lib/reconcile/reconciler.ts';
import { startInjectorServer, type RunningInjector } from './server.ts';

export interface InjectorOptions {
  port: number;
  host?: string;
  certFile: string;
  keyFile: string;
  configFile?: string;
  env: NodeJS.ProcessEnv;
  log?: Logger;
}

export async function startInjector(options: InjectorOptions): Promise<RunningInjector> {
  const log = options.log ?? createLogger('injector');
  const config = loadInjectorConfig(options.configFile, options.env);
  const { kc, source } = loadKubeConfig(config.api.enabled, options.env);
  // Said once, at startup: every later decision silently works without the API.
  if (kc) log.info('Kubernetes API lookups on', { source });
  else log.warn(source);
  const metrics = createInjectorMetrics();
  const lookups = kc ? createKubeLookups(kc, { ttlMs: parseDuration(config.api.cacheTtl), timeoutMs: parseDuration(config.api.timeout) }) : NO_LOOKUPS;

  let reconciler: RunningReconciler | undefined;
  if (kc && config.federation.reconcile) {
    const apps = kc.makeApiClient(AppsV1Api);
    const rootOwner = async (): Promise<OwnerReference | undefined> => {
      const name = config.federation.ownerDeployment;
      if (!name || config.federation.namespace !== config.namespace) return undefined;
      const d = await apps.readNamespacedDeployment({ name, namespace: config.namespace });
      return { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.metadata?.uid ?? '', controller: false, blockOwnerDeletion: false };
    };
    reconciler = startFederationReconciler(kc, { config, log: log.child({ part: 'reconciler' }), metrics, rootOwner });
    log.info('federation reconciler started', { namespace: config.federation.namespace, platform: config.federation.platform, labelKey: config.federation.labelKey });
  } else if (kc) {
    log.info('federation reconciler off (federation.reconcile: false)');
  }

  let draining = false;
  const ready = () => !draining;
  const server = await startInjectorServer({ port: options.port, host: options.host, certFile: options.certFile, keyFile: options.keyFile, config, lookups, log, metrics, ready });
  log.info('injector listening', { url: server.url, failurePolicy: config.failurePolicy, sidecarMode: config.sidecar.mode, namespace: config.namespace || undefined });
  return {
    ...server,
    async close() {
      // The API server may still send admissions until the endpoint update reaches it.
      draining = true;
      const delay = parseDuration(config.shutdownDelay);
      log.info('draining before shutdown', { delayMs: delay });
      await new Promise((r) => setTimeout(r, delay));
      reconciler?.stop();
      await server.close();
    },
  };
}
