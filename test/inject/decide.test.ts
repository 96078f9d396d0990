import { describe, expect, it } from 'vitest';
import { resolveInjectorConfig } from '../../lib/inject/config.ts';
import { decide, describeSkip, SKIP_MESSAGES, type Decision } from '../../lib/inject/decide.ts';
import type { NamespaceInfo, Pod, StringMap, WorkloadOwner } from '../../lib/inject/types.ts';

const config = resolveInjectorConfig({}, { POD_NAMESPACE: 'deucalion' });

function pod(annotations: StringMap = {}, extra: Partial<Pod['spec']> = {}, labels: StringMap = {}): Pod {
  return { metadata: { generateName: 'web-5c9d7-', annotations, labels }, spec: { containers: [{ name: 'app', image: 'app:1' }], ...extra } };
}
const deployment = (annotations: StringMap): WorkloadOwner => ({ kind: 'Deployment', name: 'web', annotations });
const ns = (labels?: StringMap, name = 'edge'): NamespaceInfo => ({ name, labels });
const on = { 'deucalion-injection': 'enabled' };
const off = { 'deucalion-injection': 'disabled' };

function summary(d: Decision): string {
  if (!d.inject) return `skip ${d.reasons.join(',')}`;
  return `inject ${d.enabledBy} ${d.plan.kind === 'federated' ? `federated:${d.plan.federation}` : `${d.plan.mode}:${d.plan.image}:${d.plan.configMap}`}`;
}

describe('decide: precedence pod > deployment > namespace', () => {
  const image = 'deucalion/deucalion:0.1.0';
  const cases: [string, Pod, WorkloadOwner | undefined, NamespaceInfo, string][] = [
    ['namespace enabled', pod(), undefined, ns(on), `inject namespace native:${image}:deucalion-sidecar`],
    ['namespace disabled', pod(), undefined, ns(off), 'skip disabled_by_namespace'],
    ['nothing set', pod(), undefined, ns({}), 'skip not_enabled'],
    ['namespace unknown (API off)', pod(), undefined, ns(undefined), 'skip not_enabled'],
    ['pod opt-out beats namespace', pod(off), undefined, ns(on), 'skip disabled_by_pod'],
    ['pod label opt-out', pod({}, {}, off), undefined, ns(on), 'skip disabled_by_pod'],
    ['pod opt-in beats namespace disabled', pod(on), undefined, ns(off), `inject pod native:${image}:deucalion-sidecar`],
    ['deployment opt-out beats namespace', pod(), deployment(off), ns(on), 'skip disabled_by_deployment'],
    ['pod beats deployment opt-out', pod(on), deployment(off), ns(on), `inject pod native:${image}:deucalion-sidecar`],
    ['deployment config map implies enabled', pod(), deployment({ 'deucalion-config-map': 'cm-a' }), ns({}), `inject deployment native:${image}:cm-a`],
    ['pod image implies enabled', pod({ 'deucalion-sidecar-image': 'reg/d:2' }), undefined, ns({}), 'inject pod native:reg/d:2:deucalion-sidecar'],
    ['explicit disabled beats implied on the same level', pod({ ...off, 'deucalion-config-map': 'x' }), undefined, ns(on), 'skip disabled_by_pod'],
    ['pod setting beats deployment setting', pod({ 'deucalion-config-map': 'pod-cm' }), deployment({ 'deucalion-config-map': 'dep-cm' }), ns(on), `inject pod native:${image}:pod-cm`],
    ['deployment setting used when pod has none', pod(), deployment({ 'deucalion-sidecar-image': 'dep/img:1' }), ns(on), 'inject deployment native:dep/img:1:deucalion-sidecar'],
    ['federation on deployment', pod(), deployment({ 'deucalion-federation': 'zone-a' }), ns({}), 'inject deployment federated:zone-a'],
    ['pod federation beats deployment federation', pod({ 'deucalion-federation': 'zone-b' }), deployment({ 'deucalion-federation': 'zone-a' }), ns({}), 'inject pod federated:zone-b'],
    ['mode annotation', pod({ ...on, 'deucalion-sidecar-mode': 'container' }), undefined, ns({}), `inject pod container:${image}:deucalion-sidecar`],
  ];
  it.each(cases)('%s', (_name, p, owner, namespace, expected) => {
    expect(summary(decide(p, owner, namespace, config))).toBe(expected);
  });
});

