// Noticing config changes. Kubernetes updates a mounted ConfigMap by writing a new timestamped
// directory and swapping the `..data` symlink; config.yaml itself is a symlink through `..data`, so a
// watch on the file would keep following the old inode. The directory is watched instead, any event
// there triggers a (debounced) re-read, and a slow poll covers filesystems without inotify events and
// a directory that does not exist yet. The caller compares contents, so spurious calls are harmless.
import type { FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

export function watchConfigFile(path: string, onChange: () => void, options: { pollMs?: number; debounceMs?: number } = {}): ConfigWatcher {
  const dir = dirname(path);
  const debounceMs = options.debounceMs ?? 100;
  let watcher: FSWatcher | undefined;
  let pending: NodeJS.Timeout | undefined;
  let closed = false;
  const trigger = () => {
    if (closed) return;
    clearTimeout(pending);
    pending = setTimeout(onChange, debounceMs);
  };
  const ensureWatcher = () => {
    if (watcher || closed) return;
    try {
      watcher = process.getBuiltinModule('node:fs').watch(dir, { persistent: false }, trigger);
      watcher.on('error', () => {
        // The directory went away (unmounted, replaced): drop the watcher; the poll re-creates it.
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
  };
  ensureWatcher();
  const poll = setInterval(() => {
    ensureWatcher();
    onChange();
  }, options.pollMs ?? 10_000);
  poll.unref();
  return {
    close() {
      closed = true;
      clearTimeout(pending);
      clearInterval(poll);
      watcher?.close();
    },
  };
}
