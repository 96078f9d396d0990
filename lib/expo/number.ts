// Float and integer reading over a range of the payload without slicing it. A decimal with at most
// 2^53 as mantissa and |exponent| <= 22 is converted exactly with one multiply or divide (Clinger's fast
// path: both operands are exact doubles, so the single rounding is the correct one); anything else falls
// back to Number() on a slice, which is rare in real expositions.

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT = 9007199254740992;

/** Where the last scanFloat stopped, and whether it read a float. Shared to avoid an object per call. */
export const cursor = { end: 0, ok: false };

/**
 * Scan a Prometheus float (Go ParseFloat syntax without hex or underscores; NaN/Inf/Infinity in any case,
 * with an optional sign) starting at `a`, stopping at the first character that cannot continue it; the
 * caller checks that this character ends the token. Sets cursor.end and cursor.ok.
 */
export function scanFloat(s: string, a: number): number {
  let i = a;
  let c = s.charCodeAt(i);
  let neg = false;
  cursor.ok = false;
  if (c === 43 || c === 45) {
    neg = c === 45;
    c = s.charCodeAt(++i);
  }
  const lower = c | 0x20;
  if (lower === 105 /* i */ || lower === 110 /* n */) {
    const w = i;
    while (((c | 0x20) >= 97 && (c | 0x20) <= 122)) c = s.charCodeAt(++i);
    cursor.end = i;
    if (matchesWord(s, w, i, 'inf') || matchesWord(s, w, i, 'infinity')) {
      cursor.ok = true;
      return neg ? -Infinity : Infinity;
    }
    cursor.ok = matchesWord(s, w, i, 'nan');
    return NaN;
  }
  let m = 0;
  let exp10 = 0;
  let digits = 0;
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === 46) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      exp10--;
      digits++;
      c = s.charCodeAt(++i);
    }
  }
  if (digits === 0) {
    cursor.end = i;
    return NaN;
  }
  if ((c | 0x20) === 101 /* e */) {
    c = s.charCodeAt(++i);
    let eneg = false;
    if (c === 43 || c === 45) {
      eneg = c === 45;
      c = s.charCodeAt(++i);
    }
    let e = 0;
    let edigits = 0;
    while (c >= 48 && c <= 57) {
      if (e < 100000) e = e * 10 + (c - 48);
      edigits++;
      c = s.charCodeAt(++i);
    }
    cursor.end = i;
    if (edigits === 0) return NaN;
    exp10 += eneg ? -e : e;
  }
  cursor.end = i;
  cursor.ok = true;
  let v: number;
  if (m === 0) v = 0;
  else if (m <= MAX_EXACT && exp10 >= -22 && exp10 <= 22) v = exp10 < 0 ? m / POW10[-exp10] : m * POW10[exp10];
  else v = Number(s.slice(a + (s.charCodeAt(a) === 43 || s.charCodeAt(a) === 45 ? 1 : 0), i));
  return neg ? -v : v;
}

/** Read a float that must span exactly s[a, b); NaN when it does not (check isNaNLiteral for "NaN"). */
export function readFloat(s: string, a: number, b: number): number {
  const v = scanFloat(s, a);
  return cursor.ok && cursor.end === b ? v : NaN;
}

/** True if s[a, b) spells NaN (any case, optional sign), the only float text that reads as NaN. */
export function isNaNLiteral(s: string, a: number, b: number): boolean {
  const c = s.charCodeAt(a);
  if (c === 43 || c === 45) a++;
  return matchesWord(s, a, b, 'nan');
}

/** Read a decimal integer with optional sign from s[a, b); NaN when it is not one. */
export function readInt(s: string, a: number, b: number): number {
  let i = a;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 43 || c === 45) {
    neg = c === 45;
    c = s.charCodeAt(++i);
  }
  if (i >= b) return NaN;
  let v = 0;
  while (i < b) {
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
    c = s.charCodeAt(++i);
  }
  return neg ? -v : v;
}

/** Case-insensitive compare of s[a, b) with a lowercase ASCII word. */
function matchesWord(s: string, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(a + k) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}
