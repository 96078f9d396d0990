// Random corruption of real payloads (deterministic seeds): the parser must never throw, must finish,
// and everything it reports must be sane. Bad input is counted and skipped, never fatal.
import { describe, expect, it } from 'vitest';
import { generateHistogramPayload, generateManySeriesPayload, generateNodeExporterPayload } from '../../bench/fixtures/index.ts';
import { createRandom, type Random } from '../../bench/fixtures/random.ts';
import { Entry, ExpositionParser, type ExpositionFormat } from '../../lib/expo/parser.ts';
import { METRIC_TYPES } from '../../lib/expo/metric-type.ts';
import { SeriesCache } from '../../lib/expo/series-cache.ts';

const NOISE = ['{', '}', '"', '\\', '\n', ' ', '\t', '=', ',', '#', '# EOF\n', '# TYPE ', '# HELP ', 'NaN', '+Inf', 'e', '.', '-', '\r', 'ü', '\u0000', '\ud800'];

function corrupt(text: string, r: Random): string {
  let out = text;
  const edits = 1 + Math.floor(r() * 6);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(r() * (out.length + 1));
    const op = r();
    if (op < 0.35) out = out.slice(0, at) + NOISE[Math.floor(r() * NOISE.length)] + out.slice(at);
    else if (op < 0.6) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(r() * 8));
    else if (op < 0.8) out = out.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + out.slice(at + 1);
    else if (op < 0.9) out = out.slice(0, at); // truncated body
    else out = out.slice(0, at) + out.slice(at, at + 40) + out.slice(at); // duplicated span
  }
  return out;
}

/** Take a window of whole lines so each iteration stays small and fast. */
function excerpt(text: string, r: Random): string {
  const start = text.indexOf('\n', Math.floor(r() * text.length)) + 1;
  return text.slice(start, start + 200 + Math.floor(r() * 3000));
}

function checkRun(text: string, format: ExpositionFormat, lazyLabels: boolean): { series: number; errors: number } {
  const p = new ExpositionParser(text, format, { lazyLabels });
  const lines = text.split('\n').length;
  let series = 0;
  let errors = 0;
  let entries = 0;
  let lastLine = 0;
  for (let e = p.next(); e !== Entry.End; e = p.next()) {
    entries++;
    if (entries > lines + 2) throw new Error(`more entries than lines (${entries} > ${lines})`);
    if (e === Entry.Error) {
      errors++;
      const err = p.error();
      if (!(err.line >= 1 && err.line <= lines + 1 && err.column >= 1)) throw new Error(`bad position ${err.line}:${err.column}`);
      if (err.message.length === 0 || err.expected.length === 0) throw new Error('empty message');
      continue;
    }
    if (p.line() < lastLine) throw new Error('line numbers went backwards');
    lastLine = p.line();
    if (e !== Entry.Series) continue;
    const key = p.seriesKey();
    if (key.length === 0 || !text.includes(key)) throw new Error(`key not from input: ${JSON.stringify(key)}`);
    if (typeof p.value() !== 'number') throw new Error('value not a number');
    const ts = p.timestamp();
    if (ts !== undefined && !Number.isFinite(ts)) throw new Error('non-finite timestamp');
    if (!METRIC_TYPES.includes(p.familyType())) throw new Error('unknown type');
    p.isCounter();
    p.familyName();
    const labels = p.labels(true);
    if (labels === undefined) {
      if (!lazyLabels) throw new Error('eager parser returned a series with malformed labels');
      errors++;
      continue;
    }
    if (labels.__name__ !== p.metricName() || !key.startsWith(p.metricName())) throw new Error('name mismatch');
    for (const [k, v] of Object.entries(labels)) if (typeof v !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) throw new Error(`bad label ${k}`);
    series++;
  }
  return { series, errors };
}

const SOURCES = [
  ['node-exporter', generateNodeExporterPayload()],
  ['histograms', generateHistogramPayload()],
  ['10k-series', generateManySeriesPayload(2000)],
] as const;

