// Detectors `deucalion eval` can run: every built-in, plus reference peers reimplemented from NAB.
import { BUILTIN_DETECTORS } from '../detectors/index.ts';
import type { AnyDetector } from '../sdk/detector.ts';
import { windowedGaussian } from './windowed-gaussian.ts';

export const PEER_DETECTORS: ReadonlyMap<string, AnyDetector> = new Map([[windowedGaussian.name, windowedGaussian]]);

export function findEvalDetector(name: string): AnyDetector | undefined {
  return BUILTIN_DETECTORS.get(name) ?? PEER_DETECTORS.get(name);
}

export function evalDetectorNames(): string[] {
  return [...BUILTIN_DETECTORS.keys(), ...PEER_DETECTORS.keys()];
}
