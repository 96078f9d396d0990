// The demo's incidents: a schedule fitted to the run's duration (after a warm-up that detectors need),
// injection (service admin endpoint, or the load generator for a traffic drop), and scoring: the
// first anomaly for the incident's service after injection is its detection.
import type { AnomalyEvent } from '../up/events.ts';
import { describeSeries } from '../up/view.ts';
import type { IncidentKind } from './service.ts';
import { findService } from './topology.ts';

export interface Detection {
  at: number;
  delayMs: number;
  detector: string;
  mode: 'sidecar' | 'federated';
  via: string;
  series: string;
}

export interface Incident {
  kind: IncidentKind;
  service: string;
  mode: 'sidecar' | 'federated';
  federation?: string;
  /** Offset from the demo's start. */
  offsetMs: number;
  durationMs: number;
  startedAt?: number;
  detection?: Detection;
}

export const INCIDENT_LABEL: Record<IncidentKind, string> = {
  latency: 'latency spike',
  errors: 'error burst',
  leak: 'memory leak',
  'traffic-drop': 'traffic drop',
};

const PLAN: [IncidentKind, string][] = [
  ['latency', 'reviews-v2'],
  ['errors', 'details'],
  ['leak', 'reviews-v3'],
  ['traffic-drop', 'productpage'],
];

/** Spread the incidents over the run after a warm-up; each lasts most of its slot. */
export function planIncidents(durationMs: number): Incident[] {
  const warmup = Math.min(30_000, Math.max(15_000, durationMs * 0.25));
  const tail = Math.min(10_000, durationMs * 0.1);
  const slot = Math.max(0, durationMs - warmup - tail) / PLAN.length;
  return PLAN.map(([kind, name], i) => {
    const placement = findService(name).placement;
    return {
      kind,
      service: name,
      mode: placement.mode,
      federation: placement.mode === 'federated' ? placement.federation : undefined,
      offsetMs: Math.round(warmup + i * slot),
      durationMs: Math.round(Math.min(20_000, slot * 0.65)),
    };
  });
}

/** After an incident ends, anomalies still count as its detection for this long (a cron period). */
export const GRACE_MS = 10_000;

/** The service an anomaly is about: the pod in sidecar mode, the series' pod label in a federation. */
function serviceOf(event: AnomalyEvent, labels: Record<string, string>): string | undefined {
  if (event.mode === 'sidecar') return event.pod;
  return labels.pod ?? labels.service ?? labels.app;
}

export class IncidentScorer {
  readonly incidents: Incident[];
  /** Anomalies on other services while an incident runs (its knock-on effects), by service. */
  readonly knockOn = new Map<string, number>();
  /** Anomalies while no incident runs: false alarms, by service. */
  readonly other = new Map<string, number>();

  constructor(incidents: Incident[]) {
    this.incidents = incidents;
  }

  observe(event: AnomalyEvent): void {
    for (const a of event.anomalies) {
      const service = serviceOf(event, a.labels);
      const incident = this.incidents.find((i) => i.service === service && i.startedAt !== undefined && event.receivedAt >= i.startedAt && event.receivedAt <= i.startedAt + i.durationMs + GRACE_MS);
      if (!incident) {
        const key = service ?? event.source;
        const during = this.incidents.some((i) => i.startedAt !== undefined && event.receivedAt >= i.startedAt && event.receivedAt <= i.startedAt + i.durationMs + GRACE_MS);
        const map = during ? this.knockOn : this.other;
        map.set(key, (map.get(key) ?? 0) + 1);
        continue;
      }
      if (incident.detection) continue;
      incident.detection = {
        at: event.receivedAt,
        delayMs: event.receivedAt - incident.startedAt!,
        detector: a.detector,
        mode: event.mode === 'sidecar' ? 'sidecar' : 'federated',
        via: event.mode === 'sidecar' ? `dispatcher of ${event.pod}` : `scrape-trigger of ${event.federation}`,
        series: describeSeries(a.labels),
      };
    }
  }

  lines(now: number, startedAt: number): string[] {
    const out: string[] = [];
    for (const i of this.incidents) {
      const where = i.mode === 'sidecar' ? 'sidecar' : `federation ${i.federation}`;
      const head = `${INCIDENT_LABEL[i.kind].padEnd(13)} ${i.service.padEnd(12)} ${where.padEnd(17)} at ${Math.round(i.offsetMs / 1000)}s for ${Math.round(i.durationMs / 1000)}s`;
      let state: string;
      if (i.detection) state = `DETECTED after ${(i.detection.delayMs / 1000).toFixed(1)}s by ${i.detection.detector} (${i.detection.via}) on ${i.detection.series}`;
      else if (i.startedAt === undefined) state = now - startedAt < i.offsetMs ? 'scheduled' : 'not injected';
      else if (now < i.startedAt + i.durationMs + GRACE_MS) state = 'injected, watching…';
      else state = 'NOT detected';
      out.push(`  ${head}  ${state}`);
    }
    return out;
  }

  detected(): number {
    return this.incidents.filter((i) => i.detection).length;
  }
}
