// The HTML report opens in a real browser (headless Chromium) and its plots render.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/nab/evaluate.ts';
import { renderReport } from '../../lib/nab/report.ts';
import { requireBinary } from '../support/binaries.ts';
import { writeSyntheticCorpus } from './synthetic-corpus.ts';

const chromiumPath = requireBinary('chromium');

/** Distinct byte values in a PNG's decompressed image data: a blank screenshot has almost none. */
function pngVariety(png: Buffer): number {
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return new Set(inflateSync(Buffer.concat(idat))).size;
}

describe.skipIf(!chromiumPath)('eval --report in headless Chromium', () => {
  let browser: BrowserContext;
  let profileDir: string;
  let reportPath: string;

  beforeAll(async () => {
    const corpus = writeSyntheticCorpus();
    const evaluation = await evaluate({ corpusDir: corpus, detectors: ['zscore', 'ewma'], jobs: 1 });
    reportPath = join(corpus, 'report.html');
    writeFileSync(reportPath, renderReport(evaluation));
    profileDir = mkdtempSync(join(tmpdir(), 'deucalion-chromium-'));
    // A fresh profile directory per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('renders one plot per series, with values, windows and detections', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${reportPath}`);

    expect(await page.locator('table.summary tbody tr').count()).toBe(2);
    const plots = page.locator('svg.series');
    expect(await plots.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      const box = await plots.nth(i).boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(100);
      const values = await plots.nth(i).locator('path.values').boundingBox();
      expect(values!.width).toBeGreaterThan(100);
      expect(values!.height).toBeGreaterThan(10);
    }
    // spiky.csv: two shaded windows, and zscore's detections drawn inside them.
    const spiky = page.locator('section', { hasText: 'synthA/spiky.csv' }).locator('svg.series');
    expect(await spiky.locator('rect.window').count()).toBe(2);
    const tp = await spiky.locator('path.tp').first().boundingBox();
    expect(tp!.height).toBeGreaterThan(5);

    const shot = await spiky.screenshot();
    expect(pngVariety(shot)).toBeGreaterThan(20);
    // Self-contained: nothing but the page itself was fetched.
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await page.close();
  });
});
