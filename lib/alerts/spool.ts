// A durable FIFO of alert batches for one Alertmanager: a JSON-lines file, appended and fsynced before
// the event's sender gets its 2xx, rewritten (temp file + rename) after a drain. An entry expires once
// every alert in it is past the alert lifetime (4 × resend interval): by then Alertmanager has reached
// the same state on its own (a firing alert would have ended; a resolve has nothing left to end).
// One spool directory per forwarder replica; two processes must not share one.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PostableAlert } from './map.ts';

export interface SpoolEntry {
  /** When the batch was queued (Unix ms). */
  queuedAt: number;
  /** Drop the entry after this time (Unix ms). */
  expiresAt: number;
  alerts: PostableAlert[];
}

export interface SpoolLoad {
  entries: SpoolEntry[];
  /** Lines that did not parse (e.g. a write cut short by a crash); dropped. */
  corrupt: number;
}

export class Spool {
  readonly file: string;
  private count = 0;

  constructor(dir: string, target: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, spoolFileName(target));
  }

  /** Entries currently queued (known after load()). */
  get depth(): number {
    return this.count;
  }

  /** Read every entry, oldest first. */
  load(): SpoolLoad {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.loaded({ entries: [], corrupt: 0 });
      throw err;
    }
    const entries: SpoolEntry[] = [];
    let corrupt = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const entry = JSON.parse(line) as SpoolEntry;
        if (typeof entry.expiresAt === 'number' && Array.isArray(entry.alerts)) entries.push(entry);
        else corrupt++;
      } catch {
        corrupt++;
      }
    }
    return this.loaded({ entries, corrupt });
  }

  /** Append one batch and fsync, so it survives a crash once this resolves. */
  async append(entry: SpoolEntry): Promise<void> {
    const handle = await open(this.file, 'a');
    try {
      await handle.appendFile(JSON.stringify(entry) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.count++;
  }

  /** Replace the whole queue (after a drain or expiry). */
  async replace(entries: SpoolEntry[]): Promise<void> {
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, entries.map((e) => JSON.stringify(e) + '\n').join(''));
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    this.count = entries.length;
  }

  private loaded(load: SpoolLoad): SpoolLoad {
    this.count = load.entries.length;
    return load;
  }
}

/** A file name per Alertmanager URL: readable, and unique thanks to a short hash. */
export function spoolFileName(target: string): string {
  const readable = target.replace(/^https?:\/\//, '').replace(/[^a-zA-Z0-9.-]+/g, '_').slice(0, 80);
  const hash = createHash('sha256').update(target).digest('hex').slice(0, 8);
  return `${readable}-${hash}.jsonl`;
}
