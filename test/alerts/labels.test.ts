import { describe, expect, it } from 'vitest';
import { buildAlertLabels, formatSelector, sanitizeLabelName } from '../../lib/alerts/labels.ts';

describe('sanitizeLabelName', () => {
  it.each([
    ['pod', 'pod'],
    ['_x', '_x'],
    ['app.kubernetes.io/name', 'app_kubernetes_io_name'],
    ['9lives', '_9lives'],
    ['a-b', 'a_b'],
    ['', '_'],
    ['ünïcode', '_n_code'],
  ])('%j → %j', (input, output) => {
    expect(sanitizeLabelName(input)).toBe(output);
  });
});

describe('buildAlertLabels', () => {
  const own = { alertname: 'DeucalionAnomaly', detector: 'zscore', severity: 'warning', namespace: 'shop', pod: 'cart-1' };
  it.each([
    ['__name__ becomes metric', { __name__: 'http_requests_total', code: '500' }, { metric: 'http_requests_total', code: '500' }],
    ['other __ labels are dropped', { __name__: 'up', __meta_x: 'y' }, { metric: 'up' }],
    ['empty values are dropped', { code: '', instance: 'a:1' }, { instance: 'a:1' }],
    ['an equal value merges', { namespace: 'shop', pod: 'cart-1' }, {}],
    ['a clash with a different value is exported_', { pod: 'other', severity: 'high' }, { exported_pod: 'other', exported_severity: 'high' }],
    ['a series metric label yields to __name__', { __name__: 'up', metric: 'x' }, { metric: 'up', exported_metric: 'x' }],
    ['exported_ is repeated until free', { pod: 'p2', exported_pod: 'p3' }, { exported_pod: 'p3', exported_exported_pod: 'p2' }],
  ])('%s', (_name, series, extra) => {
    expect(buildAlertLabels(own, series)).toEqual({ ...own, ...extra });
  });

  it('sorts keys so equal label sets serialise identically', () => {
    const a = JSON.stringify(buildAlertLabels(own, { z: '1', a: '2' }));
    const b = JSON.stringify(buildAlertLabels({ ...own }, { a: '2', z: '1' }));
    expect(a).toBe(b);
    expect(Object.keys(JSON.parse(a))).toEqual([...Object.keys(JSON.parse(a))].sort());
  });
});

describe('formatSelector', () => {
  it.each([
    [{ __name__: 'up', job: 'a' }, 'up{job="a"}'],
    [{ __name__: 'up' }, 'up'],
    [{ job: 'a"b\\c\nd' }, '{job="a\\"b\\\\c\\nd"}'],
    [{}, '{}'],
  ])('%j → %s', (labels, selector) => {
    expect(formatSelector(labels)).toBe(selector);
  });
});
