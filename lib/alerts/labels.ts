// The alert's label set is its identity in Alertmanager, so it is built here, once, deterministically:
// our own labels first, then the series' labels sanitised the way Prometheus treats target labels
// (a clash with a different value is kept as exported_<name>).
import type { Labels } from '../contracts/types.ts';

const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const EXPORTED_PREFIX = 'exported_';
/** The series' metric name (__name__) becomes this label. */
export const METRIC_LABEL = 'metric';

/** A valid Prometheus label name: invalid characters become "_", a leading digit gets a "_" prefix. */
export function sanitizeLabelName(name: string): string {
  if (VALID_NAME.test(name)) return name;
  const replaced = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return replaced === '' || /^[0-9]/.test(replaced) ? `_${replaced}` : replaced;
}

/**
 * Merge the forwarder's own labels with a series' labels. `__name__` becomes `metric`; other `__`
 * labels are internal to Prometheus and dropped; empty values are dropped (Alertmanager drops them
 * too); a series label whose name is taken by a different value is renamed exported_<name> (repeated
 * until free). Keys come out sorted, so equal inputs give byte-equal JSON.
 */
export function buildAlertLabels(own: Labels, series: Labels): Labels {
  const out: Labels = {};
  for (const [name, value] of Object.entries(own)) if (value !== '') out[name] = value;
  const put = (name: string, value: string): void => {
    let target = name;
    while (out[target] !== undefined && out[target] !== value) target = EXPORTED_PREFIX + target;
    out[target] = value;
  };
  const metric = series.__name__;
  if (metric) put(METRIC_LABEL, metric);
  for (const name of Object.keys(series).sort()) {
    const value = series[name];
    if (value === '' || name.startsWith('__')) continue;
    put(sanitizeLabelName(name), value);
  }
  return sortLabels(out);
}

export function sortLabels(labels: Labels): Labels {
  const sorted: Labels = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name];
  return sorted;
}

/** A PromQL selector for the series, e.g. http_requests_total{pod="a",code="500"} (for generatorURL). */
export function formatSelector(series: Labels): string {
  const parts: string[] = [];
  for (const name of Object.keys(series).sort()) {
    if (name === '__name__') continue;
    parts.push(`${name}=${quote(series[name])}`);
  }
  const body = parts.length > 0 ? `{${parts.join(',')}}` : '';
  return series.__name__ ? `${series.__name__}${body}` : body || '{}';
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
