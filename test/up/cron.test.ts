import { describe, expect, it } from 'vitest';
import { CronError, parseSchedule } from '../../lib/up/cron.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('parseSchedule', () => {
  it.each([
    ['*/5 * * * *', '2026-03-01T10:02:30Z', '2026-03-01T10:05:00Z'],
    ['*/5 * * * *', '2026-03-01T10:05:00Z', '2026-03-01T10:10:00Z'],
    ['* * * * *', '2026-03-01T10:02:30Z', '2026-03-01T10:03:00Z'],
    ['0 * * * *', '2026-03-01T10:02:00Z', '2026-03-01T11:00:00Z'],
    ['30 2 * * *', '2026-03-01T03:00:00Z', '2026-03-02T02:30:00Z'],
    ['0 0 1 * *', '2026-03-15T00:00:00Z', '2026-04-01T00:00:00Z'],
    ['0 9 * * mon-fri', '2026-03-07T12:00:00Z', '2026-03-09T09:00:00Z'], // Saturday → Monday
    ['0 0 * * 7', '2026-03-02T00:00:00Z', '2026-03-08T00:00:00Z'], // 7 = Sunday
    ['0 0 29 feb *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['0 0 13 * fri', '2026-03-01T00:00:00Z', '2026-03-06T00:00:00Z'], // either day field matches
    ['5/20 * * * *', '2026-03-01T10:06:00Z', '2026-03-01T10:25:00Z'],
    ['0,30 8-9 * jan,mar *', '2026-03-01T09:45:00Z', '2026-03-02T08:00:00Z'],
    ['@hourly', '2026-03-01T10:02:00Z', '2026-03-01T11:00:00Z'],
    ['@daily', '2026-03-01T10:02:00Z', '2026-03-02T00:00:00Z'],
    ['@weekly', '2026-03-03T10:02:00Z', '2026-03-08T00:00:00Z'],
    ['@every 5s', '2026-03-01T10:02:00.400Z', '2026-03-01T10:02:05Z'],
    ['@every 1m30s', '2026-03-01T10:02:00Z', '2026-03-01T10:03:30Z'],
  ])('%s after %s is %s', (text, after, expected) => {
    expect(iso(parseSchedule(text).next(at(after)))).toBe(expected);
  });

  it.each([
    ['* * * *', 'expected 5 fields'],
    ['60 * * * *', 'minute: 60 is outside 0-59'],
    ['* 24 * * *', 'hour: 24 is outside 0-23'],
    ['* * 0 * *', 'day-of-month: 0 is outside 1-31'],
    ['* * * foo *', 'month: "foo" is not a number'],
    ['*/0 * * * *', 'minute: bad step "0"'],
    ['5-1 * * * *', 'range 5-1 is backwards'],
    ['@often', 'unknown descriptor'],
    ['@every 500ms', 'at least 1s'],
    ['@every soon', 'invalid duration'],
    ['0 0 31 feb *', 'never fires'],
  ])('%s fails with %s', (text, message) => {
    expect(() => parseSchedule(text).next(at('2026-03-01T00:00:00Z'))).toThrow(CronError);
    expect(() => parseSchedule(text).next(at('2026-03-01T00:00:00Z'))).toThrow(message);
  });
});
