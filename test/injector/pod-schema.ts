// Validate a pod offline against the Kubernetes OpenAPI schema, as the API server would:
// 1. `kubernetes-models` ships AJV validators generated from the Kubernetes 1.34 OpenAPI spec
//    (types, required fields, formats); its schemas allow unknown fields, like the spec itself.
// 2. The API server's strict field validation rejects unknown fields; that half is derived from
//    @kubernetes/client-node's generated models (`attributeTypeMap` lists every field per type).
import { Pod as PodModel } from 'kubernetes-models/v1/Pod';
import { checkUnknownFields } from '../support/k8s-schema.ts';

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
