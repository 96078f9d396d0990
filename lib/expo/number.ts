// Float and integer reading over a range of the payload without slicing it. A decimal with at most
// 2^53 as mantissa and |exponent| <= 22 is converted exactly with one multiply or divide (Clinger's fast
// path: both operands are exact doubles, so the single rounding is the correct one); anything else falls
// back to Number() on a slice, which is rare in real expositions.

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT = 9007199254740992;

/**
 * Read a Prometheus float (Go ParseFloat syntax without hex or underscores; NaN/Inf/Infinity in any case,
 * with an optional sign) from s[a, b). Returns NaN when the text is not a float; callers tell that apart
 * from a literal NaN with `isNaNLiteral` (NaN samples are rare, so the check stays off the hot path).
 */
export function readFloat(s: string, a: number, b: number): number {
  let i = a;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 43 || c === 45) {
    neg = c === 45;
    c = s.charCodeAt(++i);
  }
  if (i >= b) return NaN;
  const lower = c | 0x20;
  if (lower === 105 /* i */) {
    if (matchesWord(s, i, b, 'inf') || matchesWord(s, i, b, 'infinity')) return neg ? -Infinity : Infinity;
    return NaN;
  }
  let m = 0;
  let exp10 = 0;
  let digits = 0;
  while (c >= 48 && c <= 57 && i < b) {
    m = m * 10 + (c - 48);
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === 46 && i < b) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57 && i < b) {
      m = m * 10 + (c - 48);
      exp10--;
      digits++;
      c = s.charCodeAt(++i);
    }
  }
  if (digits === 0) return NaN;
  if ((c | 0x20) === 101 /* e */ && i < b) {
    c = s.charCodeAt(++i);
    let eneg = false;
    if (c === 43 || c === 45) {
      eneg = c === 45;
      c = s.charCodeAt(++i);
    }
    let e = 0;
    let edigits = 0;
    while (c >= 48 && c <= 57 && i < b) {
      if (e < 100000) e = e * 10 + (c - 48);
      edigits++;
      c = s.charCodeAt(++i);
    }
    if (edigits === 0) return NaN;
    exp10 += eneg ? -e : e;
  }
  if (i !== b) return NaN;
  let v: number;
  if (m === 0) v = 0;
  else if (m <= MAX_EXACT && exp10 >= -22 && exp10 <= 22) v = exp10 < 0 ? m / POW10[-exp10] : m * POW10[exp10];
  else v = Number(s.slice(neg || s.charCodeAt(a) === 43 ? a + 1 : a, b));
  return neg ? -v : v;
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
