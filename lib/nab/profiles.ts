// Application profiles (NAB config/profiles.json) and published thresholds (config/thresholds.json).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight: number;
}

export const PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** NAB's profiles, used when a corpus ships no config/profiles.json. */
export const NAB_PROFILES: Record<ProfileName, CostMatrix> = {
  standard: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11, tnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22, tnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11, tnWeight: 1.0 },
};

export function loadProfiles(corpusDir: string): Record<string, CostMatrix> {
  const path = join(corpusDir, 'config', 'profiles.json');
  if (!existsSync(path)) return { ...NAB_PROFILES };
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { CostMatrix?: Partial<CostMatrix> }>;
  const out: Record<string, CostMatrix> = {};
  for (const [name, entry] of Object.entries(raw)) {
    const m = entry.CostMatrix;
    for (const k of ['tpWeight', 'fpWeight', 'fnWeight'] as const) {
      if (typeof m?.[k] !== 'number') throw new Error(`${path}: ${name}.CostMatrix.${k} must be a number`);
    }
    out[name] = { tpWeight: m!.tpWeight!, fpWeight: m!.fpWeight!, fnWeight: m!.fnWeight!, tnWeight: m!.tnWeight ?? 1 };
  }
  return out;
}

/** detector → profile → threshold, from a NAB thresholds.json ({det: {profile: {threshold, score}}}). */
export type Thresholds = Record<string, Record<string, number>>;

export function loadThresholds(path: string): Thresholds {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, { threshold?: unknown }>>;
  const out: Thresholds = {};
  for (const [detector, profiles] of Object.entries(raw)) {
    out[detector] = {};
    for (const [profile, entry] of Object.entries(profiles)) {
      if (typeof entry?.threshold !== 'number') throw new Error(`${path}: ${detector}.${profile}.threshold must be a number`);
      out[detector][profile] = entry.threshold;
    }
  }
  return out;
}
