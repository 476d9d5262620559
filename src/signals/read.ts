/**
 * The second half of the signal grammar (docs/signals.md): reads the lexemes of a message into what it says —
 * sides, symbols, modes, and the values of its entry, target, stop and leverage clauses — without judging whether
 * that makes a signal. A clause is a keyword, an optional ordinal (`TP1`, `TP 1:`, `Target 2 -`), then numbers
 * separated by punctuation or `to`/`and`/`or`; entry and target lists continue on the following lines that start
 * with a number (`1) 105`). Every number that belongs to no clause is kept as a stray. Pure; performs no I/O.
 */
import type { Decimal } from '../domain/money.ts';
import type { BadNumberProblem, SignalField, SignalSide } from './types.ts';
import { maxOrdinal, type KeywordField, type Lexeme } from './lexer.ts';
import type { SymbolName } from './symbols.ts';

/** One value a clause gave, with the ordinal it was written under (`TP2` → 2). */
export interface Level {
  readonly value: Decimal;
  readonly text: string;
  readonly ordinal: number | undefined;
}

/** Everything a message says, before any judgement. */
export interface Reading {
  readonly sides: SignalSide[];
  readonly symbols: SymbolName[];
  /** Mode words as written (upper case), the refused ones and any word after `Mode:` included. */
  readonly modes: string[];
  readonly entries: Level[];
  readonly targets: Level[];
  readonly stops: Level[];
  readonly leverages: Level[];
  readonly bad: Array<{ readonly text: string; readonly problem: BadNumberProblem }>;
  /** Numbers that belong to no clause. */
  readonly strays: string[];
  /** Clauses that gave two values for one ordinal (`TP1: 105, 107`). */
  readonly ambiguous: Array<{ readonly field: SignalField; readonly values: ReadonlyArray<string> }>;
  /** Fields whose keyword came with no value (`SL:` and nothing readable): a level meant but lost. */
  readonly empty: SignalField[];
  /** Whether the message has a side, entry, target or stop word at all. */
  signalWords: boolean;
}

type ValueField = 'entry' | 'target' | 'stop' | 'leverage';

/** The separators that end an ordinal: `TP 1: 105`, `1) 105`, `2. 107`; a dash only right after a singular keyword. */
const ORDINAL_MARKS = new Set([':', ')', '.', '=']);

/** Separators that join a range or list and so need a value after them. */
const RANGE_JOINERS = new Set(['-', '~', '/']);

const FIELD_NAMES: Readonly<Record<ValueField, SignalField>> = { entry: 'entry', target: 'targets', stop: 'stopLoss', leverage: 'leverage' };

