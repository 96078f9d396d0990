/**
 * Stuck or absent series. Flatline: the value has not changed for `flatline` (only after it has
 * changed at least once, so constant gauges such as build info stay quiet). Absent: samples are
 * missing (NaN, as the dispatcher feeds a vanished series) or a gap in timestamps longer than `absent`.
 * Score = observed duration / configured duration, so 1 is reached exactly at the limit.
 * Counters should be fed as rates (the dispatcher does, resets included): a flat rate of 0 is a
 * counter that stopped counting, while a reset is a single drop and never a flatline.
 */
import { defineDetector, param } from '../../sdk/index.ts';

export const stuck = defineDetector({
  name: 'stuck',
  description: 'Flatlined (value unchanged) or absent (missing samples) series.',
  params: {
    flatline: param.duration({ default: '10m', description: 'How long an unchanged value counts as stuck.' }),
    absent: param.duration({ default: '5m', description: 'How long missing samples count as absent.' }),
    requireChange: param.boolean({ default: true, description: 'Judge flatlines only once the value has changed before.' }),
  },
  online: ({ flatline, absent, requireChange }) => {
    let lastValue = NaN;
    let flatSince = NaN;
    let lastSeen = NaN;
    let changed = false;
    return {
      update(t, value) {
        if (Number.isNaN(value)) {
          return Number.isNaN(lastSeen) ? NaN : (t - lastSeen) / absent;
        }
        const gap = Number.isNaN(lastSeen) ? 0 : t - lastSeen;
        lastSeen = t;
        if (value !== lastValue) {
          if (!Number.isNaN(lastValue)) changed = true;
          lastValue = value;
          flatSince = t;
        }
        const gapScore = gap > absent ? gap / absent : 0;
        const flatScore = changed || !requireChange ? (t - flatSince) / flatline : 0;
        return Math.max(gapScore, flatScore);
      },
    };
  },
});
