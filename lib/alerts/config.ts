// Alert-forwarder settings: defaults < the YAML/JSON --config file < environment variables. Every
// value is validated once at startup and a bad one fails with its source and the expected form.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseDuration } from '../duration.ts';

export interface SeverityLevel {
  name: string;
  /** Lowest score that gets this severity. */
  minScore: number;
}

export interface AlertConfig {
  /** Alertmanager base URLs (POSTs go to <url>/api/v2/alerts). Empty: the embedded sink. */
  alertmanagers: string[];
  alertName: string;
  /** Ascending by minScore. A score below the first is not alerted. */
  severities: SeverityLevel[];
  resendIntervalMs: number;
  /** Base of generatorURL (e.g. http://prometheus:9090); undefined: no generatorURL. */
  generatorUrl?: string;
  /** Durable per-Alertmanager queue; undefined: none (failed deliveries answer 503). */
  spoolDir?: string;
  spoolMaxEntries: number;
  /** Embedded sink file, used when no Alertmanager is configured. */
  logFile: string;
  /** Ask Alertmanager which alerts it holds and send only resolves of those (see delivery.ts). */
  resolveCheck: boolean;
  sendTimeoutMs: number;
  sendAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_SEVERITIES = 'warning:1,critical:3';

export const ALERT_DEFAULTS: AlertConfig = {
  alertmanagers: [],
  alertName: 'DeucalionAnomaly',
  severities: parseSeverities(DEFAULT_SEVERITIES),
  resendIntervalMs: 60_000,
  spoolMaxEntries: 10_000,
  logFile: './deucalion-alerts.jsonl',
  resolveCheck: true,
  sendTimeoutMs: 5_000,
  sendAttempts: 3,
  retryBaseMs: 250,
  retryMaxMs: 2_000,
};

/** One setting: its key in the config file and its environment variable. */
const SETTINGS = {
  alertmanagers: { key: 'alertmanagers', env: 'ALERTMANAGER_URL' },
  alertName: { key: 'alertName', env: 'ALERT_NAME' },
  severities: { key: 'severityThresholds', env: 'ALERT_SEVERITY_THRESHOLDS' },
  resendIntervalMs: { key: 'resendInterval', env: 'ALERT_RESEND_INTERVAL' },
  generatorUrl: { key: 'generatorURL', env: 'ALERT_GENERATOR_URL' },
  spoolDir: { key: 'spoolDir', env: 'ALERT_SPOOL_DIR' },
  spoolMaxEntries: { key: 'spoolMaxEntries', env: 'ALERT_SPOOL_MAX_ENTRIES' },
  logFile: { key: 'logFile', env: 'ALERT_LOG_FILE' },
  resolveCheck: { key: 'resolveCheck', env: 'ALERT_RESOLVE_CHECK' },
  sendTimeoutMs: { key: 'sendTimeout', env: 'ALERT_SEND_TIMEOUT' },
  sendAttempts: { key: 'sendAttempts', env: 'ALERT_SEND_ATTEMPTS' },
  retryBaseMs: { key: 'retryBackoff', env: 'ALERT_RETRY_BACKOFF' },
  retryMaxMs: { key: 'retryMaxBackoff', env: 'ALERT_RETRY_MAX_BACKOFF' },
} as const satisfies Record<keyof AlertConfig, { key: string; env: string }>;

type Field = keyof typeof SETTINGS;

export class AlertConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertConfigError';
  }
}

