// The network benchmark's outputs: a Markdown table, an SVG bar chart (log scale, both byte figures
// per mode) and an HTML page with both, as committed in bench/results/.
import type { ComponentCost, Mode } from './modes.ts';

export interface ModeSummary {
  appBytesPerSec: number;
  centralBytesPerSec: number;
  reduction: { app: number; central: number };
  podTotalTxBytesPerSec?: number;
  runs: number;
  components: ComponentCost[];
  error?: string;
}

export interface NetworkReport {
  modes: Partial<Record<Mode, ModeSummary>>;
  config: { net: 'netns' | 'loopback'; incidents?: boolean; runs: number; durationSec: number; scrapeIntervalSec: number; rps: number; triggerSchedule: string; prometheus: string; date: string; command: string };
  bars: { name: string; value: number; bar: number; pass: boolean }[];
}

const LABEL: Record<Mode, string> = { none: 'no monitoring', centralized: 'central Prometheus', sidecar: 'Deucalion sidecar', federated: 'Deucalion federated' };
const pct = (f: number) => (Number.isFinite(f) ? `${(f * 100).toFixed(1)}%` : '–');
const num = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

export function formatTable(r: NetworkReport): string {
  const total = Object.values(r.modes).some((m) => m?.podTotalTxBytesPerSec !== undefined);
  const lines = [
    `| mode | (a) pods → monitoring, B/s | (b) into central control plane, B/s | (a) vs central Prometheus | (b) vs central Prometheus |${total ? ' pods total tx incl. app traffic, B/s |' : ''}`,
    `|---|---:|---:|---:|---:|${total ? '---:|' : ''}`,
  ];
  const change = (f: number) => (f >= 0 ? `−${pct(f)}` : `+${pct(-f)}`);
  for (const [mode, m] of Object.entries(r.modes) as [Mode, ModeSummary][]) {
    if (m.error) lines.push(`| ${LABEL[mode]} | not measured: ${m.error} | | | |${total ? ' |' : ''}`);
    else lines.push(`| ${LABEL[mode]} | ${num(m.appBytesPerSec)} | ${num(m.centralBytesPerSec)} | ${mode === 'centralized' ? '—' : change(m.reduction.app)} | ${mode === 'centralized' ? '—' : change(m.reduction.central)} |${total ? ` ${num(m.podTotalTxBytesPerSec)} |` : ''}`);
  }
  return lines.join('\n');
}

export function formatCostTable(r: NetworkReport): string {
  const lines = ['| mode | component | processes | CPU ms/s (each) | RSS MB (each) |', '|---|---|---:|---:|---:|'];
  for (const [mode, m] of Object.entries(r.modes) as [Mode, ModeSummary][]) {
    for (const c of m.components ?? []) lines.push(`| ${LABEL[mode]} | ${c.component} | ${c.count} | ${num(c.cpuMsPerSec)} | ${num(c.rssMb)} |`);
  }
  return lines.join('\n');
}

export function formatBars(r: NetworkReport): string {
  return r.bars.map((b) => `${b.pass ? 'PASS' : 'FAIL'} ${b.name}: ${pct(b.value)} (bar ${pct(b.bar)})`).join('\n');
}

export function formatMarkdown(r: NetworkReport): string {
  const c = r.config;
  return [
    `# Network benchmark (paper Figure 4 and Figure 7)`,
    '',
    `Command: \`${c.command}\` — ${c.date}`,
    '',
    `Boundary: ${c.net === 'netns' ? 'network namespaces + veth (each pod, each federation node and the central control plane its own namespace; bytes are frames on the monitoring veths)' : 'per-connection byte accounting on loopback (payload bytes through counting proxies)'}.`,
    c.incidents ? 'With incidents: a latency spike (reviews-v2), an error burst (details) and a memory leak (reviews-v3) are injected at 10%, 40% and 70% of every measurement window, each for 20% of it, in every mode.\n' : 'At rest: no incidents injected.\n',
    `Same scrape interval in every mode: ${c.scrapeIntervalSec}s. Load ${c.rps} req/s on productpage. Trigger schedule ${c.triggerSchedule}. Prometheus: ${c.prometheus}. Median of ${c.runs} run(s) of ${c.durationSec}s per mode.`,
    '',
    formatTable(r),
    '',
    formatBars(r)
      .split('\n')
      .map((l) => `- ${l}`)
      .join('\n'),
    '',
    '## CPU and memory per component',
    '',
    formatCostTable(r),
    '',
  ].join('\n');
}

