// Reading an untyped YAML value field by field, collecting every problem with its path
// (`detectors[1].match: ...`) so a bad config is reported in one go at startup. Hand-written rather
// than a JSON Schema + ajv: ajv costs the sidecar several MB of RSS for a dozen fields.
import { parseDuration } from '../duration.ts';

export type RawObject = Record<string, unknown>;

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(source: string, issues: string[]) {
    super(`${source}: invalid config:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export class Fields {
  readonly issues: string[] = [];

  fail(path: string, message: string): void {
    this.issues.push(`${path}: ${message}`);
  }

  /** The object at `path`, or undefined (with an issue if it is present but not an object). */
  object(value: unknown, path: string, known: readonly string[]): RawObject | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path || '(top level)', `expected a mapping, got ${describe(value)}`);
      return undefined;
    }
    const obj = value as RawObject;
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) this.fail(join(path, key), `unknown field (known: ${known.join(', ')})`);
    }
    return obj;
  }

  string(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.fail(path, `expected a string, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.fail(path, `expected true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  integer(value: unknown, path: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  /** A Prometheus duration ("15s", "500ms") in milliseconds; a plain number is seconds. */
  duration(value: unknown, path: string, fallback: number, minMs = 0): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.fail(path, `expected a duration such as "15s", got ${describe(value)}`);
      return fallback;
    }
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (err) {
      this.fail(path, (err as Error).message);
      return fallback;
    }
    if (ms < minMs) {
      this.fail(path, `must be at least ${minMs} ms, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return ms;
  }

  /** A byte size: a number of bytes or "10MB", "512KiB" (K/M/G with B or iB). */
  bytes(value: unknown, path: string, fallback: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(|B|[KMG]i?B?)\s*$/i.exec(value) : null;
    if (!match) {
      this.fail(path, `expected a size such as 10MiB or a number of bytes, got ${describe(value)}`);
      return fallback;
    }
    const unit = match[2].toUpperCase().replace(/B$/, '');
    const base = unit.endsWith('I') ? 1024 : 1000;
    const power = { '': 0, K: 1, M: 2, G: 3 }[unit.replace('I', '') as '' | 'K' | 'M' | 'G'];
    return Math.round(Number(match[1]) * base ** power);
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[], fallback: T): T {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !options.includes(value as T)) {
      this.fail(path, `expected one of ${options.join(', ')}, got ${describe(value)}`);
      return fallback;
    }
    return value as T;
  }

  /** An http(s) URL; `what` explains where it can come from, for the error. */
  url(value: string | undefined, path: string): string | undefined {
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.fail(path, `not a valid URL: ${JSON.stringify(value)}`);
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.fail(path, `expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
      return undefined;
    }
    // URLs are logged and printed (startup line, --check, failure messages): no secrets in them.
    if (url.username !== '' || url.password !== '') {
      url.username = '';
      url.password = '';
      this.fail(path, `credentials in the URL are not supported (they would end up in logs): ${url.href}`);
      return undefined;
    }
    return url.href;
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value) ?? String(value);
}
