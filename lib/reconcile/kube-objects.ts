// Server-side apply and delete through @kubernetes/client-node's generic object API (resource
// paths come from API discovery, so CRDs such as PingSource and Function work without codegen).
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from './resources.ts';

export const FIELD_MANAGER = 'deucalion';

export interface ObjectClient {
  /** Server-side apply (force: we own these objects); returns the live object (with its uid). */
  apply(object: KubeObject): Promise<KubeObject>;
  /** Delete; a missing object is not an error. */
  delete(ref: { apiVersion: string; kind: string; name: string; namespace: string }): Promise<void>;
  /** Names of objects of one kind with a label selector in one namespace. */
  listNames(ref: { apiVersion: string; kind: string; namespace: string; labelSelector: string }): Promise<string[]>;
}

export function createObjectClient(kc: KubeConfig): ObjectClient {
  const api = KubernetesObjectApi.makeApiClient(kc);
  return {
    async apply(object) {
      const live = await api.patch(object as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      return live as unknown as KubeObject;
    },
    async delete({ apiVersion, kind, name, namespace }) {
      try {
        await api.delete({ apiVersion, kind, metadata: { name, namespace } }, undefined, undefined, undefined, undefined, 'Background');
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    },
    async listNames({ apiVersion, kind, namespace, labelSelector }) {
      const list = await api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
      return list.items.map((item) => item.metadata?.name ?? '').filter((n) => n !== '');
    },
  };
}
