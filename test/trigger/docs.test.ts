// docs/federated.md's example config is a real, valid config with the values it claims.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveTriggerConfig } from '../../lib/trigger/config.ts';
import { REPO_ROOT } from '../support/process.ts';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'federated.md'), 'utf8');

function exampleConfig(): Record<string, unknown> {
  const after = doc.slice(doc.indexOf('The example below is loaded by'));
  const block = /```yaml\n([\s\S]*?)```/.exec(after);
  if (!block) throw new Error('docs/federated.md: no yaml block after "The example below is loaded by"');
  return parse(block[1]) as Record<string, unknown>;
}

describe('docs/federated.md', () => {
  it('its example config loads, and each knob it sets equals the default it documents', () => {
    const config = resolveTriggerConfig(exampleConfig(), {}, 'docs/federated.md');
    const defaults = resolveTriggerConfig(
      { federation: 'zone-a', prometheus: { url: 'http://prometheus-zone-a:9090' }, sink: { url: 'http://alert-forwarder.zone-a.svc/' }, queries: exampleConfig().queries, detectors: { baseUrl: 'http://gateway.openfaas:8080/function/', urls: { 'detector-zscore': 'http://detector-zscore.zone-a.svc/' } } },
      {},
    );
    expect(config).toEqual(defaults);
    expect(config.queries.map((q) => q.detectors.map((d) => d.url))).toEqual([
      ['http://detector-zscore.zone-a.svc/', 'http://gateway.openfaas:8080/function/detector-seasonal'],
      ['http://detector-zscore.zone-a.svc/'],
    ]);
    expect(config.queries[1].detectors[0].params).toEqual({ threshold: 6 });
  });
});
