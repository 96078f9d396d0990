// Cron schedules as the OpenFaaS cron-connector reads them (robfig/cron v3, standard parser): five
// fields `minute hour day-of-month month day-of-week`, names (jan, mon), ranges, lists and steps,
// and the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly @every <duration>.
// Evaluated in UTC, like the connector's tzdata-less image. Hand-written: no cron package is
// installed and this is ~150 lines; `@every` with seconds is what lets the demo compress time.
//
//   const s = parseSchedule('*/5 * * * *');
//   s.next(Date.now()); // the next matching minute, Unix ms

import { parseDuration } from '../duration.ts';

export interface Schedule {
  readonly text: string;
  /** The first firing time strictly after `afterMs` (Unix ms). */
  next(afterMs: number): number;
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export class CronError extends Error {}

/** Parse a schedule; throws CronError naming the bad field. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  if (trimmed.startsWith('@every')) return parseEvery(trimmed);
  const expanded = DESCRIPTORS[trimmed.toLowerCase()] ?? trimmed;
  if (expanded.startsWith('@')) throw new CronError(`schedule "${text}": unknown descriptor; known: ${Object.keys(DESCRIPTORS).join(', ')}, @every <duration>`);
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new CronError(`schedule "${text}": expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const sets = parts.map((part, i) => parseField(part, FIELDS[i], text));
  // Like cron: when both day fields are restricted, a day matches if either matches.
  const domStar = parts[2].startsWith('*');
  const dowStar = parts[4].startsWith('*');
  return { text: trimmed, next: (after) => nextMatch(after, sets, domStar, dowStar) };
}

function parseEvery(text: string): Schedule {
  const raw = text.slice('@every'.length).trim();
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch (err) {
    throw new CronError(`schedule "${text}": ${(err as Error).message}`);
  }
  if (ms < 1000) throw new CronError(`schedule "${text}": @every needs at least 1s`);
  // robfig/cron's ConstantDelaySchedule: whole seconds, counted from the previous firing.
  const period = Math.floor(ms / 1000) * 1000;
  return { text, next: (after) => Math.floor(after / 1000) * 1000 + period };
}

function parseField(part: string, field: Field, text: string): Set<number> {
  const out = new Set<number>();
  for (const item of part.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw fieldError(text, field, `bad step "${stepText}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = field.min;
      hi = field.max;
    } else {
      const [a, b] = range.split('-');
      lo = parseValue(a, field, text);
      hi = b === undefined ? (stepText === undefined ? lo : field.max) : parseValue(b, field, text);
    }
    if (lo > hi) throw fieldError(text, field, `range ${lo}-${hi} is backwards`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function parseValue(raw: string, field: Field, text: string): number {
  const named = field.names?.indexOf(raw.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  let v = Number(raw);
  if (raw === '' || !Number.isInteger(v)) throw fieldError(text, field, `"${raw}" is not a number`);
  if (field.name === 'day-of-week' && v === 7) v = 0; // 7 is Sunday too
  if (v < field.min || v > field.max) throw fieldError(text, field, `${v} is outside ${field.min}-${field.max}`);
  return v;
}

function fieldError(text: string, field: Field, reason: string): CronError {
  return new CronError(`schedule "${text}": ${field.name}: ${reason}`);
}

/** Walk forward minute by minute, skipping whole days/hours that cannot match; bounded to 5 years. */
function nextMatch(after: number, sets: Set<number>[], domStar: boolean, dowStar: boolean): number {
  const [minutes, hours, doms, months, dows] = sets;
  const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const limit = after + 5 * 366 * 86_400_000;
  while (d.getTime() <= limit) {
    if (!months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const domOk = doms.has(d.getUTCDate());
    const dowOk = dows.has(d.getUTCDay());
    const dayOk = domStar || dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return d.getTime();
  }
  throw new CronError('schedule never fires');
}
