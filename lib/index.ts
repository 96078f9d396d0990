// Deucalion's public SDK: everything a detector author imports. Nothing imports deeper than this.
//
// @example
// import { defineDetector, param } from 'deucalion';
// export default defineDetector({
//   name: 'spike', description: 'Jumps larger than `ratio` times the previous value.',
//   params: { ratio: param.number({ default: 3, min: 1, description: 'Jump factor.' }) },
//   online: ({ ratio }) => { let prev = NaN; return { update(_t, v) { const s = Math.abs(v / prev) / ratio; prev = v; return s; } }; },
// });
export * from './sdk/index.ts';
export * from './contracts/index.ts';
export { BUILTIN_DETECTORS, DEFAULT_DETECTOR, findDetector } from './detectors/index.ts';
export { parseDuration, formatDuration } from './duration.ts';