describe('fuzz: corrupted real payloads', () => {
  it.each(SOURCES)('%s: 3000 corruptions x both formats x both modes, never throws', (_name, payload) => {
    const r = createRandom(0xdecaf);
    let errors = 0;
    let series = 0;
    for (let k = 0; k < 3000; k++) {
      const text = corrupt(excerpt(payload, r), r);
      for (const format of ['prometheus', 'openmetrics'] as const) {
        for (const lazy of [false, true]) {
          const got = checkRun(text, format, lazy);
          errors += got.errors;
          series += got.series;
        }
      }
    }
    // The corruption must actually exercise both paths.
    expect(errors).toBeGreaterThan(1000);
    expect(series).toBeGreaterThan(10000);
  });

  it('eager and lazy modes read the same series and report the same errors', () => {
    const r = createRandom(42);
    for (let k = 0; k < 2000; k++) {
      const text = corrupt(excerpt(SOURCES[k % 3][1], r), r);
      expect(readWithCache(new SeriesCache<string>(), text)).toEqual(readPlain(text));
    }
  });

  it('hints and remembered metadata from a clean scrape never change how a corrupted one reads', () => {
    const r = createRandom(99);
    for (let k = 0; k < 1500; k++) {
      const clean = excerpt(SOURCES[k % 3][1], r);
      const cache = new SeriesCache<string>();
      const parser = new ExpositionParser('', 'prometheus', { lazyLabels: true, reuseMetadata: true });
      readWithCache(cache, clean, parser);
      const broken = corrupt(clean, r);
      expect(readWithCache(cache, broken, parser)).toEqual(readPlain(broken));
      expect(readWithCache(cache, clean, parser)).toEqual(readPlain(clean));
    }
  });

  it('survives pathological inputs', () => {
    for (const text of ['{'.repeat(10000), '"'.repeat(10000), 'a{b="'.repeat(2000), '\\'.repeat(10001), '#'.repeat(5000), 'a'.repeat(100000), '\n'.repeat(50000), 'a{' + 'b="c",'.repeat(5000) + '} 1']) {
      for (const format of ['prometheus', 'openmetrics'] as const) expect(() => checkRun(text, format, true)).not.toThrow();
    }
  });
});

type Row = [key: string, name: string, type: string, labels: unknown, value: number, ts: number | undefined] | string;

/** Read as the dispatcher does: lazy labels, remembered metadata, SeriesCache hints (pass `p` to keep them). */
function readWithCache(cache: SeriesCache<string>, text: string, p = new ExpositionParser('', 'prometheus', { lazyLabels: true, reuseMetadata: true })): Row[] {
  p.reset(text, 'prometheus');
  const rows: Row[] = [];
  cache.begin();
  for (let e = cache.next(p); e !== Entry.End; e = cache.next(p)) {
    if (e === Entry.Error) rows.push(p.error().message);
    if (e === Entry.Help || e === Entry.Type || e === Entry.Unit) rows.push(`${e} ${p.metaName()} ${e === Entry.Help ? p.help() : e === Entry.Type ? p.metricType() : p.unit()}`);
    if (e === Entry.Comment) rows.push(`# ${p.comment()}`);
    if (e !== Entry.Series) continue;
    const labels = p.labels(true);
    if (labels === undefined) rows.push(p.error().message);
    else rows.push([p.seriesKey(), p.metricName(), p.familyType(), labels, p.value(), p.timestamp()]);
    cache.resolve(p, (q) => (q.labels() === undefined ? undefined : q.seriesKey()));
  }
  cache.end();
  return rows;
}

function readPlain(text: string): Row[] {
  const p = new ExpositionParser(text, 'prometheus');
  const rows: Row[] = [];
  for (let e = p.next(); e !== Entry.End; e = p.next()) {
    if (e === Entry.Error) rows.push(p.error().message);
    if (e === Entry.Help || e === Entry.Type || e === Entry.Unit) rows.push(`${e} ${p.metaName()} ${e === Entry.Help ? p.help() : e === Entry.Type ? p.metricType() : p.unit()}`);
    if (e === Entry.Comment) rows.push(`# ${p.comment()}`);
    if (e === Entry.Series) rows.push([p.seriesKey(), p.metricName(), p.familyType(), p.labels(true), p.value(), p.timestamp()]);
  }
  return rows;
}
