// Owner and namespace lookups through @kubernetes/client-node, behind a TTL cache that also
// shares in-flight requests, so a Deployment rolling out 100 pods costs one GET per TTL.
// Kept thin: which object to fetch and which fields to keep; decide.ts does the rest.
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { NamespaceInfo, Pod, StringMap, WorkloadOwner } from './types.ts';

export interface Lookups {
  /** The pod's owning workload (ReplicaSet → Deployment, StatefulSet, DaemonSet), or undefined. */
  owner(pod: Pod, namespace: string): Promise<WorkloadOwner | undefined>;
  namespace(name: string): Promise<NamespaceInfo>;
}

/** API off: nothing is known beyond the pod itself. */
export const NO_LOOKUPS: Lookups = {
  owner: async () => undefined,
  namespace: async (name) => ({ name }),
};

export interface KubeLookupOptions {
  ttlMs: number;
  timeoutMs: number;
  now?: () => number;
}

export function createKubeLookups(kc: KubeConfig, options: KubeLookupOptions): Lookups {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const cache = new TtlCache(options.ttlMs, options.now ?? Date.now);
  const timed = <T>(work: Promise<T>, what: string) => withTimeout(work, options.timeoutMs, what);

  const workload = (kind: string, namespace: string, name: string): Promise<WorkloadOwner | undefined> =>
    cache.get(`${kind}/${namespace}/${name}`, async () => {
      const read: Promise<{ metadata?: { annotations?: StringMap } }> =
        kind === 'Deployment'
          ? apps.readNamespacedDeployment({ name, namespace })
          : kind === 'StatefulSet'
            ? apps.readNamespacedStatefulSet({ name, namespace })
            : apps.readNamespacedDaemonSet({ name, namespace });
      const object = await timed(read, `${kind} ${namespace}/${name}`).catch(notFoundAsUndefined);
      return object ? { kind, name, annotations: plain(object.metadata?.annotations) } : undefined;
    });

  return {
    async owner(pod, namespace) {
      const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
      if (!ref || !namespace) return undefined;
      if (ref.kind === 'StatefulSet' || ref.kind === 'DaemonSet') return workload(ref.kind, namespace, ref.name);
      if (ref.kind !== 'ReplicaSet') return undefined;
      // A ReplicaSet's controller never changes, so this step is cached like the rest.
      const deployment = await cache.get(`ReplicaSet/${namespace}/${ref.name}`, async () => {
        const rs = await timed(apps.readNamespacedReplicaSet({ name: ref.name, namespace }), `ReplicaSet ${namespace}/${ref.name}`).catch(notFoundAsUndefined);
        return rs?.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'Deployment')?.name;
      });
      return deployment ? workload('Deployment', namespace, deployment) : undefined;
    },
    async namespace(name) {
      if (!name) return { name };
      return cache.get(`Namespace/${name}`, async () => {
        const ns = await timed(core.readNamespace({ name }), `Namespace ${name}`);
        return { name, labels: plain(ns.metadata?.labels) };
      });
    },
  };
}

/** Successful results live `ttlMs`; failures are not cached, so the next admission retries. */
export class TtlCache {
  readonly #entries = new Map<string, { expires: number; value: Promise<unknown> }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlMs: number, now: () => number) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    if (this.#entries.size > 10_000) this.#prune(now);
    const value = load();
    this.#entries.set(key, { expires: now + this.#ttlMs, value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value;
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(key);
  }
}

function plain(map: { [key: string]: string } | undefined): StringMap {
  return map ? { ...map } : {};
}

function notFoundAsUndefined(err: unknown): undefined {
  if ((err as { code?: number }).code === 404) return undefined;
  throw err;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lookup of ${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
