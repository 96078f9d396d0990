// Typed, validated detector parameters. Validation runs once at construction (config load or window
// arrival), names the field path and the bad value, and never runs per sample.
import { parseDuration } from '../duration.ts';

interface ParamBase {
  description: string;
}
export interface NumberParam extends ParamBase {
  kind: 'number';
  default: number;
  min?: number;
  max?: number;
  integer?: boolean;
}
export interface BooleanParam extends ParamBase {
  kind: 'boolean';
  default: boolean;
}
export interface StringParam extends ParamBase {
  kind: 'string';
  default: string;
  oneOf?: readonly string[];
}
/** A Prometheus duration string in config ("5m"); the detector receives milliseconds. */
export interface DurationParam extends ParamBase {
  kind: 'duration';
  default: string;
}

export type ParamSpec = NumberParam | BooleanParam | StringParam | DurationParam;
export type ParamSpecs = Record<string, ParamSpec>;

export type ParamValue<P extends ParamSpec> = P extends BooleanParam ? boolean : P extends StringParam ? string : number;
export type ParamValues<S extends ParamSpecs> = { readonly [K in keyof S]: ParamValue<S[K]> };

/** Builders so detector authors write `threshold: param.number({ default: 4, min: 0, description })`. */
export const param = {
  number: (spec: Omit<NumberParam, 'kind'>): NumberParam => ({ kind: 'number', ...spec }),
  integer: (spec: Omit<NumberParam, 'kind' | 'integer'>): NumberParam => ({ kind: 'number', integer: true, ...spec }),
  boolean: (spec: Omit<BooleanParam, 'kind'>): BooleanParam => ({ kind: 'boolean', ...spec }),
  string: (spec: Omit<StringParam, 'kind'>): StringParam => ({ kind: 'string', ...spec }),
  duration: (spec: Omit<DurationParam, 'kind'>): DurationParam => ({ kind: 'duration', ...spec }),
};

export class ParamError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ParamError';
    this.path = path;
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function resolveOne(spec: ParamSpec, raw: unknown, path: string): number | boolean | string {
  switch (spec.kind) {
    case 'number': {
      if (raw === undefined) return spec.default;
      if (typeof raw !== 'number' || Number.isNaN(raw)) throw new ParamError(path, `expected a number, got ${show(raw)}`);
      if (spec.integer && !Number.isInteger(raw)) throw new ParamError(path, `expected an integer, got ${show(raw)}`);
      if (spec.min !== undefined && raw < spec.min) throw new ParamError(path, `expected a number >= ${spec.min}, got ${raw}`);
      if (spec.max !== undefined && raw > spec.max) throw new ParamError(path, `expected a number <= ${spec.max}, got ${raw}`);
      return raw;
    }
    case 'boolean':
      if (raw === undefined) return spec.default;
      if (typeof raw !== 'boolean') throw new ParamError(path, `expected true or false, got ${show(raw)}`);
      return raw;
    case 'string':
      if (raw === undefined) return spec.default;
      if (typeof raw !== 'string') throw new ParamError(path, `expected a string, got ${show(raw)}`);
      if (spec.oneOf && !spec.oneOf.includes(raw)) {
        throw new ParamError(path, `expected one of ${spec.oneOf.join(', ')}, got ${show(raw)}`);
      }
      return raw;
    case 'duration': {
      const text = raw === undefined ? spec.default : raw;
      if (typeof text !== 'string' && typeof text !== 'number') throw new ParamError(path, `expected a duration such as "5m", got ${show(raw)}`);
      try {
        return parseDuration(text);
      } catch (err) {
        throw new ParamError(path, (err as Error).message);
      }
    }
  }
}

/** Check raw config against the specs; fill defaults; throw ParamError naming `path.field`. */
export function resolveParams<S extends ParamSpecs>(specs: S, raw: unknown, path = 'params'): ParamValues<S> {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ParamError(path, `expected an object of parameters, got ${show(raw)}`);
  }
  const given = (raw ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in specs)) throw new ParamError(`${path}.${key}`, `unknown parameter (known: ${Object.keys(specs).join(', ') || 'none'})`);
  }
  const out: Record<string, number | boolean | string> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = resolveOne(spec, given[key], `${path}.${key}`);
  return Object.freeze(out) as ParamValues<S>;
}
