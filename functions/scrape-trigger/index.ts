// Placeholder until the scrape-trigger issue lands: fails at startup with a clear message.
import type { DeucalionFunction, FunctionOptions } from '../../lib/runtime/function.ts';

export async function create(_options: FunctionOptions): Promise<DeucalionFunction> {
  throw new Error('the scrape-trigger function is not built yet');
}
