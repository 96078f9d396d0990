export { defineDetector, clampScore, MAX_SCORE } from './detector.ts';
export type { Detector, AnyDetector, DetectorSpec, OnlineDetector, WindowScores, WindowFn } from './detector.ts';
export { param, resolveParams, ParamError } from './params.ts';
export type { ParamSpec, ParamSpecs, ParamValues, NumberParam, BooleanParam, StringParam, DurationParam } from './params.ts';
export { detectInWindow } from './run-window.ts';
export type { WindowFindings } from './run-window.ts';
export { createCounterRate } from './counter.ts';
export type { CounterRate } from './counter.ts';
export { RollingStats, median } from './rolling.ts';
