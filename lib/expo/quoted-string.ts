// PromQL string literals: "…" and '…' with Go escapes, `…` raw. Used by the selector parser.

export type QuotedResult = { value: string; end: number } | { expected: string; at: number };

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** Read the literal starting at `i` (its opening quote). `end` is the index after the closing quote. */
export function readQuoted(text: string, i: number): QuotedResult {
  const quote = text[i];
  if (quote !== '"' && quote !== "'" && quote !== '`') return { expected: 'quoted string', at: i };
  let out = '';
  let k = i + 1;
  while (k < text.length) {
    const ch = text[k];
    if (ch === quote) return { value: out, end: k + 1 };
    if (ch === '\n' && quote !== '`') break;
    if (ch !== '\\' || quote === '`') {
      out += ch;
      k++;
      continue;
    }
    const esc = text[k + 1];
    if (esc !== undefined && SIMPLE[esc] !== undefined) {
      out += SIMPLE[esc];
      k += 2;
      continue;
    }
    const digits = esc === 'x' ? 2 : esc === 'u' ? 4 : esc === 'U' ? 8 : esc !== undefined && esc >= '0' && esc <= '7' ? 3 : 0;
    const hex = esc === 'x' || esc === 'u' || esc === 'U';
    const body = text.slice(hex ? k + 2 : k + 1, (hex ? k + 2 : k + 1) + digits);
    const valid = digits > 0 && body.length === digits && (hex ? /^[0-9a-fA-F]+$/ : /^[0-7]+$/).test(body);
    const code = valid ? parseInt(body, hex ? 16 : 8) : NaN;
    if (!valid || code > 0x10ffff || (!hex && code > 255)) return { expected: 'valid escape sequence', at: k };
    out += String.fromCodePoint(code);
    k = (hex ? k + 2 : k + 1) + digits;
  }
  return { expected: `closing ${quote}`, at: k };
}
