import { describe, expect, it } from 'vitest';
import { Entry, ExpositionParser, type ExpositionFormat } from '../../lib/expo/parser.ts';
import { parseExposition, type Sample } from '../../lib/expo/parse-exposition.ts';
import type { ParseError } from '../../lib/expo/parse-error.ts';

interface Case {
  name: string;
  format?: ExpositionFormat;
  input: string;
  want: Sample[];
}

const s = (name: string, labels: Record<string, string>, value: number, type: Sample['type'] = 'untyped', timestamp?: number): Sample =>
  timestamp === undefined ? { name, labels, value, type } : { name, labels, value, type, timestamp };

const CASES: Case[] = [
  { name: 'empty input', input: '', want: [] },
  { name: 'blank lines only', input: '\n\n  \n\t\n', want: [] },
  { name: 'minimal sample', input: 'minimal_metric 1.234\n', want: [s('minimal_metric', {}, 1.234)] },
  { name: 'no trailing newline', input: 'a 1', want: [s('a', {}, 1)] },
  { name: 'CRLF line endings', input: '# TYPE a gauge\r\na{x="1"} 2\r\nb 3 1000\r\n', want: [s('a', { x: '1' }, 2, 'gauge'), s('b', {}, 3, 'untyped', 1000)] },
  { name: 'negative exponent and timestamp', input: 'another_metric -3e3 103948\n', want: [s('another_metric', {}, -3000, 'untyped', 103948)] },
  { name: 'negative timestamp', input: 'x 1 -3982045\n', want: [s('x', {}, 1, 'untyped', -3982045)] },
  { name: 'empty label block', input: 'no_labels{} 3\n', want: [s('no_labels', {}, 3)] },
  { name: 'blanks inside braces and trailing comma', input: 'm{ a = "1" , b="2", } 4\n', want: [s('m', { a: '1', b: '2' }, 4)] },
  { name: 'tabs as separators', input: 'm\t{a="1"}\t5\t6\n', want: [s('m', { a: '1' }, 5, 'untyped', 6)] },
  { name: 'leading blanks on a line', input: '   m 1\n', want: [s('m', {}, 1)] },
  { name: 'colons in metric names', input: 'job:request_rate:5m{job="a"} 0.5\n', want: [s('job:request_rate:5m', { job: 'a' }, 0.5)] },
  {
    name: 'label escapes',
    input: 'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9\n',
    want: [s('msdos_file_access_time_seconds', { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' }, 1458255915)],
  },
  { name: 'unknown escapes kept verbatim', input: 'm{a="x\\ty\\\\"} 1\n', want: [s('m', { a: 'x\\ty\\' }, 1)] },
  { name: 'braces, commas and hashes inside values', input: 'm{a="}{,#",b="=\\"}"} 1\n', want: [s('m', { a: '}{,#', b: '="}' }, 1)] },
  { name: 'unicode in values', input: 'm{city="Zürich 東京"} 1\n', want: [s('m', { city: 'Zürich 東京' }, 1)] },
  { name: '__proto__ is an ordinary label', input: 'm{__proto__="p",constructor="c"} 1\n', want: [s('m', JSON.parse('{"__proto__":"p","constructor":"c"}'), 1)] },
  {
    name: 'special float values',
    input: 'a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\nf -infinity\ng +3.5\nh .5\ni 5.\nj 1E+2\nk -0\n',
    want: [s('a', {}, NaN), s('b', {}, Infinity), s('c', {}, -Infinity), s('d', {}, Infinity), s('e', {}, NaN), s('f', {}, -Infinity), s('g', {}, 3.5), s('h', {}, 0.5), s('i', {}, 5), s('j', {}, 100), s('k', {}, -0)],
  },
  {
    name: 'floats beyond the fast path',
    input: 'a 1.7976931348623157e308\nb 5e-324\nc 123456789012345678901234567890\nd 0.1000000000000000055511151231257827\ne 7.424100000000001e-05\n',
    want: [s('a', {}, 1.7976931348623157e308), s('b', {}, 5e-324), s('c', {}, 123456789012345678901234567890), s('d', {}, 0.1), s('e', {}, 7.424100000000001e-05)],
  },
  {
    name: 'comments and metadata do not produce samples',
    input: '# just a comment\n#no space\n# HELP m Some help.\n# TYPE m counter\nm 1\n# HELP other\n',
    want: [s('m', {}, 1, 'counter')],
  },
  {
    name: 'histogram samples carry the family type',
    input: '# TYPE rpc histogram\nrpc_bucket{le="0.05"} 24054\nrpc_bucket{le="+Inf"} 144320\nrpc_sum 53423\nrpc_count 144320\nrpc_other 1\n',
    want: [s('rpc_bucket', { le: '0.05' }, 24054, 'histogram'), s('rpc_bucket', { le: '+Inf' }, 144320, 'histogram'), s('rpc_sum', {}, 53423, 'histogram'), s('rpc_count', {}, 144320, 'histogram'), s('rpc_other', {}, 1)],
  },
  {
    name: 'summary with quantiles',
    input: '# TYPE rpc_duration_seconds summary\nrpc_duration_seconds{quantile="0.01"} 3102\nrpc_duration_seconds_sum 1.7560473e+07\nrpc_duration_seconds_count 2693\n',
    want: [s('rpc_duration_seconds', { quantile: '0.01' }, 3102, 'summary'), s('rpc_duration_seconds_sum', {}, 17560473, 'summary'), s('rpc_duration_seconds_count', {}, 2693, 'summary')],
  },
  {
    name: 'bad lines are skipped, good ones kept',
    input: 'a 1\nb{x=1} 2\nc 3\n',
    want: [s('a', {}, 1), s('c', {}, 3)],
  },
  {
    name: 'OpenMetrics: float-second timestamps become ms, exemplars skipped, unknown is untyped',
    format: 'openmetrics',
    input: [
      '# TYPE foo counter',
      '# UNIT foo seconds',
      '# HELP foo Some \\"quoted\\" help.',
      'foo_total{a="b"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67',
      'foo_created{a="b"} 1520430000.123',
      '# TYPE hh histogram',
      'hh_bucket{le="+Inf"} 1 # {id="x"} 4 123.123',
      'hh_count 1',
      '# TYPE u unknown',
      'u 2 1e3',
      '# EOF',
      '',
    ].join('\n'),
    want: [s('foo_total', { a: 'b' }, 17, 'counter', 1520879607789), s('foo_created', { a: 'b' }, 1520430000.123, 'counter'), s('hh_bucket', { le: '+Inf' }, 1, 'histogram'), s('hh_count', {}, 1, 'histogram'), s('u', {}, 2, 'untyped', 1000000)],
  },
  {
    name: 'OpenMetrics: stateset, info and gaugehistogram',
    format: 'openmetrics',
    input: [
      '# TYPE door stateset',
      'door{door="open"} 1',
      'door{door="closed"} 0',
      '# TYPE build info',
      'build_info{version="1.0"} 1',
      '# TYPE q gaugehistogram',
      'q_bucket{le="1"} 3',
      'q_bucket{le="+Inf"} 5',
      'q_gcount 5',
      'q_gsum 7.5',
      '# EOF',
    ].join('\n'),
    want: [s('door', { door: 'open' }, 1, 'stateset'), s('door', { door: 'closed' }, 0, 'stateset'), s('build_info', { version: '1.0' }, 1, 'info'), s('q_bucket', { le: '1' }, 3, 'gaugehistogram'), s('q_bucket', { le: '+Inf' }, 5, 'gaugehistogram'), s('q_gcount', {}, 5, 'gaugehistogram'), s('q_gsum', {}, 7.5, 'gaugehistogram')],
  },
  { name: 'Prometheus format: # EOF is only a comment', input: 'a 1\n# EOF\nb 2\n', want: [s('a', {}, 1), s('b', {}, 2)] },
];

describe.each([false, true])('parseExposition (lazyLabels=%s)', (lazy) => {
  it.each(CASES)('$name', ({ input, format, want }) => {
    const got = lazy ? parseLazily(input, format ?? 'prometheus') : parseExposition(input, format ?? 'prometheus');
    expect(got).toEqual(want);
    for (let k = 0; k < want.length; k++) expect(Object.is(got[k].value, want[k].value) || Number.isNaN(want[k].value)).toBe(true);
  });
});

function parseLazily(text: string, format: ExpositionFormat): Sample[] {
  const p = new ExpositionParser(text, format, { lazyLabels: true });
  const out: Sample[] = [];
  for (let e = p.next(); e !== Entry.End; e = p.next()) {
    if (e !== Entry.Series) continue;
    const labels = p.labels();
    if (labels === undefined) continue;
    const sample: Sample = { name: p.metricName(), labels, value: p.value(), type: p.familyType() };
    if (p.hasTimestamp()) sample.timestamp = p.timestamp();
    out.push(sample);
  }
  return out;
}

describe('pull API', () => {
  it('reports every entry kind with its accessors', () => {
    const p = new ExpositionParser('# HELP m Help with \\\\ and \\n escapes.\n# TYPE m counter\n# a comment\nm{a="1"} 2 3\n', 'prometheus');
    expect(p.next()).toBe(Entry.Help);
    expect([p.metaName(), p.help(), p.line()]).toEqual(['m', 'Help with \\ and \n escapes.', 1]);
    expect(p.next()).toBe(Entry.Type);
    expect([p.metaName(), p.metricType()]).toEqual(['m', 'counter']);
    expect(p.next()).toBe(Entry.Comment);
    expect(p.comment()).toBe('a comment');
    expect(p.next()).toBe(Entry.Series);
    expect([p.seriesKey(), p.metricName(), p.value(), p.timestamp(), p.labelCount(), p.line()]).toEqual(['m{a="1"}', 'm', 2, 3, 1, 4]);
    expect(p.labels(true)).toEqual({ __name__: 'm', a: '1' });
    expect(p.next()).toBe(Entry.End);
    expect(p.next()).toBe(Entry.End);
  });

  it('reads OpenMetrics UNIT and HELP escapes', () => {
    const p = new ExpositionParser('# UNIT x_seconds seconds\n# HELP x_seconds a \\"b\\"\n# EOF\n', 'openmetrics');
    expect(p.next()).toBe(Entry.Unit);
    expect([p.metaName(), p.unit()]).toEqual(['x_seconds', 'seconds']);
    expect(p.next()).toBe(Entry.Help);
    expect(p.help()).toBe('a "b"');
    expect(p.next()).toBe(Entry.End);
  });

  it('keeps the raw series text as key, blanks and escapes included', () => {
    const p = new ExpositionParser('m { a="x\\"y" }  1\n');
    expect(p.next()).toBe(Entry.Series);
    expect(p.seriesKey()).toBe('m { a="x\\"y" }');
    expect(p.seriesEquals('m { a="x\\"y" }')).toBe(true);
    expect(p.seriesEquals('m { a="x\\"y"}')).toBe(false);
    const q = new ExpositionParser('m { a="x\\"y" }  1\nm{a="x"} 1\n');
    q.next();
    const h1 = q.seriesHash();
    q.next();
    expect(q.seriesHash()).not.toBe(h1);
    expect(p.seriesHash()).toBe(h1);
  });

  it.each([
    ['# TYPE c counter\nc 1\n', 'c', 'counter', '', true],
    ['# TYPE c_total counter\nc_total 1\n', 'c_total', 'counter', '', true],
    ['# TYPE c counter\nc_total 1\n', 'c', 'counter', '_total', true],
    ['# TYPE c counter\nc_created 1\n', 'c', 'counter', '_created', false],
    ['# TYPE h histogram\nh_bucket{le="1"} 1\n', 'h', 'histogram', '_bucket', true],
    ['# TYPE h histogram\nh_sum 1\n', 'h', 'histogram', '_sum', true],
    ['# TYPE h histogram\nh_count 1\n', 'h', 'histogram', '_count', true],
    ['# TYPE s summary\ns{quantile="0.5"} 1\n', 's', 'summary', '', false],
    ['# TYPE s summary\ns_count 1\n', 's', 'summary', '_count', true],
    ['# TYPE g gauge\ng 1\n', 'g', 'gauge', '', false],
    ['# TYPE g gauge\ng_total 1\n', 'g_total', 'untyped', '', true],
    ['requests_total 1\n', 'requests_total', 'untyped', '', true],
    ['_total 1\n', '_total', 'untyped', '', false],
    ['# TYPE gh gaugehistogram\ngh_bucket{le="1"} 1\n', 'gh', 'gaugehistogram', '_bucket', false],
    ['# TYPE h histogram\nhx_bucket 1\n', 'hx_bucket', 'untyped', '', false],
  ] as const)('family of %j', (input, family, type, suffix, counter) => {
    const p = new ExpositionParser(input);
    while (p.next() !== Entry.Series);
    expect([p.familyName(), p.familyType(), p.suffix(), p.isCounter()]).toEqual([family, type, suffix, counter]);
  });

  it('reuses one parser across payloads with reset', () => {
    const p = new ExpositionParser('# TYPE a counter\na 1\n');
    while (p.next() !== Entry.End);
    p.reset('a 2\n');
    expect(p.next()).toBe(Entry.Series);
    expect([p.value(), p.familyType(), p.line()]).toEqual([2, 'untyped', 1]);
  });

  it('reuseMetadata: repeated metadata lines read the same, changed ones are lexed again', () => {
    const p = new ExpositionParser('', 'prometheus', { reuseMetadata: true });
    const read = (text: string) => {
      p.reset(text);
      const out: string[] = [];
      for (let e = p.next(); e !== Entry.End; e = p.next()) {
        if (e === Entry.Help) out.push(`help ${p.metaName()} ${p.help()}`);
        if (e === Entry.Type) out.push(`type ${p.metaName()} ${p.metricType()}`);
        if (e === Entry.Comment) out.push(`comment ${p.comment()}`);
        if (e === Entry.Series) out.push(`${p.seriesKey()} ${p.value()} ${p.familyType()} ${p.line()}`);
        if (e === Entry.Error) out.push(p.error().message);
      }
      return out;
    };
    const first = '# HELP a A \\ help.\n# TYPE a counter\na 1\n# plain\n# TYPE b gauge\nb 2\n';
    expect(read(first)).toEqual(['help a A \\ help.', 'type a counter', 'a 1 counter 3', 'comment plain', 'type b gauge', 'b 2 gauge 6']);
    expect(read(first.replace('a 1', 'a 5'))).toEqual(['help a A \\ help.', 'type a counter', 'a 5 counter 3', 'comment plain', 'type b gauge', 'b 2 gauge 6']);
    expect(read('# HELP a A \\ help.\n# TYPE a gauge\na 1\n# TYPE b gauge\nb 2\n# TYPE c bad\n')).toEqual(['help a A \\ help.', 'type a gauge', 'a 1 gauge 3', 'type b gauge', 'b 2 gauge 5', 'expected metric type, got "bad" at line 6, column 10']);
    expect(read('# TYPE b gauge\nb 2\n')).toEqual(['type b gauge', 'b 2 gauge 2']);
  });

  it('grows label storage past 16 labels', () => {
    const labels = Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`l${k}`, `v${k}`]));
    const text = `m{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} 1\n`;
    expect(parseExposition(text)).toEqual([s('m', labels, 1)]);
  });

  it('collects errors and keeps going', () => {
    const errors: ParseError[] = [];
    const got = parseExposition('a 1\nb{ 2\nc x\nd 4\n', 'prometheus', errors);
    expect(got.map((x) => x.name)).toEqual(['a', 'd']);
    expect(errors.map((e) => [e.line, e.column])).toEqual([[2, 4], [3, 3]]);
  });
});
