// Comment and metadata lines (# HELP, # TYPE, # UNIT, # EOF and plain comments) of the exposition lexer.

import { CLASS, CR, LF, NAME_CHAR, NAME_START, SPACE, TAB } from './chars.ts';
import { detachString } from './labels.ts';
import { Entry, LexerState } from './lexer-state.ts';
import type { MetaLine } from './meta-memo.ts';
import { toMetricType } from './metric-type.ts';

export class MetaLexer extends LexerState {
  protected lexComment(i: number): Entry {
    const s = this.s;
    const hash = i - 1;
    if (this.memo !== undefined) {
      const m = this.memo.match(s, hash);
      if (m !== undefined) return this.applyMeta(m, hash);
    }
    let c = s.charCodeAt(i);
    const afterHash = i;
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if (i > afterHash) {
      const kw = i;
      if (c === 72 /* H */ && this.keywordAt(kw, 'HELP')) return this.lexMeta(kw + 4, Entry.Help, hash);
      if (c === 84 /* T */ && this.keywordAt(kw, 'TYPE')) return this.lexMeta(kw + 4, Entry.Type, hash);
      if (c === 85 /* U */ && this.keywordAt(kw, 'UNIT')) return this.lexMeta(kw + 4, Entry.Unit, hash);
      if (c === 69 /* E */ && this.om && this.keywordAt(kw, 'EOF')) return this.lexEof(kw + 3);
    }
    const end = this.lineEndFrom(i);
    this.textStart = i;
    this.textEnd = this.trimCR(end);
    this.pos = end + 1;
    this.remember(hash, end, Entry.Comment);
    return Entry.Comment;
  }

  /** Accept a metadata line equal to one remembered from the previous payload. */
  private applyMeta(m: MetaLine, hash: number): Entry {
    this.metaStart = hash + m.nameStart;
    this.metaEnd = hash + m.nameEnd;
    this.textStart = hash + m.textStart;
    this.textEnd = hash + m.textEnd;
    this.lastMetaName = m.name;
    if (m.kind === Entry.Type) {
      this.metaType = m.type;
      this.famStart = this.metaStart;
      this.famEnd = this.metaEnd;
      this.famName = m.name;
      this.famType = m.type;
    }
    this.pos = hash + m.text.length + 1;
    return m.kind;
  }

  private remember(hash: number, end: number, kind: Entry): void {
    if (this.memo === undefined || end >= this.inputLength) return;
    const name = kind === Entry.Comment ? '' : detachString(this.s.slice(this.metaStart, this.metaEnd));
    this.memo.record({
      text: detachString(this.s.slice(hash, end)),
      kind,
      nameStart: this.metaStart - hash,
      nameEnd: this.metaEnd - hash,
      textStart: this.textStart - hash,
      textEnd: this.textEnd - hash,
      name,
      type: kind === Entry.Type ? this.metaType : 'untyped',
    });
  }

  /** True when `word` sits at i followed by a blank, end of line or end of input. */
  private keywordAt(i: number, word: string): boolean {
    if (!this.s.startsWith(word, i)) return false;
    const c = this.s.charCodeAt(i + word.length);
    return c !== c || c === SPACE || c === TAB || c === LF || c === CR;
  }

  private lexMeta(i: number, kind: Entry, hash: number): Entry {
    const s = this.s;
    let c = s.charCodeAt(i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++i);
    if ((CLASS[c] & NAME_START) === 0) return this.fail('metric name', i);
    const ns = i;
    // HELP and TYPE lines of a family name it twice: compare with the previous one (memcmp) first.
    const prev = this.lastMetaName;
    if (prev.length > 0 && s.slice(ns, ns + prev.length) === prev) i = ns + prev.length;
    else i++;
    c = s.charCodeAt(i);
    while ((CLASS[c] & NAME_CHAR) !== 0) c = s.charCodeAt(++i);
    if (c === c && c !== SPACE && c !== TAB && c !== LF && c !== CR) return this.fail('metric name', ns);
    this.metaStart = ns;
    this.metaEnd = i;
    this.lastMetaName = s.slice(ns, i);
    const end = this.lineEndFrom(i);
    // The text starts after exactly one blank, as in Prometheus: further blanks belong to the text.
    this.textStart = c === SPACE || c === TAB ? i + 1 : i;
    this.textEnd = Math.max(this.textStart, this.trimCR(end));
    if (kind === Entry.Type) {
      let ws = i;
      while (ws < end && (s.charCodeAt(ws) === SPACE || s.charCodeAt(ws) === TAB)) ws++;
      let we = ws;
      while (we < end && s.charCodeAt(we) !== SPACE && s.charCodeAt(we) !== TAB && s.charCodeAt(we) !== CR) we++;
      const type = ws === we ? undefined : toMetricType(s.slice(ws, we));
      if (type === undefined) return this.fail('metric type', ws);
      let tail = we;
      while (tail < end && (s.charCodeAt(tail) === SPACE || s.charCodeAt(tail) === TAB || s.charCodeAt(tail) === CR)) tail++;
      if (tail < end) return this.fail('end of line', tail);
      this.metaType = type;
      this.famStart = ns;
      this.famEnd = i;
      this.famName = s.slice(ns, i);
      this.famType = type;
    }
    this.pos = end + 1;
    this.remember(hash, end, kind);
    return kind;
  }

  private lexEof(i: number): Entry {
    const s = this.s;
    const end = this.lineEndFrom(i);
    for (let k = i; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c !== SPACE && c !== TAB && c !== CR) return this.fail('end of line', k);
    }
    this.done = true;
    for (let k = end + 1; k < this.n; k++) {
      const c = s.charCodeAt(k);
      if (c === SPACE || c === TAB || c === CR || c === LF) continue;
      this.moveTo(k);
      return this.fail('end of input', k);
    }
    this.pos = this.n;
    return Entry.End;
  }
}
