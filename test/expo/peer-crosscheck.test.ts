// Our parser and parse-prometheus-text-format (the benchmark peer) must read the same values from the
// benchmark fixtures; otherwise the throughput comparison would compare different work.
import { describe, expect, it } from 'vitest';
import { generatePayloads } from '../../bench/fixtures/index.ts';
import { parsePeer, type PeerFamily } from '../../bench/peers/parse-prometheus-text-format.ts';
import { parseExposition, type Sample } from '../../lib/expo/parse-exposition.ts';

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);

describe.each(generatePayloads())('$name fixture', ({ text }) => {
  const ours = parseExposition(text);
  const peer = parsePeer(text);

  it('parses without errors and agrees on the family list', () => {
    const errors: unknown[] = [];
    parseExposition(text, 'prometheus', errors as never);
    expect(errors).toEqual([]);
    const families = [...new Set(ours.map((s) => familyOf(s)))];
    expect(peer.map((f) => f.name)).toEqual(families);
    expect(peer.map((f) => f.type.toLowerCase())).toEqual(families.map((f) => ours.find((s) => familyOf(s) === f)!.type));
  });

  it('agrees on every counter, gauge and untyped sample, in order', () => {
    const plain = ours.filter((s) => s.type !== 'histogram' && s.type !== 'summary');
    const peerPlain = peer.filter((f) => f.type !== 'HISTOGRAM' && f.type !== 'SUMMARY').flatMap((f) => f.metrics.map((m) => ({ name: f.name, labels: m.labels ?? {}, value: Number(m.value) })));
    expect(peerPlain.length).toBe(plain.length);
    peerPlain.forEach((p, k) => {
      expect(plain[k].name).toBe(p.name);
      expect(plain[k].labels).toEqual(p.labels);
      expect(plain[k].value).toBe(p.value);
    });
  });

  it('finds every histogram bucket, quantile, sum and count the peer reports', () => {
    // The peer folds histograms and summaries into one object per family (dropping other labels when a
    // family has several label sets), so check that each value it reports is one of ours.
    let checked = 0;
    for (const f of peer.filter((x: PeerFamily) => x.type === 'HISTOGRAM' || x.type === 'SUMMARY')) {
      const mine = ours.filter((s) => familyOf(s) === f.name);
      for (const m of f.metrics) {
        const has = (name: string, key: string | undefined, keyValue: string | undefined, value: string) =>
          mine.some((s) => s.name === name && (key === undefined || s.labels[key] === keyValue) && (m.labels === undefined || sameLabels(withoutKey(s.labels, key), m.labels)) && s.value === Number(value));
        for (const [le, v] of Object.entries(m.buckets ?? {})) checked += Number(expectTrue(has(`${f.name}_bucket`, 'le', le, v)));
        for (const [q, v] of Object.entries(m.quantiles ?? {})) checked += Number(expectTrue(has(f.name, 'quantile', q, v)));
        if (m.count !== undefined) checked += Number(expectTrue(has(`${f.name}_count`, undefined, undefined, m.count)));
        if (m.sum !== undefined) checked += Number(expectTrue(has(`${f.name}_sum`, undefined, undefined, m.sum)));
      }
    }
    if (ours.some((s) => s.type === 'histogram' || s.type === 'summary')) expect(checked).toBeGreaterThan(0);
  });
});

function familyOf(s: Sample): string {
  if (s.type === 'histogram') return s.name.replace(/_(bucket|sum|count)$/, '');
  if (s.type === 'summary') return s.name.replace(/_(sum|count)$/, '');
  return s.name;
}

function withoutKey(labels: Record<string, string>, key: string | undefined): Record<string, string> {
  const out = { ...labels };
  if (key !== undefined) delete out[key];
  return out;
}

function expectTrue(v: boolean): true {
  expect(v).toBe(true);
  return true;
}