/** Grouped bars on a log scale: (a) and (b) per mode. */
export function renderSvg(r: NetworkReport): string {
  const modes = (Object.entries(r.modes) as [Mode, ModeSummary][]).filter(([, m]) => !m.error);
  const W = 720;
  const H = 360;
  const left = 70;
  const bottom = 300;
  const top = 40;
  const values = modes.flatMap(([, m]) => [m.appBytesPerSec, m.centralBytesPerSec]).filter((v) => v > 0);
  const maxExp = Math.ceil(Math.log10(Math.max(10, ...values)));
  const y = (v: number) => (v <= 1 ? bottom : bottom - ((bottom - top) * Math.log10(v)) / maxExp);
  const group = (W - left - 20) / Math.max(1, modes.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">Monitoring traffic by mode (B/s, log scale, scrape interval ${r.config.scrapeIntervalSec}s)</text>`,
  ];
  for (let e = 0; e <= maxExp; e++) {
    const yy = y(10 ** e);
    parts.push(`<line x1="${left}" x2="${W - 20}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`, `<text x="${left - 6}" y="${yy + 4}" text-anchor="end">${e === 0 ? '≤1' : `1e${e}`}</text>`);
  }
  modes.forEach(([mode, m], i) => {
    const x = left + i * group + group * 0.15;
    const bw = group * 0.33;
    for (const [k, v, color] of [[0, m.appBytesPerSec, '#4878d0'], [1, m.centralBytesPerSec, '#ee854a']] as const) {
      const yy = y(v);
      parts.push(`<rect x="${x + k * bw}" y="${yy}" width="${bw - 4}" height="${bottom - yy}" fill="${color}"><title>${LABEL[mode]}: ${num(v)} B/s</title></rect>`);
      parts.push(`<text x="${x + k * bw + (bw - 4) / 2}" y="${yy - 4}" text-anchor="middle" font-size="10">${num(v)}</text>`);
    }
    parts.push(`<text x="${x + bw}" y="${bottom + 18}" text-anchor="middle">${LABEL[mode]}</text>`);
  });
  parts.push(
    `<rect x="${left}" y="${H - 30}" width="12" height="12" fill="#4878d0"/><text x="${left + 18}" y="${H - 20}">(a) bytes/s the app pods send for monitoring</text>`,
    `<rect x="${left + 320}" y="${H - 30}" width="12" height="12" fill="#ee854a"/><text x="${left + 338}" y="${H - 20}">(b) bytes/s into the central control plane</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

export function renderHtml(r: NetworkReport): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const table = (md: string) => {
    const rows = md.split('\n').filter((l) => !/^\|---/.test(l));
    return `<table>${rows.map((row, i) => `<tr>${row.split('|').slice(1, -1).map((c) => (i === 0 ? `<th>${esc(c.trim())}</th>` : `<td>${esc(c.trim())}</td>`)).join('')}</tr>`).join('')}</table>`;
  };
  return `<!doctype html><meta charset="utf-8"><title>Deucalion network benchmark</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
<h1>Deucalion network benchmark</h1>
<p><code>${esc(r.config.command)}</code> — ${esc(r.config.date)}; boundary: ${r.config.net}; scrape interval ${r.config.scrapeIntervalSec}s in every mode; median of ${r.config.runs} run(s) × ${r.config.durationSec}s.</p>
${renderSvg(r)}
${table(formatTable(r))}
<ul>${formatBars(r)
    .split('\n')
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>
<h2>CPU and memory per component</h2>
${table(formatCostTable(r))}
`;
}
