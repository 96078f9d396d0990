// What a detector function does with one io.deucalion.window.v1 event: score each series with the
// detector's window form and keep the points that are anomalous and new (at or after reportFrom).
import type { Anomaly, Resolved, WindowData } from '../contracts/types.ts';
import type { AnyDetector } from './detector.ts';
import type { ParamSpecs, ParamValues } from './params.ts';

export interface WindowFindings {
  anomalies: Anomaly[];
  resolved: Resolved[];
}

export function detectInWindow(detector: AnyDetector, params: ParamValues<ParamSpecs>, window: WindowData): WindowFindings {
  const anomalies: Anomaly[] = [];
  const resolved: Resolved[] = [];
  const reportFrom = window.reportFrom ?? window.start;
  for (const series of window.series) {
    const n = series.timestamps.length;
    if (n === 0) continue;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = series.values[i] ?? NaN;
    const { scores, lower, upper } = detector.scoreWindow(params, series.timestamps, values);
    let anomalousInWindow = false;
    let lastScored = -1;
    for (let i = 0; i < n; i++) {
      const score = scores[i];
      if (Number.isNaN(score)) continue;
      lastScored = i;
      if (score < 1) continue;
      anomalousInWindow = true;
      if (series.timestamps[i] < reportFrom) continue;
      const anomaly: Anomaly = {
        detector: detector.name,
        labels: series.labels,
        timestamp: series.timestamps[i],
        value: Number.isNaN(values[i]) ? null : values[i],
        score,
      };
      if (lower && upper && !Number.isNaN(lower[i])) anomaly.expected = { lower: lower[i], upper: upper[i] };
      anomalies.push(anomaly);
    }
    // A stateless function cannot remember earlier runs, but windows overlap: an anomaly still in the
    // window's history whose series now scores normal is reported back to normal.
    if (anomalousInWindow && lastScored >= 0 && scores[lastScored] < 1) {
      resolved.push({ detector: detector.name, labels: series.labels, timestamp: series.timestamps[lastScored] });
    }
  }
  return { anomalies, resolved };
}
