// Run: node_modules/.bin/node bench/research/plot.ts --out /tmp/x.png [--module M] [--params JSON] FILTER...
//
// Research aid: stacks the NAB series whose key contains any FILTER into one PNG (headless Chromium):
// values (blue), label windows (pink), probation (grey), the detector's score (orange, log scale,
// dashed line at 1) and detections at score >= 1 (red ticks).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { labelCorpus, loadCorpus } from '../../lib/nab/index.ts';
import type { AnyDetector } from '../../lib/sdk/index.ts';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string', default: '/tmp/plot.png' },
    module: { type: 'string', default: 'lib/detectors/default/index.ts' },
    params: { type: 'string', default: '{}' },
    width: { type: 'string', default: '1400' },
    corpus: { type: 'string', default: process.env.NAB_DIR ?? resolve(import.meta.dirname, '../../../shared/datasets/nab') },
  },
});
const mod = (await import(pathToFileURL(resolve(opts.module!)).href)) as Record<string, AnyDetector>;
const detector = Object.values(mod).find((d) => d && typeof d.createOnline === 'function')!;
const params = detector.resolveParams(JSON.parse(opts.params!));
const corpus = loadCorpus(opts.corpus!, { only: (k) => positionals.some((p) => k.includes(p)) });
const labeled = labelCorpus(corpus);
const W = Number(opts.width);
const H = 170;
const parts: string[] = [];
for (const [f, file] of corpus.files.entries()) {
  const n = file.values.length;
  const online = detector.createOnline(params);
  const scores = Array.from(file.values, (v, i) => online.update(file.timestamps[i], v));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of file.values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const x = (i: number) => ((i / n) * W).toFixed(1);
  const y = (v: number) => (H - 20 - ((v - lo) / (hi - lo || 1)) * (H - 40)).toFixed(1);
  const ys = (s: number) => (H - 20 - (Math.log10(Math.max(s, 0.01)) + 2) / 4 * (H - 40)).toFixed(1);
  const l = labeled.labels[f];
  let svg = `<div>${file.key}</div><svg width="${W}" height="${H}" style="background:#fff">`;
  svg += `<rect x="0" y="0" width="${x(l.probation)}" height="${H}" fill="#eee"/>`;
  for (const [a, b] of l.windowRows) svg += `<rect x="${x(a)}" y="0" width="${((b - a + 1) / n) * W}" height="${H}" fill="#fcc"/>`;
  svg += `<line x1="0" x2="${W}" y1="${ys(1)}" y2="${ys(1)}" stroke="#f80" stroke-dasharray="4"/>`;
  svg += `<polyline fill="none" stroke="#f80" stroke-width="0.6" points="${scores.map((s, i) => `${x(i)},${ys(Number.isNaN(s) ? 0.01 : s)}`).join(' ')}"/>`;
  svg += `<polyline fill="none" stroke="#14c" stroke-width="0.8" points="${Array.from(file.values, (v, i) => `${x(i)},${y(v)}`).join(' ')}"/>`;
  for (const [i, s] of scores.entries()) if (s >= 1) svg += `<line x1="${x(i)}" x2="${x(i)}" y1="${H - 12}" y2="${H}" stroke="red"/>`;
  parts.push(`${svg}</svg>`);
}
const dir = mkdtempSync(join(tmpdir(), 'plot-'));
const html = join(dir, 'p.html');
writeFileSync(html, `<html><body style="margin:0;font:12px sans-serif">${parts.join('')}</body></html>`);
const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: W, height: 200 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(pathToFileURL(html).href);
await page.screenshot({ path: opts.out!, fullPage: true });
await browser.close();
rmSync(dir, { recursive: true, force: true });
console.log(`${opts.out}: ${corpus.files.length} series`);
