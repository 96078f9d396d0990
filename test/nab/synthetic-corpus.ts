// A small NAB-layout corpus written to a temp dir: three series with spikes inside labelled windows.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatNabTimestamp } from '../../lib/nab/timestamp.ts';

const START = Date.UTC(2024, 0, 1);
const STEP = 5 * 60_000;

function series(rows: number, seed: number, spikes: number[]): number[] {
  let x = seed;
  return Array.from({ length: rows }, (_, i) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    const noise = (x / 2147483648 - 0.5) * 2;
    return 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + noise + (spikes.includes(i) ? 60 : 0);
  });
}

/** Returns the corpus directory. */
export function writeSyntheticCorpus(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deucalion-nab-'));
  const specs = [
    { key: 'synthA/spiky.csv', rows: 1200, spikes: [700, 1000], windows: [[680, 720], [980, 1020]] },
    { key: 'synthA/quiet.csv', rows: 800, spikes: [], windows: [] },
    { key: 'synthB/late.csv', rows: 1000, spikes: [900], windows: [[880, 920]] },
  ];
  const labels: Record<string, string[][]> = {};
  specs.forEach((spec, k) => {
    const values = series(spec.rows, k + 1, spec.spikes);
    const [category] = spec.key.split('/');
    mkdirSync(join(dir, 'data', category), { recursive: true });
    const lines = ['timestamp,value', ...values.map((v, i) => `${formatNabTimestamp(START + i * STEP)},${v}`)];
    writeFileSync(join(dir, 'data', spec.key), lines.join('\n') + '\n');
    labels[spec.key] = spec.windows.map(([a, b]) => [`${formatNabTimestamp(START + a * STEP)}.000000`, `${formatNabTimestamp(START + b * STEP)}.000000`]);
  });
  mkdirSync(join(dir, 'labels'));
  writeFileSync(join(dir, 'labels', 'combined_windows.json'), JSON.stringify(labels, null, 2));
  return dir;
}
