// Prometheus duration strings ("15s", "1h30m", "500ms") to milliseconds. Used by every config loader.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const PART = /(\d+)(ms|s|m|h|d|w|y)/y;

/** Parse a Prometheus duration; throws an Error naming the bad text. Plain numbers are seconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw new Error(`invalid duration ${text}: expected a non-negative number of seconds`);
    return text * 1000;
  }
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (trimmed === '') throw new Error('invalid duration "": empty');
  let total = 0;
  PART.lastIndex = 0;
  let index = 0;
  while (index < trimmed.length) {
    PART.lastIndex = index;
    const match = PART.exec(trimmed);
    if (!match) throw new Error(`invalid duration "${text}": expected a number and a unit (ms, s, m, h, d, w, y) at position ${index}`);
    total += Number(match[1]) * UNIT_MS[match[2]];
    index = PART.lastIndex;
  }
  return total;
}

/** Milliseconds to the shortest Prometheus duration string ("90000" → "1m30s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
