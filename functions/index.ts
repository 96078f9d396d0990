// Every servable function by name: `scrape-trigger`, `alert-forwarder`, `detector-<builtin>`, or the
// path of a user's detector module (its default export, served as `detector-<its name>`).
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_DETECTORS } from '../lib/detectors/index.ts';
import type { DeucalionFunction, FunctionOptions } from '../lib/runtime/function.ts';
import type { AnyDetector } from '../lib/sdk/detector.ts';
import { createDetectorFunction } from './detector/index.ts';

type Factory = (options: FunctionOptions) => Promise<DeucalionFunction>;

/** Functions with their own module, loaded on demand so each process imports only what it serves. */
const NAMED: Record<string, () => Promise<{ create: Factory }>> = {
  'scrape-trigger': () => import('./scrape-trigger/index.ts'),
  'alert-forwarder': () => import('./alert-forwarder/index.ts'),
};

export function listFunctionNames(): string[] {
  return [...Object.keys(NAMED), ...[...BUILTIN_DETECTORS.keys()].map((n) => `detector-${n}`)];
}

export function isDetectorModulePath(name: string): boolean {
  return /\.(ts|js|mjs|mts)$/.test(name) || name.startsWith('.') || isAbsolute(name);
}

/** Import a user's detector module; its default export (or `detector` export) must be a Detector. */
export async function loadDetectorModule(path: string): Promise<AnyDetector> {
  const url = pathToFileURL(resolve(path)).href;
  const mod = (await import(url)) as { default?: unknown; detector?: unknown };
  const candidate = (mod.default ?? mod.detector) as Partial<AnyDetector> | undefined;
  if (!candidate || typeof candidate.createOnline !== 'function' || typeof candidate.scoreWindow !== 'function') {
    throw new Error(`${path}: the default export is not a detector; export default defineDetector({...})`);
  }
  return candidate as AnyDetector;
}

export class UnknownFunctionError extends Error {}

/** Build the function NAME. Detector params default from DEUCALION_DETECTOR_PARAMS (JSON) if set. */
export async function loadFunction(name: string, options: FunctionOptions): Promise<DeucalionFunction> {
  const named = NAMED[name];
  if (named) return (await named()).create(options);
  const params = parseParams(options.env.DEUCALION_DETECTOR_PARAMS);
  if (isDetectorModulePath(name)) return createDetectorFunction(await loadDetectorModule(name), params);
  if (name.startsWith('detector-')) {
    const detector = BUILTIN_DETECTORS.get(name.slice('detector-'.length));
    if (detector) return createDetectorFunction(detector, params);
  }
  throw new UnknownFunctionError(`unknown function "${name}"; known: ${listFunctionNames().join(', ')}, or a detector module path`);
}

function parseParams(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new Error('DEUCALION_DETECTOR_PARAMS must be a JSON object of detector parameters');
}