/** Build the config from an optional file and the environment; throws AlertConfigError naming the source. */
export function loadAlertConfig(env: NodeJS.ProcessEnv, file?: string): AlertConfig {
  const config: AlertConfig = { ...ALERT_DEFAULTS };
  const fromFile = file ? readConfigFile(file) : {};
  for (const field of Object.keys(SETTINGS) as Field[]) {
    const { key, env: name } = SETTINGS[field];
    if (fromFile[key] !== undefined) apply(config, field, fromFile[key], `${file}: ${key}`);
    const raw = env[name];
    if (raw !== undefined && raw !== '') apply(config, field, raw, name);
  }
  if (config.retryMaxMs < config.retryBaseMs) {
    throw new AlertConfigError(`retry max backoff (${config.retryMaxMs} ms) is below the base backoff (${config.retryBaseMs} ms)`);
  }
  return config;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AlertConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (err) {
    throw new AlertConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new AlertConfigError(`${file}: expected a mapping of settings`);
  const root = parsed as Record<string, unknown>;
  // The forwarder's settings may sit under `alerts:` so one file can configure several components.
  const settings = root.alerts !== undefined && typeof root.alerts === 'object' && root.alerts !== null ? (root.alerts as Record<string, unknown>) : root;
  const known = new Set<string>(Object.values(SETTINGS).map((s) => s.key));
  for (const key of Object.keys(settings)) {
    if (!known.has(key)) throw new AlertConfigError(`${file}: unknown setting "${key}"; known: ${[...known].join(', ')}`);
  }
  return settings;
}

function apply(config: AlertConfig, field: Field, raw: unknown, source: string): void {
  try {
    switch (field) {
      case 'alertmanagers':
        config.alertmanagers = parseAlertmanagerUrls(raw);
        break;
      case 'alertName':
        config.alertName = nonEmptyString(raw);
        break;
      case 'severities':
        config.severities = parseSeverities(raw);
        break;
      case 'resendIntervalMs':
      case 'sendTimeoutMs':
      case 'retryBaseMs':
      case 'retryMaxMs':
        config[field] = positiveDuration(raw);
        break;
      case 'generatorUrl':
        config.generatorUrl = httpUrl(nonEmptyString(raw)).replace(/\/+$/, '');
        break;
      case 'spoolDir':
        config.spoolDir = nonEmptyString(raw);
        break;
      case 'logFile':
        config.logFile = nonEmptyString(raw);
        break;
      case 'resolveCheck':
        config.resolveCheck = parseBoolean(raw);
        break;
      case 'spoolMaxEntries':
      case 'sendAttempts':
        config[field] = positiveInteger(raw);
        break;
    }
  } catch (err) {
    if (err instanceof AlertConfigError) throw new AlertConfigError(`${source}: ${err.message}`);
    throw err;
  }
}

/** "http://a:9093,http://b:9093" (or a YAML list) → base URLs without a trailing /api/v2/alerts. */
export function parseAlertmanagerUrls(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!items) throw new AlertConfigError('expected a comma-separated list of Alertmanager URLs');
  const urls = items.map((item) => {
    if (typeof item !== 'string') throw new AlertConfigError(`expected a URL, got ${JSON.stringify(item)}`);
    return httpUrl(item.trim())
      .replace(/\/+$/, '')
      .replace(/\/api\/v2\/alerts$/, '');
  });
  const unique = [...new Set(urls.filter((u) => u !== ''))];
  if (unique.length !== urls.length) throw new AlertConfigError('empty or duplicate Alertmanager URL in the list');
  return unique;
}

/** "warning:1,critical:3" (or a YAML mapping {warning: 1, critical: 3}) → levels ascending by score. */
export function parseSeverities(raw: unknown): SeverityLevel[] {
  let pairs: [string, unknown][];
  if (typeof raw === 'string') {
    pairs = raw.split(',').map((part) => {
      const [name, score, extra] = part.split(':').map((s) => s.trim());
      if (!name || score === undefined || extra !== undefined) {
        throw new AlertConfigError(`bad entry "${part.trim()}": expected name:minScore, e.g. "warning:1,critical:3"`);
      }
      return [name, score];
    });
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    pairs = Object.entries(raw);
  } else {
    throw new AlertConfigError(`expected "name:minScore,..." or a mapping, got ${JSON.stringify(raw)}`);
  }
  if (pairs.length === 0) throw new AlertConfigError('at least one severity is required');
  const levels = pairs.map(([name, score]) => {
    const min = typeof score === 'number' ? score : Number(score);
    if (typeof score === 'string' && score.trim() === '') throw new AlertConfigError(`severity "${name}" has no score`);
    if (!Number.isFinite(min) || min < 0) throw new AlertConfigError(`severity "${name}": score ${JSON.stringify(score)} is not a non-negative number`);
    return { name, minScore: min };
  });
  levels.sort((a, b) => a.minScore - b.minScore);
  for (let i = 1; i < levels.length; i++) {
    if (levels[i].minScore === levels[i - 1].minScore) throw new AlertConfigError(`severities "${levels[i - 1].name}" and "${levels[i].name}" share score ${levels[i].minScore}`);
  }
  if (new Set(levels.map((l) => l.name)).size !== levels.length) throw new AlertConfigError('duplicate severity name');
  return levels;
}

function nonEmptyString(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new AlertConfigError(`expected a non-empty string, got ${JSON.stringify(raw)}`);
  return raw.trim();
}

function httpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AlertConfigError(`"${text}" is not a URL (expected e.g. http://alertmanager:9093)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AlertConfigError(`"${text}" is not an http(s) URL`);
  return text;
}

function positiveDuration(raw: unknown): number {
  let ms: number;
  try {
    ms = parseDuration(raw as string | number);
  } catch (err) {
    throw new AlertConfigError((err as Error).message);
  }
  if (ms <= 0) throw new AlertConfigError(`duration must be greater than zero, got ${JSON.stringify(raw)}`);
  return ms;
}

function parseBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  throw new AlertConfigError(`expected true or false, got ${JSON.stringify(raw)}`);
}

function positiveInteger(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n) || n < 1) throw new AlertConfigError(`expected a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}
