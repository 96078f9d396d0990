// One anomaly event → the Alertmanager v2 alerts to POST, with Prometheus' firing semantics and no
// state kept between events: every firing alert carries endsAt = now + 4 × resend interval (so it stays
// firing while the sender keeps reporting and Alertmanager resolves it when the sender goes quiet), and
// a series reported back to normal is POSTed again with endsAt = its resolve time.
//
// Severity is part of the label set, so a severity change would leave the old alert firing next to the
// new one. Each POST therefore also resolves the series' alert at every other severity, and a resolve
// ends all severities: at most one severity per series is ever firing.
import type { Anomaly, AnomalyData, Labels, Resolved } from '../contracts/types.ts';
import { HttpError } from '../runtime/http-error.ts';
import type { AlertConfig, SeverityLevel } from './config.ts';
import { buildAlertLabels, formatSelector } from './labels.ts';

/** A postable alert of the Alertmanager v2 API (times RFC 3339). */
export interface PostableAlert {
  labels: Labels;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** Where the anomalies come from: a pod (sidecar mode) or a federation. */
export interface AlertOrigin {
  namespace?: string;
  pod?: string;
  federation?: string;
}

/** One series' change of state in a batch, for readable output (the embedded sink). */
export interface SeriesChange {
  state: 'firing' | 'resolved';
  /** The firing alert, or for a resolve the series' labels without severity. */
  alert: PostableAlert;
}

export interface AlertBatch {
  /** Everything to POST, in order: firing alerts plus the resolves of every other severity. */
  alerts: PostableAlert[];
  changes: SeriesChange[];
  /** Series firing after this batch. */
  firing: number;
  /** Series resolved by this batch (reported normal, or scored below every threshold). */
  resolved: number;
  /** Series whose latest anomaly scored below the lowest severity threshold. */
  belowThreshold: number;
}

export type MapConfig = Pick<AlertConfig, 'alertName' | 'severities' | 'resendIntervalMs' | 'generatorUrl'>;

/** The origin from the event source (/namespaces/NS/pods/POD, /federations/NAME); data fields win. */
export function originOf(source: string, data: Pick<AnomalyData, 'namespace' | 'pod' | 'federation'>): AlertOrigin {
  const origin: AlertOrigin = {};
  const pod = /^\/namespaces\/([^/]+)\/pods\/([^/]+)\/?$/.exec(source);
  const federation = /^\/federations\/([^/]+)\/?$/.exec(source);
  if (pod) {
    origin.namespace = decodeURIComponent(pod[1]);
    origin.pod = decodeURIComponent(pod[2]);
  } else if (federation) {
    origin.federation = decodeURIComponent(federation[1]);
  }
  if (data.namespace) origin.namespace = data.namespace;
  if (data.pod) origin.pod = data.pod;
  if (data.federation) origin.federation = data.federation;
  return origin;
}

/** The highest severity whose threshold the score reaches; undefined below the lowest. */
export function severityOf(score: number, levels: SeverityLevel[]): SeverityLevel | undefined {
  let found: SeverityLevel | undefined;
  for (const level of levels) if (score >= level.minScore) found = level;
  return found;
}

interface SeriesState {
  detector: string;
  labels: Labels;
  firstAnomaly?: number;
  latest?: Anomaly;
  resolved?: Resolved;
}

// Date's range; a larger number cannot become an RFC 3339 time.
const MAX_TIME = 8.64e15;

/** Map one validated event to alerts. Throws HttpError(400) for timestamps no clock can show. */
export function buildAlerts(data: AnomalyData, origin: AlertOrigin, config: MapConfig, now: number): AlertBatch {
  const series = collectSeries(data);
  const batch: AlertBatch = { alerts: [], changes: [], firing: 0, resolved: 0, belowThreshold: 0 };
  const nowIso = new Date(now).toISOString();
  for (const state of series.values()) {
    const { latest, resolved } = state;
    const level = latest ? severityOf(latest.score, config.severities) : undefined;
    const own = (severity: string): Labels => ({ alertname: config.alertName, detector: state.detector, severity, ...origin });
    const reportedNormal = resolved !== undefined && (!latest || resolved.timestamp >= latest.timestamp);
    if (latest && level && !reportedNormal) {
      batch.firing++;
      const alert: PostableAlert = {
        labels: buildAlertLabels(own(level.name), state.labels),
        annotations: describeFiring(latest, level, origin),
        startsAt: new Date(Math.min(state.firstAnomaly!, now)).toISOString(),
        endsAt: new Date(now + 4 * config.resendIntervalMs).toISOString(),
        ...generatorUrl(config.generatorUrl, state.labels),
      };
      batch.alerts.push(alert);
      batch.changes.push({ state: 'firing', alert });
      const note = `Severity changed to ${level.name}.`;
      for (const other of config.severities) {
        if (other !== level) batch.alerts.push(resolveAlert(own(other.name), state.labels, origin, nowIso, note, config));
      }
      continue;
    }
    // Reported back to normal, or the latest score is below every threshold: end every severity.
    batch.resolved++;
    if (!reportedNormal) batch.belowThreshold++;
    const atIso = new Date(reportedNormal ? Math.min(resolved.timestamp, now) : now).toISOString();
    const note = reportedNormal
      ? `${resolved.detector} reported the series back to normal at ${new Date(resolved.timestamp).toISOString()}.`
      : `${latest!.detector} scored ${formatNumber(latest!.score)}, below every severity threshold.`;
    for (const sev of config.severities) batch.alerts.push(resolveAlert(own(sev.name), state.labels, origin, atIso, note, config));
    const { severity: _severity, ...labels } = batch.alerts[batch.alerts.length - 1].labels;
    batch.changes.push({ state: 'resolved', alert: { ...batch.alerts[batch.alerts.length - 1], labels } });
  }
  return batch;
}

/** Group the event's points per series (detector + labels): the latest state wins, startsAt is the first anomaly. */
function collectSeries(data: AnomalyData): Map<string, SeriesState> {
  const series = new Map<string, SeriesState>();
  const stateOf = (detector: string, labels: Labels, timestamp: number, where: string): SeriesState => {
    if (!(timestamp >= 0 && timestamp <= MAX_TIME)) {
      throw new HttpError(400, `invalid anomaly event: ${where}.timestamp ${timestamp} is not a Unix time in milliseconds`);
    }
    const key = `${detector}\u0000${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
    let state = series.get(key);
    if (!state) series.set(key, (state = { detector, labels }));
    return state;
  };
  data.anomalies.forEach((a, i) => {
    const state = stateOf(a.detector, a.labels, a.timestamp, `data.anomalies.${i}`);
    state.firstAnomaly = Math.min(state.firstAnomaly ?? a.timestamp, a.timestamp);
    if (!state.latest || a.timestamp > state.latest.timestamp || (a.timestamp === state.latest.timestamp && a.score > state.latest.score)) state.latest = a;
  });
  data.resolved?.forEach((r, i) => {
    const state = stateOf(r.detector, r.labels, r.timestamp, `data.resolved.${i}`);
    if (!state.resolved || r.timestamp > state.resolved.timestamp) state.resolved = r;
  });
  return series;
}

function resolveAlert(own: Labels, series: Labels, origin: AlertOrigin, atIso: string, note: string, config: MapConfig): PostableAlert {
  return {
    labels: buildAlertLabels(own, series),
    annotations: { summary: `${metricOf(series)} is back to normal${whereOf(origin)}`, description: note },
    startsAt: atIso,
    endsAt: atIso,
    ...generatorUrl(config.generatorUrl, series),
  };
}

function describeFiring(a: Anomaly, level: SeverityLevel, origin: AlertOrigin): Record<string, string> {
  const value = a.value === null ? 'missing' : String(a.value);
  const annotations: Record<string, string> = {
    summary: `${metricOf(a.labels)} is anomalous${whereOf(origin)}`,
    description:
      `${a.detector} scored ${formatNumber(a.score)} (${level.name} from ${level.minScore}) at ${new Date(a.timestamp).toISOString()}: ` +
      `value ${value}${a.expected ? `, expected ${formatRange(a.expected.lower, a.expected.upper)}` : ''}. Series: ${formatSelector(a.labels)}`,
    score: formatNumber(a.score),
    value,
  };
  if (a.expected) annotations.expected = formatRange(a.expected.lower, a.expected.upper);
  return annotations;
}

function generatorUrl(base: string | undefined, series: Labels): { generatorURL?: string } {
  if (!base) return {};
  const expr = encodeURIComponent(formatSelector(series));
  // A base with {{expr}} is a template (e.g. a Grafana Explore link); otherwise Prometheus' graph page.
  return { generatorURL: base.includes('{{expr}}') ? base.replaceAll('{{expr}}', expr) : `${base}/graph?g0.expr=${expr}&g0.tab=1` };
}

function metricOf(series: Labels): string {
  return series.__name__ || 'series';
}

function whereOf(origin: AlertOrigin): string {
  if (origin.pod) return ` on pod ${origin.namespace ? `${origin.namespace}/` : ''}${origin.pod}`;
  if (origin.federation) return ` in federation ${origin.federation}`;
  if (origin.namespace) return ` in namespace ${origin.namespace}`;
  return '';
}

function formatRange(lower: number, upper: number): string {
  return `${formatNumber(lower)}..${formatNumber(upper)}`;
}

/** Six significant digits, no exponent noise for ordinary numbers. */
export function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(6))) : String(n);
}