/** Reads a message's lexemes. */
export const read = (lexemes: ReadonlyArray<Lexeme>): Reading => {
  const r: Reading = { sides: [], symbols: [], modes: [], entries: [], targets: [], stops: [], leverages: [], bad: [], strays: [], ambiguous: [], empty: [], signalWords: false };
  const at = (j: number): Lexeme | undefined => lexemes[j];
  const listOf = (field: ValueField): Level[] => (field === 'entry' ? r.entries : field === 'target' ? r.targets : field === 'stop' ? r.stops : r.leverages);

  /** Returns the first index from `j` that is not one of the skipped lexemes (never crossing a line break). */
  const skip = (j: number, skipped: (lx: Lexeme) => boolean): number => {
    let k = j;
    while (k < lexemes.length && skipped(lexemes[k]!)) k += 1;
    return k;
  };
  const isSep = (lx: Lexeme): boolean => lx.kind === 'sep';
  const isLead = (lx: Lexeme): boolean => lx.kind === 'sep' || (lx.kind === 'filler' && !lx.joins);

  /**
   * Returns the ordinal written at `j` (`1` of `1) 105`) and the index of its value, when `j` holds a one- or
   * two-digit integer, then one of `marks`, then (after separators) a number.
   */
  const ordinalAt = (j: number, marks: ReadonlySet<string>): { readonly ordinal: number; readonly valueAt: number; readonly text: string } | undefined => {
    const n = at(j);
    const mark = at(j + 1);
    if (n?.kind !== 'number' || !/^\d{1,2}$/.test(n.text) || mark?.kind !== 'sep' || !marks.has(mark.text)) return undefined;
    const valueAt = skip(j + 2, isSep);
    return at(valueAt)?.kind === 'number' ? { ordinal: Number(n.text), valueAt, text: n.text } : undefined;
  };

  const ordinalOk = (o: { readonly ordinal: number; readonly text: string }, field: ValueField): boolean => {
    if (o.ordinal >= 1 && o.ordinal <= maxOrdinal(field)) return true;
    r.bad.push({ text: o.text, problem: 'bad_ordinal' });
    return false;
  };

  /** Reads the values of a clause from `j`; returns the index after them. */
  const values = (j: number, field: ValueField, clauseOrdinal: number | undefined): number => {
    const list = listOf(field);
    const isList = field === 'entry' || field === 'target';
    let pending = clauseOrdinal;
    let count = 0;
    // Once a list numbers its values (`1) 105`), a value without a number is a line run into the one above it.
    let numbered = 0;
    const unnumbered: string[] = [];
    let separated = true;
    // A range or list joiner after the last value (`100 -`, `100 to`) promised a value that never came.
    let dangling: string | undefined;
    let last = '';
    let k = j;
    const push = (value: Decimal, text: string): void => {
      if (count > 0 && !separated) r.bad.push({ text: `${last} ${text}`, problem: 'no_separator' });
      if (value.isZero()) r.bad.push({ text, problem: 'zero' });
      // A second value under one written ordinal (`TP1: 105, 107`), or of a stop or leverage, says two things of one.
      if (count > 0 && ((pending === undefined && clauseOrdinal !== undefined) || !isList)) r.ambiguous.push({ field: FIELD_NAMES[field], values: [last, text] });
      if (pending === undefined) unnumbered.push(text);
      else numbered += 1;
      list.push({ value, text, ordinal: pending });
      pending = undefined;
      count += 1;
      separated = false;
      dangling = undefined;
      last = text;
    };
    for (;;) {
      const lx = at(k);
      if (lx === undefined) break;
      if (lx.kind === 'sep') {
        separated = true;
        if (count > 0 && RANGE_JOINERS.has(lx.text)) dangling = lx.text;
      } else if (lx.kind === 'filler') {
        separated ||= lx.joins && count > 0;
        if (lx.joins && count > 0) dangling = lx.text;
      } else if (lx.kind === 'percent') {
        // `105 (+5 %)` annotates a value; a level written as a percentage (`SL: 5%`, `TP: 105, 107%`) is no price.
        if (count === 0 || !lx.annotation) r.bad.push({ text: lx.text, problem: 'percent_level' });
        separated = true;
        dangling = undefined;
      } else if (lx.kind === 'tag') {
        r.bad.push({ text: lx.text, problem: 'malformed' });
        separated = false;
      } else if (lx.kind === 'number' || (lx.kind === 'leverage' && field === 'leverage')) {
        // `Targets:1) 105`: an ordinal inside a list is never a price.
        const marked = isList && pending === undefined ? ordinalAt(k, ORDINAL_MARKS) : undefined;
        if (marked !== undefined) {
          if (ordinalOk(marked, field)) pending = marked.ordinal;
          k = marked.valueAt;
          separated = true;
          continue;
        }
        // `1)` with no value after it on its line: a number, never a price.
        const mark = at(k + 1);
        if (isList && /^\d{1,2}$/.test(lx.text) && mark?.kind === 'sep' && mark.text === ')') {
          r.bad.push({ text: `${lx.text})`, problem: 'malformed' });
          k += 2;
          continue;
        }
        push(lx.value, lx.text);
      } else if (lx.kind === 'bad') {
        r.bad.push({ text: lx.text, problem: lx.problem });
        separated = false;
      } else if (lx.kind === 'keyword' && lx.field === 'margin' && field === 'leverage') separated = true;
      else if (lx.kind === 'nl') {
        // Lists continue on lines that start with a number (`1) 105`, `- 107`); a stop or leverage only when its
        // own line gave no value (`SL:` then `95`).
        if (!isList && count > 0) break;
        const m = skip(k + 1, isSep);
        const starts = at(m);
        // A line of a list that is a bare percentage (`107%`) is a level written as one; `(+5 %)` is a comment.
        if (isList && starts?.kind === 'percent' && !starts.annotation) r.bad.push({ text: starts.text, problem: 'percent_level' });
        if (starts?.kind !== 'number') break;
        const marked = isList ? ordinalAt(m, ORDINAL_MARKS) : undefined;
        if (marked !== undefined && ordinalOk(marked, field)) pending = marked.ordinal;
        k = marked === undefined ? m : marked.valueAt;
        separated = true;
        continue;
      } else break;
      k += 1;
    }
    if (numbered > 0 && unnumbered.length > 0 && clauseOrdinal === undefined) r.ambiguous.push({ field: FIELD_NAMES[field], values: unnumbered });
    if (dangling !== undefined) r.bad.push({ text: `${last} ${dangling.toLowerCase()}`, problem: 'malformed' });
    return k;
  };

  /**
   * Reads the values of a keyword's clause like `values`, and notes the field as empty when it gave none — unless the
   * next keyword is of the same field and carries them (`Take profit targets: …`).
   */
  const valuesOf = (j: number, field: ValueField, clauseOrdinal: number | undefined): number => {
    const before = listOf(field).length;
    const k = values(j, field, clauseOrdinal);
    const next = at(skip(k, isSep));
    const carried = clauseOrdinal === undefined && next?.kind === 'keyword' && next.field === field && next.ordinal === undefined;
    if (listOf(field).length === before && !carried) r.empty.push(FIELD_NAMES[field]);
    return k;
  };

  /** Reads the clause a keyword opens at `i`; returns the index after it. */
  const clause = (lx: Extract<Lexeme, { kind: 'keyword' }>, i: number): number => {
    const field: KeywordField = lx.field;
    const j = i + 1;
    switch (field) {
      case 'annotation':
        // `R/R 1:3`, `Risk 2 %`: the rest of the line up to the next keyword is commentary.
        return skip(j, (x) => x.kind === 'sep' || x.kind === 'number' || x.kind === 'percent' || x.kind === 'filler' || x.kind === 'word');
      case 'mode': {
        const k = skip(j, isLead);
        const v = at(k);
        if (v?.kind === 'mode' || v?.kind === 'word' || v?.kind === 'number') {
          r.modes.push(v.text);
          return k + 1;
        }
        return k;
      }
      case 'margin': {
        // `Margin mode: Cross 10x`, `Isolated (x5)`: the margin words themselves say nothing S0 uses.
        const k = skip(j, (x) => isLead(x) || (x.kind === 'keyword' && (x.field === 'margin' || x.field === 'mode' || x.field === 'leverage')));
        const v = at(k);
        if (v?.kind === 'percent') r.bad.push({ text: v.text, problem: 'percent_level' });
        return v?.kind === 'number' || v?.kind === 'leverage' ? values(k, 'leverage', undefined) : k;
      }
      case 'leverage':
        return valuesOf(skip(j, (x) => isLead(x) || (x.kind === 'keyword' && x.field === 'margin')), 'leverage', undefined);
      case 'stop':
        r.signalWords = true;
        return valuesOf(j, 'stop', undefined);
      case 'entry':
      case 'target': {
        r.signalWords = true;
        if (lx.ordinal !== undefined || lx.plural) return valuesOf(j, field, lx.ordinal);
        const marks = field === 'target' ? new Set([...ORDINAL_MARKS, '-']) : ORDINAL_MARKS;
        const spaced = ordinalAt(j, marks);
        if (spaced === undefined) return valuesOf(j, field, undefined);
        return valuesOf(spaced.valueAt, field, ordinalOk(spaced, field) ? spaced.ordinal : undefined);
      }
    }
  };

  let i = 0;
  while (i < lexemes.length) {
    const lx = lexemes[i]!;
    switch (lx.kind) {
      case 'side': {
        r.sides.push(lx.side);
        r.signalWords = true;
        // `Buy @ 100`, `LONG 100-102`, `Sell zone: 100 - 102`: a side followed by numbers gives the entries.
        const k = skip(i + 1, isLead);
        i = at(k)?.kind === 'number' ? values(k, 'entry', undefined) : i + 1;
        break;
      }
      case 'keyword':
        i = clause(lx, i);
        break;
      case 'mode':
        r.modes.push(lx.text);
        i += 1;
        break;
      case 'symbol':
        r.symbols.push(lx.name);
        i += 1;
        break;
      case 'leverage':
        r.leverages.push({ value: lx.value, text: lx.text, ordinal: undefined });
        if (lx.value.isZero()) r.bad.push({ text: lx.text, problem: 'zero' });
        i += 1;
        break;
      case 'number':
        r.strays.push(lx.text);
        i += 1;
        break;
      case 'bad':
        r.bad.push({ text: lx.text, problem: lx.problem });
        i += 1;
        break;
      default:
        i += 1;
    }
  }
  return r;
};
