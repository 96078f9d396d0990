// Parser of the built-in Prometheus stand-in's PromQL subset (see ./promql.ts for what is supported).
import { parseSelector, type Selector } from '../../expo/index.ts';
import { parseDuration } from '../../duration.ts';

export type Node =
  | { kind: 'number'; value: number }
  | { kind: 'selector'; selector: Selector; rangeMs?: number }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'agg'; op: string; by?: string[]; without?: string[]; expr: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

export class QueryError extends Error {}

const AGGS = new Set(['sum', 'avg', 'min', 'max', 'count']);

/** Parse an expression; throws QueryError with the position. */
export function parseQuery(text: string): Node {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw new QueryError(`parse error at char ${i + 1}: ${what} in ${JSON.stringify(text)}`);
  };
  const ident = (): string => {
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text.slice(i));
    return m ? m[0] : '';
  };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c) fail(`expected "${c}"`);
    i++;
  };
  const labelList = (): string[] => {
    expect('(');
    const out: string[] = [];
    ws();
    while (text[i] !== ')') {
      const name = ident();
      if (!name) fail('expected a label name');
      out.push(name);
      i += name.length;
      ws();
      if (text[i] === ',') i++;
      ws();
    }
    i++;
    return out;
  };
  const selectorEnd = (from: number): number => {
    let j = from;
    let quote = '';
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '}') return j + 1;
    }
    return fail('unterminated "{"');
  };
  const primary = (): Node => {
    ws();
    const num = /^[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?/i.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'number', value: Number(num[0]) };
    }
    if (text[i] === '(') {
      i++;
      const inner = expr();
      expect(')');
      return inner;
    }
    const name = ident();
    const after = i + name.length;
    let j = after;
    while (j < text.length && /\s/.test(text[j])) j++;
    if (name && AGGS.has(name) && (text[j] === '(' || /^(by|without)\b/.test(text.slice(j)))) {
      i = j;
      const node: Node & { kind: 'agg' } = { kind: 'agg', op: name, expr: { kind: 'number', value: 0 } };
      const grouping = () => {
        ws();
        const g = /^(by|without)\b/.exec(text.slice(i));
        if (g) {
          i += g[0].length;
          node[g[1] as 'by' | 'without'] = labelList();
        }
      };
      grouping();
      expect('(');
      node.expr = expr();
      expect(')');
      grouping();
      return node;
    }
    if (name && text[j] === '(' && !name.includes(':')) {
      i = j + 1;
      const args: Node[] = [];
      ws();
      while (text[i] !== ')') {
        args.push(expr());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail('expected "," or ")"');
      }
      i++;
      return { kind: 'call', fn: name, args };
    }
    if (!name && text[i] !== '{') fail('expected a number, selector, function or "("');
    const end = text[after] === '{' ? selectorEnd(after) : after;
    let selector: Selector;
    try {
      selector = parseSelector(text.slice(i, end));
    } catch (err) {
      throw new QueryError(`bad selector ${text.slice(i, end)}: ${(err as Error).message}`);
    }
    i = end;
    ws();
    let rangeMs: number | undefined;
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail('unterminated "["');
      try {
        rangeMs = parseDuration(text.slice(i + 1, close));
      } catch (err) {
        throw new QueryError(`bad range: ${(err as Error).message}`);
      }
      i = close + 1;
    }
    return { kind: 'selector', selector, rangeMs };
  };
  const binary = (next: () => Node, ops: string): (() => Node) => () => {
    let left = next();
    for (;;) {
      ws();
      const op = text[i];
      if (!op || !ops.includes(op)) return left;
      i++;
      left = { kind: 'binary', op, left, right: next() };
    }
  };
  const term = binary(primary, '*/');
  const expr = binary(term, '+-');
  const node = expr();
  ws();
  if (i < text.length) fail('unexpected text');
  return node;
}

