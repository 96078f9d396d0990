import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_DEFAULTS, loadAlertConfig, parseSeverities } from '../../lib/alerts/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'deucalion-alert-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadAlertConfig', () => {
  it('has Prometheus-like defaults and no Alertmanager (embedded sink)', () => {
    const config = loadAlertConfig({});
    expect(config).toEqual(ALERT_DEFAULTS);
    expect(config.alertName).toBe('DeucalionAnomaly');
    expect(config.resendIntervalMs).toBe(60_000);
    expect(config.severities).toEqual([
      { name: 'warning', minScore: 1 },
      { name: 'critical', minScore: 3 },
    ]);
    expect(config.alertmanagers).toEqual([]);
  });

  it.each([
    [{ ALERTMANAGER_URL: 'http://a:9093' }, { alertmanagers: ['http://a:9093'] }],
    [{ ALERTMANAGER_URL: 'http://a:9093/, http://b:9093/api/v2/alerts' }, { alertmanagers: ['http://a:9093', 'http://b:9093'] }],
    [{ ALERTMANAGER_URL: 'https://am.example/prefix' }, { alertmanagers: ['https://am.example/prefix'] }],
    [{ ALERT_NAME: 'EdgeAnomaly' }, { alertName: 'EdgeAnomaly' }],
    [{ ALERT_SEVERITY_THRESHOLDS: 'page:5, info:0.5,ticket:2' }, { severities: [{ name: 'info', minScore: 0.5 }, { name: 'ticket', minScore: 2 }, { name: 'page', minScore: 5 }] }],
    [{ ALERT_RESEND_INTERVAL: '1s' }, { resendIntervalMs: 1000 }],
    [{ ALERT_RESEND_INTERVAL: '90' }, { resendIntervalMs: 90_000 }],
    [{ ALERT_GENERATOR_URL: 'http://prometheus:9090/' }, { generatorUrl: 'http://prometheus:9090' }],
    [{ ALERT_SPOOL_DIR: '/var/spool/deucalion' }, { spoolDir: '/var/spool/deucalion' }],
    [{ ALERT_LOG_FILE: '/tmp/a.jsonl' }, { logFile: '/tmp/a.jsonl' }],
    [{ ALERT_SEND_ATTEMPTS: '5', ALERT_SEND_TIMEOUT: '2s' }, { sendAttempts: 5, sendTimeoutMs: 2000 }],
    [{ ALERT_NAME: '' }, { alertName: 'DeucalionAnomaly' }],
    [{ ALERT_RESOLVE_CHECK: 'false' }, { resolveCheck: false }],
  ])('reads %j', (env, expected) => {
    expect(loadAlertConfig(env)).toMatchObject(expected);
  });

  it.each([
    [{ ALERTMANAGER_URL: 'alertmanager:9093' }, 'ALERTMANAGER_URL: "alertmanager:9093" is not an http(s) URL'],
    [{ ALERTMANAGER_URL: 'nope' }, 'ALERTMANAGER_URL: "nope" is not a URL (expected e.g. http://alertmanager:9093)'],
    [{ ALERTMANAGER_URL: 'http://a:9093,http://a:9093' }, 'ALERTMANAGER_URL: empty or duplicate Alertmanager URL in the list'],
    [{ ALERT_SEVERITY_THRESHOLDS: 'warning' }, 'ALERT_SEVERITY_THRESHOLDS: bad entry "warning": expected name:minScore, e.g. "warning:1,critical:3"'],
    [{ ALERT_SEVERITY_THRESHOLDS: 'warning:x' }, 'ALERT_SEVERITY_THRESHOLDS: severity "warning": score "x" is not a non-negative number'],
    [{ ALERT_SEVERITY_THRESHOLDS: 'warning:1,critical:1' }, 'ALERT_SEVERITY_THRESHOLDS: severities "warning" and "critical" share score 1'],
    [{ ALERT_SEVERITY_THRESHOLDS: 'a:1,a:2' }, 'ALERT_SEVERITY_THRESHOLDS: duplicate severity name'],
    [{ ALERT_RESEND_INTERVAL: '1 minute' }, 'ALERT_RESEND_INTERVAL: invalid duration "1 minute": expected a number and a unit (ms, s, m, h, d, w, y) at position 0'],
    [{ ALERT_RESEND_INTERVAL: '0s' }, 'ALERT_RESEND_INTERVAL: duration must be greater than zero, got "0s"'],
    [{ ALERT_SEND_ATTEMPTS: '0' }, 'ALERT_SEND_ATTEMPTS: expected a positive integer, got "0"'],
    [{ ALERT_RESOLVE_CHECK: 'maybe' }, 'ALERT_RESOLVE_CHECK: expected true or false, got "maybe"'],
    [{ ALERT_RETRY_BACKOFF: '10s', ALERT_RETRY_MAX_BACKOFF: '1s' }, 'retry max backoff (1000 ms) is below the base backoff (10000 ms)'],
  ])('rejects %j', (env, message) => {
    expect(() => loadAlertConfig(env)).toThrow(message);
  });

  it('reads a YAML file, at the top level or under alerts:, and the environment wins', () => {
    const flat = file('flat.yaml', 'alertmanagers: [http://a:9093, http://b:9093]\nseverityThresholds: {minor: 1, major: 2}\nresendInterval: 30s\n');
    expect(loadAlertConfig({}, flat)).toMatchObject({
      alertmanagers: ['http://a:9093', 'http://b:9093'],
      severities: [{ name: 'minor', minScore: 1 }, { name: 'major', minScore: 2 }],
      resendIntervalMs: 30_000,
    });
    const nested = file('nested.yaml', 'alerts:\n  alertName: FromFile\n  generatorURL: http://grafana/explore?expr={{expr}}\n');
    expect(loadAlertConfig({ ALERT_NAME: 'FromEnv' }, nested)).toMatchObject({ alertName: 'FromEnv', generatorUrl: 'http://grafana/explore?expr={{expr}}' });
  });

  it('names the file and the setting in errors', () => {
    const unknown = file('unknown.yaml', 'alertmanager: http://a:9093\n');
    expect(() => loadAlertConfig({}, unknown)).toThrow(`${unknown}: unknown setting "alertmanager"; known: alertmanagers, alertName,`);
    const bad = file('bad.yaml', 'resendInterval: soon\n');
    expect(() => loadAlertConfig({}, bad)).toThrow(`${bad}: resendInterval: invalid duration "soon"`);
    expect(() => loadAlertConfig({}, join(dir, 'missing.yaml'))).toThrow(`cannot read config file ${join(dir, 'missing.yaml')}`);
    const list = file('list.yaml', '- a\n');
    expect(() => loadAlertConfig({}, list)).toThrow(`${list}: expected a mapping of settings`);
  });
});

describe('parseSeverities', () => {
  it('sorts by score so the highest reached wins', () => {
    expect(parseSeverities('critical:3,warning:1').map((s) => s.name)).toEqual(['warning', 'critical']);
  });
});
