// `deucalion eval --report`: one self-contained HTML page (inline CSS + SVG, no scripts, no external
// assets). Top: scores per detector and profile, then a per-file grid; below: every series plotted.
import type { Evaluation } from './evaluate.ts';
import { escapeHtml, renderSeriesSvg } from './report-plot.ts';
import { describeThreshold } from './summary.ts';

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:16px 24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h3{font-size:14px;margin:18px 0 4px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}tr.default td{font-weight:600}
.grid td{font-size:12px}.good{color:#1a7f37}.bad{color:#b42318}.muted{color:#777}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px}
svg.series{display:block;max-width:100%;height:auto}
.values{fill:none;stroke:#2b5c9e;stroke-width:1}.window{fill:#f4a261;fill-opacity:.35}.probation{fill:#999;fill-opacity:.15}
.frame{fill:none;stroke:#bbb}.axis,.lane-name{font-size:11px;fill:#555}.lane-bg{fill:#f3f3f3}
.tp{stroke:#1a9850;stroke-width:2}.fp{stroke:#d73027;stroke-width:1.5}
`;

export function renderReport(evaluation: Evaluation, options: { profile?: string } = {}): string {
  const profileNames = Object.keys(evaluation.profiles);
  const profile = options.profile ?? (profileNames.includes('standard') ? 'standard' : profileNames[0]);
  const { labeled } = evaluation;
  const detectors = [...evaluation.detectors].sort((a, b) => b.profiles[profile].score - a.profiles[profile].score);

  const summaryRows = detectors.map((d) => {
    const p = d.profiles[profile];
    const threshold = describeThreshold(d.source, p.threshold);
    return `<tr class="${d.isDefault ? 'default' : ''}"><td>${escapeHtml(d.name)}${d.isDefault ? ' (default)' : ''}</td>${profileNames
      .map((name) => `<td>${d.profiles[name].score.toFixed(2)}</td>`)
      .join('')}<td>${escapeHtml(threshold)} <span class="muted">(${p.thresholdSource})</span></td><td>${d.deployed ? d.deployed[profile].score.toFixed(2) : '–'}</td><td>${d.costPerSampleNs === undefined ? '–' : d.costPerSampleNs.toFixed(0)}</td></tr>`;
  });

  const gridRows = labeled.labels.map((l, f) => {
    const cells = detectors.map((d) => {
      const s = d.profiles[profile].perFile[f];
      const cls = s.raw > 0 ? 'good' : s.raw < -0.5 ? 'bad' : '';
      return `<td class="${cls}" title="raw ${s.raw.toFixed(3)}; ${s.tp} detections in windows, ${s.fp} outside">${s.windowsDetected}/${s.windows} · ${s.fp} FP</td>`;
    });
    return `<tr><td><a href="#s${f}">${escapeHtml(l.key)}</a></td><td>${l.scoredWindows}</td>${cells.join('')}</tr>`;
  });

  const sections = labeled.labels.map((l, f) => {
    const file = labeled.corpus.files[f];
    const lanes = detectors.map((d) => {
      const p = d.profiles[profile];
      const s = p.perFile[f];
      return { name: d.name, scores: d.scores[f], threshold: p.threshold, caption: `${d.name}: ${s.windowsDetected}/${s.windows} windows detected, ${s.fp} false-positive points, raw score ${s.raw.toFixed(3)}` };
    });
    return `<section id="s${f}"><h3>${escapeHtml(l.key)} <span class="muted">${l.rows} rows, ${l.scoredWindows} window(s)</span></h3>${renderSeriesSvg({ labels: l, timestamps: file.timestamps, values: file.values, lanes })}</section>`;
  });

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Deucalion NAB evaluation</title><style>${CSS}</style></head><body>
<h1>NAB evaluation</h1>
<p class="muted">Corpus ${escapeHtml(labeled.corpus.dir)}: ${labeled.labels.length} series, ${labeled.labelledWindows} anomaly windows.
Scores are normalised NAB scores (null detector 0, perfect 100); detections below use the <b>${escapeHtml(profile)}</b> threshold.</p>
<h2>Scores</h2>
<table class="summary"><thead><tr><th>detector</th>${profileNames.map((p) => `<th>${escapeHtml(p)}</th>`).join('')}<th>threshold (${escapeHtml(profile)})</th><th>${escapeHtml(profile)} at score ≥ 1</th><th>ns/sample</th></tr></thead>
<tbody>${summaryRows.join('\n')}</tbody></table>
<p class="legend"><span><i class="sw" style="background:#f4a261;opacity:.5"></i>anomaly window</span><span><i class="sw" style="background:#ccc"></i>probationary (not scored)</span><span><i class="sw" style="background:#1a9850"></i>detection in a window</span><span><i class="sw" style="background:#d73027"></i>false positive</span></p>
<h2>Per series <span class="muted">(windows detected / windows · false-positive points)</span></h2>
<table class="grid"><thead><tr><th>series</th><th>windows</th>${detectors.map((d) => `<th>${escapeHtml(d.name)}</th>`).join('')}</tr></thead>
<tbody>${gridRows.join('\n')}</tbody></table>
<h2>Plots</h2>
${sections.join('\n')}
</body></html>
`;
}
