// detector-<name>: any detector served as a stateless function. A window event in, an anomaly event
// out (or 204). The window form comes from the SDK, so this is the very code the dispatcher runs online.
import { CloudEvent } from 'cloudevents';
import { EVENT_TYPES, federationSource, type AnomalyData } from '../../lib/contracts/types.ts';
import { validateWindow } from '../../lib/contracts/validate.ts';
import { HttpError } from '../../lib/runtime/http-error.ts';
import { eventData } from '../../lib/runtime/cloudevent.ts';
import type { DeucalionFunction } from '../../lib/runtime/function.ts';
import { ParamError, detectInWindow, type AnyDetector } from '../../lib/sdk/index.ts';

export function createDetectorFunction(detector: AnyDetector, defaultParams: Record<string, unknown> = {}): DeucalionFunction {
  const name = `detector-${detector.name}`;
  // Fail at startup, with the field path, if the function's own defaults are wrong.
  detector.resolveParams(defaultParams);
  return {
    name,
    async handle(context, event) {
      if (!event) throw new HttpError(400, `${name} expects a CloudEvent of type ${EVENT_TYPES.window}`);
      if (event.type !== EVENT_TYPES.window) {
        throw new HttpError(400, `${name} expects events of type ${EVENT_TYPES.window}, got ${event.type}`);
      }
      const window = validateWindow(eventData(event));
      let params;
      try {
        params = detector.resolveParams({ ...defaultParams, ...window.params }, 'data.params');
      } catch (err) {
        if (err instanceof ParamError) throw new HttpError(400, `invalid window event: ${err.message}`);
        throw err;
      }
      const started = performance.now();
      const { anomalies, resolved } = detectInWindow(detector, params, window);
      const points = window.series.reduce((n, s) => n + s.timestamps.length, 0);
      context.log.info('window scored', {
        detector: detector.name,
        federation: window.federation,
        series: window.series.length,
        points,
        anomalies: anomalies.length,
        resolved: resolved.length,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
      if (anomalies.length === 0 && resolved.length === 0) return undefined;
      const data: AnomalyData = { federation: window.federation, anomalies };
      if (resolved.length > 0) data.resolved = resolved;
      return new CloudEvent<AnomalyData>({
        type: EVENT_TYPES.anomaly,
        source: federationSource(window.federation),
        subject: name,
        datacontenttype: 'application/json',
        data,
      });
    },
  };
}
