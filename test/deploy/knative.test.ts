// deploy/knative/deucalion-knative.yaml: fresh (same as the chart renders it), valid against the
// Kubernetes and Knative schemas, functions scaled to zero, a tick per federation, and trigger
// configs the scrape-trigger accepts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKnative } from '../../deploy/knative/generate.ts';
import { resolveTriggerConfig } from '../../lib/trigger/config.ts';
import { validateManifest } from '../support/k8s-schema.ts';
import { REPO_ROOT } from '../support/process.ts';
import { ofKind, parseManifests } from './render.ts';

const FILE = join(REPO_ROOT, 'deploy/knative/deucalion-knative.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const objects = parseManifests(TEXT);

describe('deploy/knative/deucalion-knative.yaml', () => {
  it('is what the chart renders today (regenerate: node_modules/.bin/node deploy/knative/generate.ts)', () => {
    expect(TEXT).toBe(renderKnative());
  });

  it('holds only objects that validate, none of them Helm-labelled', async () => {
    expect((await Promise.all(objects.map((o) => validateManifest(o)))).flat()).toEqual([]);
    for (const o of objects) {
      expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('kubectl');
      expect(o.metadata.labels?.['helm.sh/chart']).toBeUndefined();
    }
  });

  it('scales every function to zero and ticks each federation', () => {
    const ksvcs = ofKind(objects, 'Service', 'serving.knative.dev/v1');
    expect(ksvcs.length).toBe(7 + 1 + 2);
    for (const k of ksvcs) expect((k.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('0');
    expect(ofKind(objects, 'PingSource').map((p) => p.metadata.name).sort()).toEqual(['scrape-trigger-zone-a-tick', 'scrape-trigger-zone-b-tick']);
    expect(ofKind(objects, 'SinkBinding').map((s) => s.metadata.namespace)).toEqual(['shop']);
    expect(ofKind(objects, 'Trigger')).toHaveLength(1);
  });

  it.each(['zone-a', 'zone-b'])('%s: the scrape-trigger config is accepted and calls deployed detectors', (fed) => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `scrape-trigger-${fed}`) as unknown as { data: Record<string, string> };
    const config = resolveTriggerConfig(parse(cm.data[`scrape-trigger-${fed}.yaml`]), {}, fed);
    const ksvcs = new Set(ofKind(objects, 'Service', 'serving.knative.dev/v1').map((k) => k.metadata.name));
    for (const q of config.queries) for (const d of q.detectors) {
      expect(ksvcs.has(d.name), d.name).toBe(true);
      expect(d.url).toBe(`http://${d.name}.deucalion.svc.cluster.local`);
    }
    expect(config.sink.url).toBe('http://broker-ingress.knative-eventing.svc.cluster.local/deucalion/default');
  });
});
