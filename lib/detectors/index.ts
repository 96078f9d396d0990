// The registry of built-in detectors: name → detector. A function is served as `detector-<name>`.
import type { AnyDetector } from '../sdk/detector.ts';
import { threshold } from './threshold/index.ts';
import { zscore } from './zscore/index.ts';
import { mad } from './mad/index.ts';
import { ewma } from './ewma/index.ts';
import { seasonal } from './seasonal/index.ts';
import { stuck } from './stuck/index.ts';
import { novelty } from './default/index.ts';

export { threshold, zscore, mad, ewma, seasonal, stuck };

export const BUILTIN_DETECTORS: ReadonlyMap<string, AnyDetector> = new Map(
  [threshold, zscore, mad, ewma, seasonal, stuck, novelty].map((d) => [d.name, d]),
);

/** The detector a dispatcher runs when its config names none. */
export const DEFAULT_DETECTOR = 'novelty';

export function findDetector(name: string): AnyDetector | undefined {
  return BUILTIN_DETECTORS.get(name);
}
