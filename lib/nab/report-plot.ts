// One series as inline SVG: the values (min/max envelope per pixel column), label windows shaded, the
// probationary period greyed, and one lane per detector with its detections (green in a window, red outside).
import type { FileLabels } from './label-points.ts';
import { formatNabTimestamp } from './timestamp.ts';

export interface PlotLane {
  name: string;
  scores: Float64Array;
  threshold: number;
  caption: string;
}

export interface PlotInput {
  labels: FileLabels;
  timestamps: Float64Array;
  values: Float64Array;
  lanes: PlotLane[];
}

const WIDTH = 1000;
const LEFT = 130;
const PLOT_H = 130;
const LANE_H = 16;
const TOP = 6;
const AXIS_H = 18;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (x: number) => (Math.round(x * 10) / 10).toString();

export function renderSeriesSvg({ labels, timestamps, values, lanes }: PlotInput): string {
  const n = values.length;
  const plotW = WIDTH - LEFT - 8;
  const height = TOP + PLOT_H + AXIS_H + lanes.length * LANE_H + 4;
  const xOf = (row: number) => LEFT + (n <= 1 ? 0 : (row / (n - 1)) * plotW);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (!(hi > lo)) (lo = Number.isFinite(lo) ? lo - 1 : 0), (hi = lo + 2);
  const yOf = (v: number) => TOP + PLOT_H - ((v - lo) / (hi - lo)) * PLOT_H;

  const parts: string[] = [];
  parts.push(`<rect class="probation" x="${LEFT}" y="${TOP}" width="${fmt(xOf(labels.probation) - LEFT)}" height="${PLOT_H}"><title>probationary period (not scored)</title></rect>`);
  for (const [first, last] of labels.windowRows) {
    const x = xOf(first);
    parts.push(`<rect class="window" x="${fmt(x)}" y="${TOP}" width="${fmt(Math.max(xOf(last) - x, 1.5))}" height="${PLOT_H}"><title>anomaly window ${escapeHtml(formatNabTimestamp(timestamps[first]))} – ${escapeHtml(formatNabTimestamp(timestamps[last]))}</title></rect>`);
  }
  parts.push(`<path class="values" d="${envelopePath(values, plotW, xOf, yOf)}"/>`);
  parts.push(`<rect class="frame" x="${LEFT}" y="${TOP}" width="${plotW}" height="${PLOT_H}"/>`);
  parts.push(`<text class="axis" x="${LEFT - 4}" y="${TOP + 10}" text-anchor="end">${escapeHtml(short(hi))}</text>`);
  parts.push(`<text class="axis" x="${LEFT - 4}" y="${TOP + PLOT_H}" text-anchor="end">${escapeHtml(short(lo))}</text>`);
  const axisY = TOP + PLOT_H + 13;
  parts.push(`<text class="axis" x="${LEFT}" y="${axisY}">${escapeHtml(formatNabTimestamp(timestamps[0]))}</text>`);
  parts.push(`<text class="axis" x="${LEFT + plotW}" y="${axisY}" text-anchor="end">${escapeHtml(formatNabTimestamp(timestamps[n - 1]))}</text>`);

  lanes.forEach((lane, k) => {
    const y = TOP + PLOT_H + AXIS_H + k * LANE_H;
    parts.push(`<g class="lane"><title>${escapeHtml(lane.caption)}</title>`);
    parts.push(`<rect class="lane-bg" x="${LEFT}" y="${y}" width="${plotW}" height="${LANE_H - 3}"/>`);
    parts.push(`<text class="lane-name" x="${LEFT - 4}" y="${y + 10}" text-anchor="end">${escapeHtml(lane.name)}</text>`);
    const tp: string[] = [];
    const fp: string[] = [];
    let lastPx = -1;
    for (let i = Math.ceil(labels.probation); i < n; i++) {
      if (!(lane.scores[i] >= lane.threshold)) continue;
      const px = Math.round(xOf(i));
      if (px === lastPx) continue; // one tick per pixel column keeps the page small
      lastPx = px;
      (labels.windowOf[i] >= 0 ? tp : fp).push(`M${px},${y}v${LANE_H - 3}`);
    }
    if (tp.length) parts.push(`<path class="tp" d="${tp.join('')}"/>`);
    if (fp.length) parts.push(`<path class="fp" d="${fp.join('')}"/>`);
    parts.push('</g>');
  });
  return `<svg class="series" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img">${parts.join('')}</svg>`;
}

/** Per pixel column, a vertical stroke from the column's min to its max: exact shape at any length. */
function envelopePath(values: Float64Array, columns: number, xOf: (row: number) => number, yOf: (v: number) => number): string {
  const n = values.length;
  const cols = Math.max(1, Math.min(columns, n));
  const out: string[] = [];
  let pen = false;
  for (let c = 0; c < cols; c++) {
    const from = Math.floor((c * n) / cols);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / cols));
    let mn = Number.POSITIVE_INFINITY;
    let mx = Number.NEGATIVE_INFINITY;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (Number.isFinite(v)) (mn = Math.min(mn, v)), (mx = Math.max(mx, v));
    }
    if (mn > mx) {
      pen = false; // a gap of missing samples
      continue;
    }
    const x = fmt(xOf((from + to - 1) / 2));
    out.push(`${pen ? 'L' : 'M'}${x},${fmt(yOf(mx))}L${x},${fmt(yOf(mn))}`);
    pen = true;
  }
  return out.join('');
}

function short(x: number): string {
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Math.round(x * 1000) / 1000);
}
