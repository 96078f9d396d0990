// A NAB corpus on disk: data/<category>/<file>.csv (timestamp,value), labels/combined_windows.json,
// and optionally config/profiles.json + config/thresholds.json.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readNumericCsv } from './csv.ts';
import { parseNabTimestamp } from './timestamp.ts';

export interface NabFile {
  /** "<category>/<file>.csv", the key NAB's label files use. */
  key: string;
  category: string;
  /** File name without ".csv". */
  name: string;
  timestamps: Float64Array;
  values: Float64Array;
  /** Label windows as [start, end] epoch milliseconds, inclusive, sorted. */
  windows: Array<[number, number]>;
}

export interface Corpus {
  dir: string;
  files: NabFile[];
}

/** Load every data file that the label file names (in label-file order); `only` filters by key substring. */
export function loadCorpus(dir: string, options: { only?: (key: string) => boolean } = {}): Corpus {
  const labelsPath = join(dir, 'labels', 'combined_windows.json');
  if (!existsSync(labelsPath)) throw new Error(`${dir}: not a NAB corpus (missing labels/combined_windows.json)`);
  const labels = JSON.parse(readFileSync(labelsPath, 'utf8')) as Record<string, Array<[string, string]>>;
  const dataDir = join(dir, 'data');
  const keys = listDataFiles(dataDir).filter((key) => !options.only || options.only(key));
  const files: NabFile[] = [];
  for (const key of keys) {
    const raw = labels[key];
    if (!raw) throw new Error(`${labelsPath}: no windows entry for data file "${key}" (use [] for none)`);
    const { timestamps, columns } = readNumericCsv(readFileSync(join(dataDir, key), 'utf8'), ['value'], join(dataDir, key));
    const windows = raw
      .map(([start, end], i): [number, number] => {
        const w: [number, number] = [parseNabTimestamp(start), parseNabTimestamp(end)];
        if (Number.isNaN(w[0]) || Number.isNaN(w[1]) || w[1] < w[0]) throw new Error(`${labelsPath}: ${key} window ${i} is not a [start, end] timestamp pair`);
        return w;
      })
      .sort((a, b) => a[0] - b[0]);
    const [category, file] = key.split('/');
    files.push({ key, category, name: file.replace(/\.csv$/, ''), timestamps, values: columns.value, windows });
  }
  return { dir, files };
}

/** "<category>/<file>.csv" keys of a data directory, sorted. */
export function listDataFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) throw new Error(`${dataDir}: missing data directory`);
  const keys: string[] = [];
  for (const category of readdirSync(dataDir).sort()) {
    const sub = join(dataDir, category);
    if (!statSync(sub).isDirectory()) continue;
    for (const file of readdirSync(sub).sort()) if (file.endsWith('.csv')) keys.push(`${category}/${file}`);
  }
  return keys;
}
