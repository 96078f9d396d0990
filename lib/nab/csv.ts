// Minimal CSV reader for NAB's numeric files: a header row, then rows of plain fields (no quoting in
// NAB data). Columns are picked by header name, so result files with extra columns read the same.
import { parseNabTimestamp } from './timestamp.ts';

export interface NumericColumns {
  timestamps: Float64Array;
  columns: Record<string, Float64Array>;
}

/** Read `timestamp` and the named numeric columns of a CSV text; throws naming the file and line. */
export function readNumericCsv(text: string, wanted: string[], source: string): NumericColumns {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const timeAt = header.indexOf('timestamp');
  if (timeAt < 0) throw new Error(`${source}: no "timestamp" column in header "${lines[0]}"`);
  const at = wanted.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${source}: no "${name}" column in header "${lines[0]}"`);
    return i;
  });
  let rows = lines.length - 1;
  while (rows > 0 && lines[rows].trim() === '') rows--;
  const timestamps = new Float64Array(rows);
  const out = wanted.map(() => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const fields = lines[r + 1].split(',');
    const t = parseNabTimestamp(fields[timeAt] ?? '');
    if (Number.isNaN(t)) throw new Error(`${source}:${r + 2}: unreadable timestamp "${fields[timeAt]}"`);
    timestamps[r] = t;
    for (let c = 0; c < at.length; c++) {
      const raw = fields[at[c]];
      // An empty or non-numeric cell is a missing sample, not a crash.
      out[c][r] = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
    }
  }
  const columns: Record<string, Float64Array> = {};
  wanted.forEach((name, c) => (columns[name] = out[c]));
  return { timestamps, columns };
}
