// Find Kubernetes credentials: the in-cluster service account, else a kubeconfig ($KUBECONFIG or
// ~/.kube/config). Without either, API lookups are off and the caller says so once.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeConfigResult {
  kc?: KubeConfig;
  /** Where the credentials came from, or why there are none: one line for the startup log. */
  source: string;
}

export function loadKubeConfig(mode: 'auto' | 'on' | 'off', env: NodeJS.ProcessEnv = process.env): KubeConfigResult {
  if (mode === 'off') return { source: 'API lookups off (api.enabled: off)' };
  const kc = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromCluster();
    return { kc, source: 'in-cluster service account' };
  }
  const files = (env.KUBECONFIG ?? '').split(':').filter((f) => f !== '');
  const candidates = files.length > 0 ? files : [join(env.HOME ?? homedir(), '.kube', 'config')];
  const found = candidates.find((f) => existsSync(f));
  if (found) {
    kc.loadFromFile(found);
    if (kc.getCurrentCluster()) return { kc, source: `kubeconfig ${found}` };
  }
  const why = 'no in-cluster config and no kubeconfig: API lookups off (namespace labels and Deployment annotations unknown, no reconciler); pod annotations still work';
  if (mode === 'on') throw new Error(`api.enabled is on but ${why.split(':')[0]}`);
  return { source: why };
}
