// STAND-IN for `deucalion dispatcher` (issue 3) while it is not built: `deucalion up`, the demo and
// the network benchmark use it only when cli/commands/dispatcher.ts does not exist. Same config file
// (target, detectors with match/params, sink), same behaviour in outline: scrape the app on
// localhost, counters as rates, SDK detectors online per series, only anomalies leave the pod, as
// one io.deucalion.anomaly.v1 event per scrape. No buffering/retry, no reload, no own /metrics:
// the real dispatcher does that.
import { readFileSync } from 'node:fs';
import { CloudEvent } from 'cloudevents';
import { parse } from 'yaml';
import { EVENT_TYPES, podSource, type Anomaly, type AnomalyData } from '../../contracts/types.ts';
import { findDetector } from '../../detectors/index.ts';
import { parseDuration } from '../../duration.ts';
import { parseExposition, parseSelector, type Selector } from '../../expo/index.ts';
import { sendCloudEvent } from '../../runtime/send.ts';
import { createCounterRate, type AnyDetector, type CounterRate, type OnlineDetector } from '../../sdk/index.ts';

interface DetectorUse {
  detector: AnyDetector;
  params: ReturnType<AnyDetector["resolveParams"]>;
  match?: Selector;
}

interface SeriesState {
  rate?: CounterRate;
  online: (OnlineDetector | undefined)[];
}

export interface StandInSidecar {
  stop(): void;
}

export function startStandInSidecar(configFile: string, env: NodeJS.ProcessEnv, log: (line: string) => void): StandInSidecar {
  const raw = parse(readFileSync(configFile, 'utf8')) as { target: { url: string; interval?: string; timeout?: string }; detectors?: { name: string; match?: string; params?: unknown }[]; sink?: { url?: string } };
  const intervalMs = parseDuration(raw.target.interval ?? '15s');
  const timeoutMs = parseDuration(raw.target.timeout ?? raw.target.interval ?? '10s');
  const sink = raw.sink?.url ?? env.K_SINK;
  const uses: DetectorUse[] = (raw.detectors ?? [{ name: 'zscore' }]).map((d) => {
    const detector = findDetector(d.name);
    if (!detector) throw new Error(`unknown detector "${d.name}"`);
    return { detector, params: detector.resolveParams(d.params ?? {}), match: d.match ? parseSelector(d.match) : undefined };
  });
  const namespace = env.POD_NAMESPACE ?? 'default';
  const pod = env.POD_NAME ?? 'pod';
  const series = new Map<string, SeriesState>();

  const tick = async () => {
    const t = Date.now();
    let text: string;
    try {
      const res = await fetch(raw.target.url, { signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      log(`scrape failed: ${(err as Error).message}`);
      return;
    }
    const anomalies: Anomaly[] = [];
    for (const s of parseExposition(text)) {
      const wanted = uses.map((u) => !u.match || u.match.matches(s.name, s.labels));
      if (!wanted.includes(true)) continue;
      const key = `${s.name}${JSON.stringify(s.labels)}`;
      let state = series.get(key);
      if (!state) {
        const cumulative = s.type === 'counter' || s.type === 'histogram' || (s.type === 'summary' && /_(sum|count)$/.test(s.name));
        state = { rate: cumulative ? createCounterRate() : undefined, online: uses.map((u, i) => (wanted[i] ? u.detector.createOnline(u.params) : undefined)) };
        series.set(key, state);
      }
      const value = state.rate ? state.rate.update(t, s.value) : s.value;
      if (Number.isNaN(value)) continue;
      state.online.forEach((d, i) => {
        if (!d) return;
        const score = d.update(t, value);
        if (!(score >= 1)) return;
        const anomaly: Anomaly = { detector: uses[i].detector.name, labels: { __name__: s.name, ...s.labels }, timestamp: t, value, score: Math.min(score, 1e6) };
        const expected = d.expected?.();
        if (expected && Number.isFinite(expected.lower) && Number.isFinite(expected.upper)) anomaly.expected = expected;
        anomalies.push(anomaly);
      });
    }
    if (!anomalies.length || !sink) return;
    const event = new CloudEvent<AnomalyData>({ type: EVENT_TYPES.anomaly, source: podSource(namespace, pod), datacontenttype: 'application/json', data: { namespace, pod, anomalies } });
    try {
      await sendCloudEvent(sink, event, { timeoutMs: 5000 });
    } catch (err) {
      log(`sending ${anomalies.length} anomalies failed: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  void tick();
  return { stop: () => clearInterval(timer) };
}
