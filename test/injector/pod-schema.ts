// Validate a pod offline against the Kubernetes OpenAPI schema, as the API server would:
// 1. `kubernetes-models` ships AJV validators generated from the Kubernetes 1.34 OpenAPI spec
//    (types, required fields, formats); its schemas allow unknown fields, like the spec itself.
// 2. The API server's strict field validation rejects unknown fields; that half is derived from
//    @kubernetes/client-node's generated models (`attributeTypeMap` lists every field per type).
import * as k8s from '@kubernetes/client-node';
import { Pod as PodModel } from 'kubernetes-models/v1/Pod';

type AttributeMap = { name: string; baseName: string; type: string }[];
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;

export function validatePod(pod: unknown): string[] {
  const errors: string[] = [];
  try {
    new PodModel(structuredClone(pod) as ConstructorParameters<typeof PodModel>[0]).validate();
  } catch (err) {
    errors.push(`openapi: ${(err as Error).message}`);
  }
  checkUnknownFields(pod, 'V1Pod', '', errors);
  return errors;
}

function checkUnknownFields(value: unknown, type: string, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, i) => checkUnknownFields(item, array[1], `${path}[${i}]`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) checkUnknownFields(v, map[1], `${path}.${k}`, errors);
    return;
  }
  const attributes = models[type]?.getAttributeTypeMap?.();
  if (!attributes || typeof value !== 'object' || Array.isArray(value)) return;
  const byName = new Map(attributes.map((a) => [a.baseName, a.type]));
  for (const [key, child] of Object.entries(value)) {
    const childType = byName.get(key);
    if (childType === undefined) errors.push(`strict: unknown field "${path ? `${path}.` : ''}${key}" in ${type}`);
    else checkUnknownFields(child, childType, path ? `${path}.${key}` : key, errors);
  }
}
