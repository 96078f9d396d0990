// Send only the resolves of alerts an Alertmanager holds unresolved. Alertmanager lists every alert
// of a group in a notification, resolved ones included, so resolving a severity that never fired
// would show on-call a "resolved" alert they were never sent. The state is Alertmanager's, asked
// with GET /api/v2/alerts: one exact query per resolved series when there are few, else one query
// on the labels they all share (Alertmanager 0.25 answers in time linear in all alerts it holds).
import { fetchActiveLabelSets, labelKey } from './alertmanager-client.ts';
import type { PostableAlert } from './map.ts';

/** Up to this many resolved series, Alertmanager is asked about each one exactly. */
export const EXACT_QUERIES = 8;

/** The batch without the resolves Alertmanager has nothing to end for. Throws AlertmanagerError. */
export async function pruneResolves(baseUrl: string, alerts: PostableAlert[], timeoutMs: number): Promise<PostableAlert[]> {
  const now = Date.now();
  const resolves = alerts.filter((a) => Date.parse(a.endsAt) <= now);
  if (resolves.length === 0) return alerts;
  const series = new Map<string, Record<string, string>>();
  for (const a of resolves) {
    const identity = withoutSeverity(a.labels);
    series.set(labelKey(identity), identity);
  }
  const filters = series.size <= EXACT_QUERIES ? [...series.values()] : [withoutSeverity(sharedLabels(resolves))];
  const active = new Set<string>();
  for (const found of await Promise.all(filters.map((f) => fetchActiveLabelSets(baseUrl, f, timeoutMs)))) {
    for (const key of found) active.add(key);
  }
  return alerts.filter((a) => Date.parse(a.endsAt) > now || active.has(labelKey(a.labels)));
}

function withoutSeverity(labels: Record<string, string>): Record<string, string> {
  const { severity: _severity, ...rest } = labels;
  return rest;
}

/** The labels (name and value) every alert has. */
function sharedLabels(alerts: PostableAlert[]): Record<string, string> {
  const shared: Record<string, string> = { ...alerts[0].labels };
  for (const alert of alerts) {
    for (const name of Object.keys(shared)) if (alert.labels[name] !== shared[name]) delete shared[name];
  }
  return shared;
}
