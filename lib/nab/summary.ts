// What `deucalion eval` prints: a text table, or JSON ({"detectors": {name: {standard: x, ...}}}).
import type { Evaluation } from './evaluate.ts';
import { fromNabThreshold } from './run-detector.ts';

const round = (x: number, digits: number) => Number(x.toFixed(digits));
const finite = (x: number) => (Number.isFinite(x) ? x : null);

export function summariseJson(evaluation: Evaluation, options: { perFile?: boolean } = {}): unknown {
  const { labeled } = evaluation;
  const detectors: Record<string, unknown> = {};
  for (const d of evaluation.detectors) {
    const entry: Record<string, unknown> = {};
    for (const [profile, p] of Object.entries(d.profiles)) entry[profile] = round(p.score, 4);
    entry.default = d.isDefault;
    entry.source = d.source;
    if (d.params !== undefined) entry.params = d.params;
    if (d.costPerSampleNs !== undefined) entry.costPerSampleNs = round(d.costPerSampleNs, 1);
    entry.thresholds = Object.fromEntries(
      Object.entries(d.profiles).map(([profile, p]) => [
        profile,
        {
          nab: p.threshold,
          // The same threshold on the detector's own score scale (only meaningful for causal runs).
          ...(d.source === 'causal' ? { detectorScore: finite(round(fromNabThreshold(p.threshold), 6)) } : {}),
          source: p.thresholdSource,
        },
      ]),
    );
    if (d.deployed) entry.deployed = Object.fromEntries(Object.entries(d.deployed).map(([profile, p]) => [profile, round(p.score, 4)]));
    entry.raw = Object.fromEntries(Object.entries(d.profiles).map(([profile, p]) => [profile, round(p.raw, 6)]));
    if (options.perFile !== false) {
      const perFile: Record<string, Record<string, unknown>> = {};
      labeled.labels.forEach((l, f) => {
        const row: Record<string, unknown> = { windows: l.scoredWindows };
        for (const [profile, p] of Object.entries(d.profiles)) {
          const s = p.perFile[f];
          row[profile] = { raw: round(s.raw, 6), windowsDetected: s.windowsDetected, fp: s.fp, tp: s.tp };
        }
        perFile[l.key] = row;
      });
      entry.perFile = perFile;
    }
    detectors[d.name] = entry;
  }
  return {
    corpus: labeled.corpus.dir,
    files: labeled.labels.length,
    windows: labeled.labelledWindows,
    profiles: evaluation.profiles,
    detectors,
  };
}

const SHORT: Record<string, string> = { standard: 'standard', reward_low_FP_rate: 'low FP', reward_low_FN_rate: 'low FN' };

export function formatTable(evaluation: Evaluation): string {
  const profiles = Object.keys(evaluation.profiles);
  const header = ['detector', ...profiles.map((p) => SHORT[p] ?? p), `threshold (${SHORT[profiles[0]] ?? profiles[0]})`, `${SHORT[profiles[0]] ?? profiles[0]} @ score 1`, 'ns/sample'];
  const rows = [...evaluation.detectors]
    .sort((a, b) => b.profiles[profiles[0]].score - a.profiles[profiles[0]].score)
    .map((d) => {
      const first = d.profiles[profiles[0]];
      const threshold = describeThreshold(d.source, first.threshold);
      return [
        d.name + (d.isDefault ? ' (default)' : ''),
        ...profiles.map((p) => d.profiles[p].score.toFixed(2)),
        first.thresholdSource === 'given' ? `${threshold} (given)` : threshold,
        d.deployed ? d.deployed[profiles[0]].score.toFixed(2) : '-',
        d.costPerSampleNs === undefined ? '-' : d.costPerSampleNs.toFixed(0),
      ];
    });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const { labeled } = evaluation;
  return [
    `NAB: ${labeled.labels.length} files, ${labeled.labelledWindows} windows; scores normalised (null detector 0, perfect 100)`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : String(x);
  return Math.abs(x) >= 1000 || (x !== 0 && Math.abs(x) < 0.001) ? x.toPrecision(4) : String(round(x, 4));
}

/** A threshold as a person reads it: on the detector's own scale for causal runs. */
export function describeThreshold(source: 'causal' | 'scores', threshold: number): string {
  if (threshold > 1) return 'none (never fires)';
  return source === 'causal' ? `score ≥ ${formatNumber(fromNabThreshold(threshold))}` : `≥ ${formatNumber(threshold)}`;
}
