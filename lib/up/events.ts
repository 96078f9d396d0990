// What happens inside `deucalion up`, as typed events: the terminal view, the summary and the demo's
// incident scoring all listen here instead of reaching into the components.
import { EventEmitter } from 'node:events';
import type { Anomaly } from '../contracts/types.ts';

export type ComponentKind = 'function' | 'dispatcher' | 'prometheus' | 'alertmanager' | 'app' | 'gateway';

export interface ComponentEvent {
  name: string;
  kind: ComponentKind;
  state: 'starting' | 'running' | 'stopped' | 'failed';
  pid?: number;
  url?: string;
  /** Function cold start: process spawn to first ready answer. */
  coldStartMs?: number;
  detail?: string;
}

export interface InvocationEvent {
  function: string;
  status: number;
  ms: number;
  /** This call waited for a cold start. */
  cold: boolean;
}

export interface RunEvent {
  function: string;
  schedule: string;
  at: number;
  status: number;
  ms: number;
  error?: string;
}

export interface AnomalyEvent {
  receivedAt: number;
  /** CloudEvent source: /namespaces/NS/pods/POD or /federations/NAME. */
  source: string;
  mode: 'sidecar' | 'federated' | 'other';
  pod?: string;
  namespace?: string;
  federation?: string;
  anomalies: Anomaly[];
  bytes: number;
}

export interface UpEventMap {
  component: [ComponentEvent];
  invocation: [InvocationEvent];
  run: [RunEvent];
  anomaly: [AnomalyEvent];
  notice: [{ level: 'info' | 'warn' | 'error'; msg: string }];
}

export class UpBus extends EventEmitter<UpEventMap> {}
