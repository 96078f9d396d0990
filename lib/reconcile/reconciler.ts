// Keeps one Prometheus + trigger per federation that has pods: a pod informer (list + watch,
// never a list per admission) feeds the tracker; a federation whose pod count changes between
// zero and non-zero is applied (server-side apply) or, after a grace period, deleted.
// Several injector replicas may run this at once: applies are idempotent and deletes tolerate 404.
import { CoreV1Api, makeInformer, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { InjectorConfig } from '../inject/config.ts';
import type { InjectorMetrics } from '../inject/metrics.ts';
import type { OwnerReference } from '../inject/types.ts';
import type { Logger } from '../log.ts';
import { createObjectClient, type ObjectClient } from './kube-objects.ts';
import { FEDERATION_OF_LABEL, MANAGED_BY, federationObjects, ownedBy } from './resources.ts';
import { FederationTracker } from './tracker.ts';

export interface ReconcilerOptions {
  config: InjectorConfig;
  client: ObjectClient;
  log: Logger;
  metrics: InjectorMetrics;
  /** Owner of each federation's root ConfigMap (the injector Deployment), if known. */
  rootOwner?: () => Promise<OwnerReference | undefined>;
  /** Coalesces bursts of pod events (a rollout) into one apply. */
  debounceMs?: number;
  /** An empty federation is removed only if it stays empty this long (rollouts pass through zero). */
  deleteGraceMs?: number;
}

type PodLike = { metadata?: { namespace?: string; name?: string; labels?: Record<string, string> } };

export class FederationReconciler {
  readonly tracker = new FederationTracker();
  readonly #options: ReconcilerOptions;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Map<string, Promise<void>>();
  #synced = false;
  #stopped = false;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
  }

  synced(): boolean {
    return this.#synced;
  }

  onPod(type: 'add' | 'update' | 'delete', pod: PodLike): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const federation = pod.metadata?.labels?.[this.#options.config.federation.labelKey] || undefined;
    const changed = type === 'delete' ? this.tracker.delete(key) : this.tracker.upsert(key, federation);
    for (const f of changed) this.#schedule(f);
    this.#options.metrics.federations.set(this.tracker.federations().length);
  }

  /** After the informer's first list: federations left from before whose pods are all gone. */
  async markSynced(): Promise<void> {
    this.#synced = true;
    for (const federation of this.tracker.federations()) this.#schedule(federation);
    const { config, client } = this.#options;
    const existing = await client.listNames({ apiVersion: 'v1', kind: 'ConfigMap', namespace: config.federation.namespace, labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY},${FEDERATION_OF_LABEL}` });
    for (const name of existing) {
      const federation = name.replace(/^deucalion-/, '');
      if (this.tracker.count(federation) === 0) this.#schedule(federation);
    }
  }

  /** Re-apply every federation with pods: repairs drift (an object deleted or edited by hand). */
  resync(): void {
    for (const federation of this.tracker.federations()) this.#schedule(federation);
  }

  /** Wait for scheduled and running reconciliations (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#timers.size > 0 || this.#running.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #schedule(federation: string): void {
    if (this.#stopped || !this.#synced) return;
    clearTimeout(this.#timers.get(federation));
    const empty = this.tracker.count(federation) === 0;
    const delay = empty ? (this.#options.deleteGraceMs ?? 60_000) : (this.#options.debounceMs ?? 500);
    this.#timers.set(
      federation,
      setTimeout(() => {
        this.#timers.delete(federation);
        const previous = this.#running.get(federation) ?? Promise.resolve();
        const run = previous.then(() => this.reconcile(federation)).finally(() => {
          if (this.#running.get(federation) === run) this.#running.delete(federation);
        });
        this.#running.set(federation, run);
      }, delay),
    );
  }

  /** Apply or delete one federation's objects according to its current pod count; never throws. */
  async reconcile(federation: string): Promise<void> {
    const { config, client, log, metrics } = this.#options;
    const present = this.tracker.count(federation) > 0;
    const action = present ? 'apply' : 'delete';
    try {
      if (present) {
        const [root, ...rest] = federationObjects(federation, config, await this.#options.rootOwner?.());
        const liveRoot = await client.apply(root);
        const owner = ownedBy({ ...root, metadata: { ...root.metadata, uid: liveRoot.metadata?.uid } });
        for (const object of rest) await client.apply({ ...object, metadata: { ...object.metadata, ownerReferences: [owner] } });
      } else {
        // Reverse order: the trigger stops before its Prometheus goes away.
        for (const object of federationObjects(federation, config).reverse()) {
          await client.delete({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: config.federation.namespace });
        }
      }
      metrics.reconciles.inc({ action, result: 'ok' });
      log.info(`federation ${present ? 'applied' : 'deleted'}`, { federation, pods: this.tracker.count(federation), platform: config.federation.platform });
    } catch (err) {
      metrics.reconciles.inc({ action, result: 'error' });
      log.error(`federation ${action} failed; retrying`, { federation, err: describe(err) });
      if (!this.#stopped) this.#schedule(federation);
    }
  }
}

function describe(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  return [e.code, e.message, typeof e.body === 'string' ? e.body.slice(0, 300) : undefined].filter((x) => x !== undefined).join(': ');
}

export interface RunningReconciler {
  reconciler: FederationReconciler;
  stop(): void;
}

/** Wire the reconciler to a pod informer on the federation label (all namespaces). */
export function startFederationReconciler(kc: KubeConfig, options: Omit<ReconcilerOptions, 'client'> & { client?: ObjectClient; restartMs?: number; resyncMs?: number }): RunningReconciler {
  const reconciler = new FederationReconciler({ ...options, client: options.client ?? createObjectClient(kc) });
  const core = kc.makeApiClient(CoreV1Api);
  const labelKey = options.config.federation.labelKey;
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces({ labelSelector: labelKey }), labelKey);
  let stopped = false;
  let failed = false;
  let restart: NodeJS.Timeout | undefined;
  informer.on('add', (pod) => reconciler.onPod('add', pod));
  informer.on('update', (pod) => reconciler.onPod('update', pod));
  informer.on('delete', (pod) => reconciler.onPod('delete', pod));
  // start() also resolves when its list failed (the error goes to the 'error' handler): only a
  // clean first list may mark the tracker complete, or every federation would look empty.
  const begin = () => {
    failed = false;
    informer
      .start()
      .then(() => (failed || reconciler.synced() ? undefined : reconciler.markSynced()))
      .catch((err: unknown) => options.log.error('federation reconciler start failed', { err: describe(err) }));
  };
  informer.on('error', (err) => {
    failed = true;
    options.log.warn('pod watch failed; restarting', { err: describe(err) });
    if (!stopped) restart = setTimeout(begin, options.restartMs ?? 5_000);
  });
  begin();
  const resync = setInterval(() => reconciler.resync(), options.resyncMs ?? 10 * 60_000);
  resync.unref();
  return {
    reconciler,
    stop() {
      stopped = true;
      clearTimeout(restart);
      clearInterval(resync);
      reconciler.stop();
      void informer.stop();
    },
  };
}
