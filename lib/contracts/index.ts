export * from './types.ts';
export { validateWindow, validateAnomalies, validateTriggerOverrides, validateData, describeErrors } from './validate.ts';
export type { ContractName } from './validate.ts';
