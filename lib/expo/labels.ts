// Turning label offsets into strings, only when a caller asks for them.

import { BACKSLASH } from './chars.ts';

export type Labels = Record<string, string>;

/**
 * Copy a string so it no longer points into the payload it was sliced from. V8 keeps substrings of 13+
 * characters as views on their parent, so a map key or label value kept across scrapes would pin the whole
 * scrape body in memory. Concatenation + slice flattens into a fresh string (short ones are copies already).
 * Use it for every string from the parser that outlives the scrape (new series keys).
 */
export function detachString(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** s[a, b) as a detached string, with \\ \" \n resolved when `escaped`; other escapes stay as written. */
export function readLabelText(s: string, a: number, b: number, escaped: boolean): string {
  return escaped ? unescapeRange(s, a, b, true) : detachString(s.slice(a, b));
}

/**
 * Resolve backslash escapes in s[a, b): \\ and \n always, \" when `quotes` (label values, OpenMetrics
 * HELP). Unknown escapes are kept verbatim, like Prometheus does.
 */
export function unescapeRange(s: string, a: number, b: number, quotes: boolean): string {
  let out = '';
  let from = a;
  for (let i = a; i < b - 1; i++) {
    if (s.charCodeAt(i) !== BACKSLASH) continue;
    const next = s.charCodeAt(i + 1);
    const repl = next === BACKSLASH ? '\\' : next === 110 ? '\n' : quotes && next === 34 ? '"' : undefined;
    if (repl === undefined) continue;
    out += s.slice(from, i) + repl;
    i++;
    from = i + 1;
  }
  return detachString(out + s.slice(from, b));
}

/** Set a label without tripping Object.prototype's `__proto__` setter. */
export function setLabel(out: Labels, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}
