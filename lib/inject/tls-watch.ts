// Hot reload of the serving certificate. Kubernetes updates a mounted Secret by swapping the
// `..data` symlink in its directory, so watch the directories (not the files) and re-read both
// files; a slow poll covers filesystems where fs.watch misses events. A bad or half-written pair
// (cert and key from different generations) is logged and the old context stays.
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export function readTlsPair(certFile: string, keyFile: string): TlsPair {
  const pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  createSecureContext(pair); // throws on a mismatched or malformed pair
  return pair;
}

export interface TlsWatchOptions {
  certFile: string;
  keyFile: string;
  onReload(pair: TlsPair): void;
  onError(err: Error): void;
  pollMs?: number;
  debounceMs?: number;
}

export function watchTlsFiles(options: TlsWatchOptions): { close(): void } {
  const fingerprint = () => {
    try {
      return createHash('sha256').update(readFileSync(options.certFile)).update(readFileSync(options.keyFile)).digest('hex');
    } catch {
      return '';
    }
  };
  let last = fingerprint();
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    timer = undefined;
    const now = fingerprint();
    if (now === last || now === '') return;
    try {
      const pair = readTlsPair(options.certFile, options.keyFile);
      last = now;
      options.onReload(pair);
    } catch (err) {
      options.onError(err as Error);
    }
  };
  const schedule = () => {
    if (!timer) timer = setTimeout(check, options.debounceMs ?? 100);
  };
  const watchers: FSWatcher[] = [...new Set([dirname(options.certFile), dirname(options.keyFile)])].map((dir) => watch(dir, { persistent: false }, schedule));
  for (const w of watchers) w.on('error', (err) => options.onError(err));
  const poll = setInterval(schedule, options.pollMs ?? 30_000);
  poll.unref();
  return {
    close() {
      for (const w of watchers) w.close();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    },
  };
}
