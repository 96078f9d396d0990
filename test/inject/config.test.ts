import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InjectorConfigError, isExcludedNamespace, loadInjectorConfig, resolveInjectorConfig } from '../../lib/inject/config.ts';

describe('resolveInjectorConfig', () => {
  it('fills defaults and takes the own namespace from POD_NAMESPACE', () => {
    const c = resolveInjectorConfig({}, { POD_NAMESPACE: 'deucalion' });
    expect(c.sidecar).toMatchObject({ mode: 'native', port: 9464, configMap: 'deucalion-sidecar', resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { cpu: '200m', memory: '96Mi' } } });
    expect(c.namespace).toBe('deucalion');
    expect(c.federation.namespace).toBe('deucalion');
    expect(c.federation.trigger.image).toBe(c.sidecar.image);
    expect(c.failurePolicy).toBe('Ignore');
  });

  it('keeps partial nested settings beside their defaults', () => {
    const c = resolveInjectorConfig({ sidecar: { resources: { limits: { memory: '128Mi' } } }, federation: { platform: 'openfaas', namespace: 'openfaas-fn' } }, {});
    expect(c.sidecar.resources).toEqual({ requests: { cpu: '10m', memory: '48Mi' }, limits: { memory: '128Mi' } });
    expect(c.federation.namespace).toBe('openfaas-fn');
  });

  it('does not share default objects between configs', () => {
    const a = resolveInjectorConfig({}, {});
    a.excludedNamespaces.push('x');
    expect(resolveInjectorConfig({}, {}).excludedNamespaces).toEqual(['kube-system', 'kube-public', 'kube-node-lease']);
  });

  it.each([
    [{ sidecar: { mode: 'sidecar' } }, 'config: sidecar.mode must be equal to one of the allowed values: one of native, container'],
    [{ sidecar: { port: 70000 } }, 'config: sidecar.port must be <= 65535'],
    [{ sidecar: { resources: { limits: { cpu: 'lots' } } } }, 'config: sidecar.resources.limits.cpu must match pattern "^[0-9]+(\\.[0-9]+)?m?$"'],
    [{ failurePolicy: 'fail' }, 'config: failurePolicy must be equal to one of the allowed values: one of Ignore, Fail'],
    [{ federaton: {} }, 'config: (top level) must NOT have additional properties "federaton"'],
    [{ api: { cacheTtl: 'soon' } }, 'config: api.cacheTtl: invalid duration "soon": expected a number and a unit (ms, s, m, h, d, w, y) at position 0'],
  ])('rejects %j naming the setting', (raw, message) => {
    expect(() => resolveInjectorConfig(raw, {})).toThrow(new InjectorConfigError(message));
  });

  it('excludes the configured namespaces and its own', () => {
    const c = resolveInjectorConfig({ excludedNamespaces: ['cert-manager'] }, { POD_NAMESPACE: 'deucalion' });
    expect(['cert-manager', 'deucalion', 'kube-system', 'shop'].map((n) => isExcludedNamespace(c, n))).toEqual([true, true, false, false]);
  });
});

describe('loadInjectorConfig', () => {
  it('reads YAML, also under an injector: key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deucalion-config-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), 'injector:\n  sidecar:\n    image: reg/d:2\n');
      writeFileSync(join(dir, 'b.yaml'), 'sidecar: [\n');
      expect(loadInjectorConfig(join(dir, 'a.yaml'), {}).sidecar.image).toBe('reg/d:2');
      expect(() => loadInjectorConfig(join(dir, 'b.yaml'), {})).toThrow(/b\.yaml: not valid YAML/);
      expect(loadInjectorConfig(undefined, {}).sidecar.image).toBe('deucalion/deucalion:0.1.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
