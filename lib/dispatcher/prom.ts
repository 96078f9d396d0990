// prom-client's four classes the dispatcher uses, loaded from their own files. The package entry also
// loads the Pushgateway (http, https, tls, crypto), cluster aggregation and default metrics
// (perf_hooks): ~14 MB of RSS in the sidecar, measured, for code it never runs.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const require = createRequire(import.meta.url);

export const Registry = require('prom-client/lib/registry') as typeof PromClient.Registry;
export const Counter = require('prom-client/lib/counter') as typeof PromClient.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof PromClient.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof PromClient.Histogram;
