import { describe, expect, it } from 'vitest';
import { GRACE_MS, IncidentScorer, planIncidents } from '../../lib/demo/incidents.ts';
import type { AnomalyEvent } from '../../lib/up/events.ts';

const anomaly = (labels: Record<string, string>) => ({ detector: 'zscore', labels, timestamp: 0, value: 1, score: 2 });
const sidecar = (pod: string, at: number): AnomalyEvent => ({ receivedAt: at, source: `/namespaces/bookinfo/pods/${pod}`, mode: 'sidecar', namespace: 'bookinfo', pod, anomalies: [anomaly({ __name__: 'http_requests_total' })], bytes: 100 });
const federated = (pod: string, at: number): AnomalyEvent => ({ receivedAt: at, source: '/federations/zone-a', mode: 'federated', federation: 'zone-a', anomalies: [anomaly({ pod })], bytes: 100 });

describe('planIncidents', () => {
  it.each([120_000, 45_000, 600_000])('fits four incidents after the warm-up into %i ms', (duration) => {
    const plan = planIncidents(duration);
    expect(plan.map((i) => i.kind)).toEqual(['latency', 'errors', 'leak', 'traffic-drop']);
    expect(plan[0].offsetMs).toBeGreaterThanOrEqual(15_000);
    for (let k = 1; k < plan.length; k++) expect(plan[k].offsetMs).toBeGreaterThanOrEqual(plan[k - 1].offsetMs + plan[k - 1].durationMs);
    expect(plan[3].offsetMs + plan[3].durationMs).toBeLessThanOrEqual(duration);
  });
});

describe('IncidentScorer', () => {
  it('takes the first anomaly on the incident service in its window; sorts the rest into knock-on and false alarms', () => {
    const scorer = new IncidentScorer(planIncidents(120_000));
    const [latency, errors] = scorer.incidents;
    latency.startedAt = 100_000;
    errors.startedAt = 200_000;
    const events = [
      sidecar('reviews-v2', 99_000), // before injection: false alarm
      sidecar('productpage', 101_000), // other service during the incident: knock-on
      sidecar('reviews-v2', 102_500), // the detection
      sidecar('reviews-v2', 103_000), // later ones do not move it
      federated('details', 200_000 + errors.durationMs + GRACE_MS + 1), // too late
    ];
    for (const e of events) scorer.observe(e);
    expect(latency.detection).toMatchObject({ delayMs: 2500, mode: 'sidecar', detector: 'zscore', via: 'dispatcher of reviews-v2' });
    expect(errors.detection).toBeUndefined();
    expect(Object.fromEntries(scorer.knockOn)).toEqual({ productpage: 1 });
    expect(Object.fromEntries(scorer.other)).toEqual({ 'reviews-v2': 1, details: 1 });
    scorer.observe(federated('details', 201_000));
    expect(errors.detection).toMatchObject({ delayMs: 1000, mode: 'federated', via: 'scrape-trigger of zone-a', series: '{pod="details"}' });
    expect(scorer.detected()).toBe(2);
  });
});
