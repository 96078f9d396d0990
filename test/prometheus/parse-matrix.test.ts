// The hand-written answer parser against JSON.parse on the same texts, and its errors.
import { describe, expect, it } from 'vitest';
import { parseRangeResponse } from '../../lib/prometheus/parse-matrix.ts';

/** What JSON.parse + a straightforward mapping make of an answer. */
function reference(text: string) {
  const j = JSON.parse(text) as { status: string; data?: { resultType: string; result: unknown }; [k: string]: unknown };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(j)) if (k !== 'data') out[k] = v;
  if (j.data) {
    out.resultType = j.data.resultType;
    if (j.data.resultType === 'matrix') {
      out.series = (j.data.result as { metric: Record<string, string>; values?: [number, string][] }[]).map((r) => ({
        labels: r.metric,
        timestamps: (r.values ?? []).map(([t]) => Math.round(t * 1000)),
        values: (r.values ?? []).map(([, v]) => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v))),
      }));
    } else if (Array.isArray(j.data.result) && j.data.result.length === 0) {
      out.series = [];
    } else {
      out.other = j.data.result;
    }
  }
  return out;
}

const texts: [string, string][] = [
  ['an empty matrix', '{"status":"success","data":{"resultType":"matrix","result":[]}}'],
  ['a matrix with odd values', '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[1700000000,"1"],[1700000000.5,"NaN"],[1700000001.25,"+Inf"],[1700000002,"-Inf"],[1700000003,"1e-05"],[1700000004,"-0.125"]]}]}}'],
  ['whitespace, warnings and infos', ' {\n "status" : "success" ,\n "data" : { "resultType" : "matrix" , "result" : [ { "metric" : { } , "values" : [ [ 1 , "2" ] ] } ] } , "warnings" : ["w1"], "infos": ["i"] } \n'],
  ['labels with braces, quotes, escapes and unicode', String.raw`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"path":"/a{b}[c],\"d\"\\","na\u00efve":"é\n"},"values":[[1,"3"]]},{"metric":{"x":"]"},"values":[]}]}}`],
  ['a series without values, with histograms', '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"histograms":[[1,{"count":"2","sum":"3","buckets":[[0,"1","2","1"]]}]]}]}}'],
  ['an error envelope', '{"status":"error","errorType":"bad_data","error":"1:6: parse error: unexpected \\"}\\""}'],
  ['a vector', '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,"2"]}]}}'],
  ['a scalar', '{"status":"success","data":{"resultType":"scalar","result":[1.5,"2"]}}'],
];

describe('parseRangeResponse', () => {
  it.each(texts)('%s: same as JSON.parse', (_name, text) => {
    expect(parseRangeResponse(text)).toEqual(reference(text));
  });

  it('agrees with JSON.parse on a generated answer of 200 series', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const result = Array.from({ length: 200 }, (_, s) => ({
      metric: { __name__: 'm', pod: `p-${s}`, q: s % 7 === 0 ? 'a"b\\c' : 'x' },
      values: Array.from({ length: 50 }, (_, i) => [1_700_000_000 + i * 15.5, String(random() * 10 ** Math.floor(random() * 12 - 6))]),
    }));
    const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
    expect(parseRangeResponse(text)).toEqual(reference(text));
  });

  it.each([
    ['not JSON', '<html>502</html>'],
    ['truncated', '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],'],
    ['trailing garbage', '{"status":"success"} x'],
    ['a sample without a value', '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}'],
    ['an unquoted sample value', '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}'],
    ['empty', ''],
  ])('%s → SyntaxError', (_name, text) => {
    expect(() => parseRangeResponse(text)).toThrow(SyntaxError);
  });
});
