// Placeholder until the alert-forwarder issue lands: fails at startup with a clear message.
import type { DeucalionFunction, FunctionOptions } from '../../lib/runtime/function.ts';

export async function create(_options: FunctionOptions): Promise<DeucalionFunction> {
  throw new Error('the alert-forwarder function is not built yet');
}
