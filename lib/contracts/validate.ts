// Runtime validation of event data against the JSON Schemas in ./schemas (compiled once at load).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HttpError } from '../runtime/http-error.ts';
import labelsSchema from './schemas/labels.v1.json' with { type: 'json' };
import windowSchema from './schemas/window.v1.json' with { type: 'json' };
import anomalySchema from './schemas/anomaly.v1.json' with { type: 'json' };
import triggerSchema from './schemas/trigger.v1.json' with { type: 'json' };
import type { AnomalyData, TriggerOverrides, WindowData } from './types.ts';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addSchema(labelsSchema);

const schemas = { window: windowSchema, anomaly: anomalySchema, trigger: triggerSchema };

export type ContractName = keyof typeof schemas;

// Compiled on first use: a scaled-to-zero detector function only ever needs the window schema, and each
// compile costs tens of milliseconds of its cold start.
const compiled: Partial<Record<ContractName, ValidateFunction<unknown>>> = {};

function validatorFor(name: ContractName): ValidateFunction<unknown> {
  return (compiled[name] ??= ajv.compile(schemas[name]));
}

/** One readable sentence for the first schema violation: where, and what was expected. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'invalid';
  const where = first.instancePath === '' ? 'data' : `data${first.instancePath.replaceAll('/', '.')}`;
  if (first.keyword === 'additionalProperties') {
    return `${where}: unknown property "${(first.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (first.keyword === 'required') {
    return `${where}: missing required property "${(first.params as { missingProperty: string }).missingProperty}"`;
  }
  return `${where} ${first.message ?? 'is invalid'}`;
}

/** Validate `data` as the named contract; throws HttpError(400) naming the first violation. */
export function validateData<N extends ContractName>(
  name: N,
  data: unknown,
): N extends 'window' ? WindowData : N extends 'anomaly' ? AnomalyData : TriggerOverrides {
  const validate = validatorFor(name);
  if (!validate(data)) throw new HttpError(400, `invalid ${name} event: ${describeErrors(validate.errors)}`);
  return data as never;
}

export function validateWindow(data: unknown): WindowData {
  const window = validateData('window', data);
  // Cross-field rules the schema cannot say.
  window.series.forEach((s, i) => {
    if (s.timestamps.length !== s.values.length) {
      throw new HttpError(
        400,
        `invalid window event: data.series.${i} has ${s.timestamps.length} timestamps but ${s.values.length} values`,
      );
    }
  });
  return window;
}

export function validateAnomalies(data: unknown): AnomalyData {
  return validateData('anomaly', data);
}

export function validateTriggerOverrides(data: unknown): TriggerOverrides {
  return validateData('trigger', data);
}