describe('decide: hard skips, in order', () => {
  const injected = { metadata: { annotations: { 'deucalion.io/status': '{}' } }, spec: { containers: [{ name: 'app' }] } } as Pod;
  const cases: [string, Pod, NamespaceInfo, string][] = [
    ['kube-system', pod(on), ns(on, 'kube-system'), 'skip excluded_namespace'],
    ['own namespace', pod(on), ns(on, 'deucalion'), 'skip excluded_namespace'],
    ['host network', pod(on, { hostNetwork: true }), ns(on), 'skip host_network'],
    ['status annotation', injected, ns(on), 'skip already_injected'],
    ['dispatcher container present', pod(on, { containers: [{ name: 'deucalion-dispatcher' }] }), ns(on), 'skip already_injected'],
    ['native dispatcher present', pod(on, { initContainers: [{ name: 'deucalion-dispatcher', ports: [{ containerPort: 9464 }] }] }), ns(on), 'skip already_injected'],
    ['port taken', pod(on, { containers: [{ name: 'app', ports: [{ containerPort: 9464 }] }] }), ns(on), 'skip port_conflict'],
    ['volume name taken', pod(on, { volumes: [{ name: 'deucalion-config', emptyDir: {} }] }), ns(on), 'skip name_conflict'],
    ['several at once', pod(off, { hostNetwork: true }), ns(on, 'kube-system'), 'skip excluded_namespace,host_network,disabled_by_pod'],
    ['federated pod ignores port conflicts', pod({ 'deucalion-federation': 'f1' }, { containers: [{ name: 'app', ports: [{ containerPort: 9464 }] }] }), ns({}), 'inject pod federated:f1'],
  ];
  it.each(cases)('%s', (_name, p, namespace, expected) => {
    expect(summary(decide(p, undefined, namespace, config))).toBe(expected);
  });
});

describe('decide: invalid annotation values skip with details', () => {
  const cases: [string, StringMap, string][] = [
    ['injection value', { 'deucalion-injection': 'yes' }, 'deucalion-injection: "yes" is not "enabled" or "disabled"'],
    ['image with a quote', { ...on, 'deucalion-sidecar-image': 'img"}]' }, 'deucalion-sidecar-image: "img"}]" is not an image reference'],
    ['config map name', { ...on, 'deucalion-config-map': 'Bad_Name' }, 'deucalion-config-map: "Bad_Name" is not a ConfigMap name'],
    ['federation', { 'deucalion-federation': 'Zone A' }, 'deucalion-federation: "Zone A" is not a DNS label of at most 40 characters'],
    ['mode', { ...on, 'deucalion-sidecar-mode': 'sidecar' }, 'deucalion-sidecar-mode: "sidecar" is not "native" or "container"'],
    ['cpu', { ...on, 'deucalion-sidecar-cpu-limit': 'lots' }, 'deucalion-sidecar-cpu-limit: "lots" is not a Kubernetes quantity'],
  ];
  it.each(cases)('%s', (_name, annotations, detail) => {
    const d = decide(pod(annotations), undefined, ns(on), config);
    expect(d.inject).toBe(false);
    if (d.inject) return;
    expect(d.reasons).toContain('invalid_annotation');
    expect(d.details).toEqual([detail]);
  });

  it('resource annotations override the config', () => {
    const d = decide(pod({ ...on, 'deucalion-sidecar-memory-limit': '128Mi', 'deucalion-sidecar-cpu-request': '0.05' }), undefined, ns({}), config);
    expect(d.inject && d.plan.kind === 'sidecar' && d.plan.resources).toEqual({ requests: { cpu: '0.05', memory: '48Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
  });
});

describe('describeSkip', () => {
  it('uses the one message table, then details', () => {
    expect(describeSkip(['host_network', 'invalid_annotation'], ['x: "y" is not z'])).toBe(`${SKIP_MESSAGES.host_network}; ${SKIP_MESSAGES.invalid_annotation}; x: "y" is not z`);
  });
});
