/**
 * The first half of the signal grammar (docs/signals.md): normalizes a message (Unicode NFKC, upper case, emoji and
 * invisible characters to spaces, dashes to `-`, keycap digits to `1)`) and cuts it into lexemes — numbers, bad
 * numbers, percentages, hashtag tags (`#45`), leverage tokens (`10x`, `x7.5`), symbols, keywords, sides, modes,
 * fillers, separators, line breaks and noise words. Nothing with a digit in it is dropped silently: a run that is no
 * number, symbol, leverage, keyword with its number, tag or timeframe (`4h`) — or digits glued by stray punctuation
 * (`68'500`) — is a bad number. Pure; performs no I/O.
 */
import { Decimal } from '../domain/money.ts';
import type { BadNumberProblem, SignalSide } from './types.ts';
import { symbolOfPair, symbolOfWord, type SymbolName } from './symbols.ts';

/** The fields a keyword opens. `margin` (`Cross`, `Isolated`) takes a leverage; `annotation` (`R/R`) swallows its line. */
export type KeywordField = 'entry' | 'target' | 'stop' | 'leverage' | 'margin' | 'mode' | 'annotation';

/** One lexeme of a normalized message; `text` is its upper-case spelling. */
export type Lexeme =
  | { readonly kind: 'nl' }
  | { readonly kind: 'sep'; readonly text: string }
  | { readonly kind: 'number'; readonly text: string; readonly value: Decimal }
  | { readonly kind: 'bad'; readonly text: string; readonly problem: BadNumberProblem }
  /** `annotation`: signed or in brackets (`(+5 %)`), so it comments a value rather than being one. */
  | { readonly kind: 'percent'; readonly text: string; readonly annotation: boolean }
  /** `#45`: a hashtag of digits — a post number outside a clause, never a price inside one. */
  | { readonly kind: 'tag'; readonly text: string }
  | { readonly kind: 'leverage'; readonly text: string; readonly value: Decimal }
  | { readonly kind: 'symbol'; readonly text: string; readonly name: SymbolName }
  | { readonly kind: 'keyword'; readonly field: KeywordField; readonly text: string; readonly plural: boolean; readonly ordinal: number | undefined }
  | { readonly kind: 'side'; readonly side: SignalSide; readonly text: string }
  | { readonly kind: 'mode'; readonly text: string }
  /** A word that may stand between a keyword and its values (`zone`, `at`); `joins` ones separate values (`to`, `and`). */
  | { readonly kind: 'filler'; readonly text: string; readonly joins: boolean }
  | { readonly kind: 'word'; readonly text: string };

/** The most targets a signal may list, and so the largest ordinal (`TP10`). */
export const MAX_TARGETS = 10;
/** The most entries a signal may have (S0-7: two post-only limits), and so the largest entry ordinal. */
export const MAX_ENTRIES = 2;
/** Returns the largest ordinal a field's levels are numbered up to. */
export const maxOrdinal = (field: KeywordField): number => (field === 'entry' ? MAX_ENTRIES : MAX_TARGETS);
/** The most digits a price may have. */
const MAX_DIGITS = 24;

const KEYWORDS: Readonly<Record<string, { readonly field: KeywordField; readonly plural: boolean }>> = {
  ENTRY: { field: 'entry', plural: false },
  ENTER: { field: 'entry', plural: false },
  ENTRIES: { field: 'entry', plural: true },
  TP: { field: 'target', plural: false },
  TARGET: { field: 'target', plural: false },
  TAKEPROFIT: { field: 'target', plural: false },
  TPS: { field: 'target', plural: true },
  TARGETS: { field: 'target', plural: true },
  TAKEPROFITS: { field: 'target', plural: true },
  SL: { field: 'stop', plural: false },
  STOP: { field: 'stop', plural: false },
  STOPLOSS: { field: 'stop', plural: false },
  LEVERAGE: { field: 'leverage', plural: false },
  LEV: { field: 'leverage', plural: false },
  CROSS: { field: 'margin', plural: false },
  ISOLATED: { field: 'margin', plural: false },
  ISO: { field: 'margin', plural: false },
  MARGIN: { field: 'margin', plural: false },
  MODE: { field: 'mode', plural: false },
  RR: { field: 'annotation', plural: false },
  RISK: { field: 'annotation', plural: false },
  REWARD: { field: 'annotation', plural: false },
  RISKREWARD: { field: 'annotation', plural: false },
};

const SIDES: Readonly<Record<string, SignalSide>> = { LONG: 'long', BUY: 'long', SHORT: 'short', SELL: 'short' };

/** Mode words read anywhere in a message: the three S0 follows and the three C-1 refuses. */
export const MODE_WORDS: ReadonlySet<string> = new Set(['SWING', 'DYNAMIC', 'FIXED', 'FAST', 'SCALP', 'SCALPING']);

const FILLERS = new Set(['ZONE', 'PRICE', 'PRICES', 'RANGE', 'AREA', 'POINT', 'POINTS', 'LEVEL', 'LEVELS', 'AT', 'FROM', 'AROUND', 'NEAR', 'BETWEEN', 'LOSS', 'LIMIT', 'ORDER', 'ORDERS', 'MAX', 'UP', 'TYPE']);
const JOINING_FILLERS = new Set(['TO', 'AND', 'OR']);

/** Keyword spellings that may carry an ordinal (`TP1`, `T2`, `ENTRY1`) or a value (`SL95`, `LEV10`) attached. */
const ORDINAL_PREFIXES: Readonly<Record<string, KeywordField>> = { TP: 'target', T: 'target', TARGET: 'target', ENTRY: 'entry' };
const VALUE_PREFIXES: Readonly<Record<string, KeywordField>> = { SL: 'stop', STOP: 'stop', STOPLOSS: 'stop', LEV: 'leverage', LEVERAGE: 'leverage' };

/** Digits followed by these are timeframes or ordinals (`4H`, `15M`, `2ND`): noise, not numbers. */
const NOISE_AFTER_DIGITS = /^\d+(M|MIN|MINS|H|HR|HRS|HOUR|HOURS|D|DAY|DAYS|W|WEEK|WEEKS|ST|ND|RD|TH)$/;

/**
 * Returns the message in the form the lexer reads: NFKC, upper case, `\n` line breaks, keycap digits as `1)`,
 * every dash as `-`, variation selectors removed, and emoji, format characters and other spaces as one space each.
 */
export const normalizeText = (text: string): string =>
  text
    .normalize('NFKC')
    .replace(/\r\n?|[\u0085\u2028\u2029]/g, '\n')
    .replace(/([0-9])\uFE0F?\u20E3/g, '$1)')
    .replace(/[\uFE0E\uFE0F\u20E3]/g, '')
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63]/g, '-')
    .replace(/\p{Extended_Pictographic}|\p{Cf}|[^\S\n]/gu, ' ')
    .toUpperCase();

interface Raw {
  readonly type: 'run' | 'punct' | 'nl';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const isAsciiDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isWordChar = (c: string | undefined): boolean => c !== undefined && /^[A-Z0-9\p{L}\p{M}\p{N}]$/u.test(c);

/** Punctuation that may stand between two digits (`100-102`, `1)105`, `1:3`); any other (`68'500`, `55#.2`) breaks a number. */
const DIGIT_JOINERS = new Set(['-', '/', '~', '|', ';', ':', '(', ')', '=', '@', '&', '+', ' ', '\n']);
/** Whether position `i` holds a character that glues the digits on either side of it into one malformed run. */
const gluesDigits = (chars: ReadonlyArray<string>, i: number): boolean => {
  const c = chars[i];
  if (c === undefined || DIGIT_JOINERS.has(c) || c === '.' || c === ',' || isWordChar(c)) return false;
  const after = chars[i + 1] === '.' ? chars[i + 2] : chars[i + 1];
  return isAsciiDigit(chars[i - 1]) && isAsciiDigit(after);
};

/** Cuts normalized text into runs of word characters (a `.` or `,` between digits stays inside), punctuation and line breaks. */
const scan = (text: string): ReadonlyArray<Raw> => {
  const chars = Array.from(text);
  const out: Raw[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '\n') {
      out.push({ type: 'nl', text: c, start: i, end: i + 1 });
      i += 1;
    } else if (c === ' ') i += 1;
    else if (isWordChar(c) || (c === '.' && isAsciiDigit(chars[i + 1]) && !isWordChar(chars[i - 1]))) {
      const start = i;
      i += 1;
      for (;;) {
        const d = chars[i];
        if (isWordChar(d)) i += 1;
        // `68.5` stays one number; `5386.x6` is one broken run, not a price and a leverage.
        else if ((d === '.' || d === ',') && isAsciiDigit(chars[i - 1]) && (isAsciiDigit(chars[i + 1]) || (d === '.' && isWordChar(chars[i + 1])))) i += 1;
        else if (gluesDigits(chars, i)) i += chars[i + 1] === '.' ? 2 : 1;
        else break;
      }
      out.push({ type: 'run', text: chars.slice(start, i).join(''), start, end: i });
    } else {
      out.push({ type: 'punct', text: c, start: i, end: i + 1 });
      i += 1;
    }
  }
  return out;
};

/** Returns the number a run spells, or why it spells none. */
const numberOf = (text: string): { readonly value: Decimal } | { readonly problem: BadNumberProblem } => {
  // `06`, `007`: a price never starts with a zero unless it is below one; such a run is a number broken apart.
  if (/^(0|[1-9]\d*)(\.\d+)?$|^\.\d+$/.test(text)) {
    if (text.replace('.', '').length > MAX_DIGITS) return { problem: 'too_long' };
    return { value: new Decimal(text) };
  }
  return { problem: text.includes(',') ? 'ambiguous_comma' : 'malformed' };
};

const numberLexeme = (text: string): Lexeme => {
  const n = numberOf(text);
  return 'value' in n ? { kind: 'number', text, value: n.value } : { kind: 'bad', text, problem: n.problem };
};

/** Classifies one run on its own; may give a keyword followed by its attached number. */
const classify = (text: string): ReadonlyArray<Lexeme> => {
  if (/^[\d.,]+$/.test(text)) return [numberLexeme(text)];
  const lev = /^X([\d.,]+)$/.exec(text) ?? /^([\d.,]+)X$/.exec(text);
  if (lev !== null) {
    const n = numberOf(lev[1]!);
    // Written back as the operator knows it: `x6.5`, `10x`.
    return ['value' in n ? { kind: 'leverage', text: text.toLowerCase(), value: n.value } : { kind: 'bad', text: text.toLowerCase(), problem: n.problem }];
  }
  const symbol = symbolOfWord(text);
  if (symbol !== undefined) return [{ kind: 'symbol', text, name: symbol }];
  const keyword = KEYWORDS[text];
  if (keyword !== undefined) return [{ kind: 'keyword', field: keyword.field, text, plural: keyword.plural, ordinal: undefined }];
  const side = SIDES[text];
  if (side !== undefined) return [{ kind: 'side', side, text }];
  if (MODE_WORDS.has(text)) return [{ kind: 'mode', text }];
  if (FILLERS.has(text) || JOINING_FILLERS.has(text)) return [{ kind: 'filler', text, joins: JOINING_FILLERS.has(text) }];
  const attached = /^([A-Z]+)(\d[\d.,]*)(X?)$/.exec(text);
  if (attached !== null) {
    const [, prefix, digits, x] = attached as unknown as [string, string, string, string];
    const ordinalField = ORDINAL_PREFIXES[prefix];
    if (x === 'X') {
      // `LEV6X`, `LEVERAGE10X`: the keyword with its leverage attached.
      if (VALUE_PREFIXES[prefix] === 'leverage') return [{ kind: 'keyword', field: 'leverage', text: prefix, plural: false, ordinal: undefined }, ...classify(`${digits}X`)];
    } else if (ordinalField !== undefined) {
      if (!/^[1-9]\d*$/.test(digits)) return [{ kind: 'bad', text, problem: 'malformed' }];
      const ordinal = Number(digits);
      if (ordinal < 1 || ordinal > maxOrdinal(ordinalField)) return [{ kind: 'bad', text, problem: 'bad_ordinal' }];
      return [{ kind: 'keyword', field: ordinalField, text, plural: false, ordinal }];
    } else {
      const valueField = VALUE_PREFIXES[prefix];
      if (valueField !== undefined) return [{ kind: 'keyword', field: valueField, text: prefix, plural: false, ordinal: undefined }, numberLexeme(digits)];
    }
  }
  // A digit in a word nothing above reads (`AND64236`, `WEB3`, `100USDT`) may be a price run into a word: refused.
  if (/[0-9]/.test(text) && !NOISE_AFTER_DIGITS.test(text)) return [{ kind: 'bad', text, problem: 'malformed' }];
  return [{ kind: 'word', text }];
};

const adjacent = (a: Raw | undefined, b: Raw | undefined): boolean => a !== undefined && b !== undefined && a.end === b.start;

/** A word that takes part in the grammar on its own, and so is never one side of a pair (`TP/SL`, `LONG/SHORT`). */
const isGrammarWord = (text: string): boolean =>
  text in KEYWORDS || text in SIDES || MODE_WORDS.has(text) || FILLERS.has(text) || JOINING_FILLERS.has(text);

const SLASH_KEYWORDS: Readonly<Record<string, KeywordField>> = { 'S/L': 'stop', 'T/P': 'target', 'R/R': 'annotation', 'R:R': 'annotation' };

/** Returns the lexemes of a message. */
export const lex = (text: string): ReadonlyArray<Lexeme> => {
  const raws = scan(normalizeText(text));
  const out: Lexeme[] = [];
  for (let i = 0; i < raws.length; i++) {
    const r = raws[i]!;
    const next = raws[i + 1];
    const after = raws[i + 2];
    if (r.type === 'nl') {
      out.push({ kind: 'nl' });
      continue;
    }
    if (r.type === 'punct') {
      // `#BTCUSDT`, `#BTC/USDT` read as what follows the hash; `#45` and `#WEB3` are tags (a decimal, `#18.5`, is
      // a broken price).
      if (r.text === '#' && next?.type === 'run' && adjacent(r, next)) {
        const tagged = classify(next.text);
        const pairs = after?.type === 'punct' && (after.text === '/' || after.text === '-') && adjacent(next, after);
        if (!pairs && tagged.length === 1 && (tagged[0]!.kind === 'number' || tagged[0]!.kind === 'bad')) {
          out.push(/^[\d.,]+$/.test(next.text) && !/^\d+$/.test(next.text) ? { kind: 'bad', text: `#${next.text}`, problem: 'malformed' } : { kind: 'tag', text: `#${next.text}` });
          i += 1;
        }
      } else out.push({ kind: 'sep', text: r.text });
      continue;
    }
    // Two runs joined by `/` (or `-` before a quote): `S/L`, `R/R`, `BTC/USDT`, `BTC-USDT`.
    if (next?.type === 'punct' && (next.text === '/' || next.text === '-' || next.text === ':') && after?.type === 'run' && adjacent(r, next) && adjacent(next, after)) {
      const joined = `${r.text}${next.text}${after.text}`;
      const slashKeyword = SLASH_KEYWORDS[joined];
      if (slashKeyword !== undefined) {
        out.push({ kind: 'keyword', field: slashKeyword, text: joined, plural: false, ordinal: undefined });
        i += 2;
        continue;
      }
      const pair = next.text === ':' || isGrammarWord(r.text) || isGrammarWord(after.text) ? undefined : symbolOfPair(r.text, after.text);
      if (pair !== undefined && (next.text === '/' || pair.quote === after.text)) {
        out.push({ kind: 'symbol', text: joined, name: pair });
        i += 2;
        continue;
      }
    }
    // `Take profit`, `Take-profit`: one keyword.
    if (r.text === 'TAKE') {
      const gap = next?.type === 'punct' && next.text === '-' && adjacent(r, next) ? 1 : 0;
      const word = raws[i + 1 + gap];
      if (word?.type === 'run' && (word.text === 'PROFIT' || word.text === 'PROFITS')) {
        out.push({ kind: 'keyword', field: 'target', text: `TAKE ${word.text}`, plural: word.text === 'PROFITS', ordinal: undefined });
        i += 1 + gap;
        continue;
      }
    }
    // `5%` and the house style's `5 %` alike.
    if (next?.type === 'punct' && next.text === '%' && /^[\d.,]+$/.test(r.text)) {
      // Only a sign or bracket right against the number makes it a comment: `(+5 %)`, `-2%`, but not `100 - 5%`.
      const before = raws[i - 1];
      const joined = adjacent(raws[i - 2], before) && raws[i - 2]?.type === 'run';
      const annotation = before?.type === 'punct' && adjacent(before, r) && !joined && ['+', '-', '(', '~', '±'].includes(before.text);
      // `17.15%X`: a percent run into a word is a broken leverage or price, not a comment.
      if (after?.type === 'run' && adjacent(next, after)) out.push({ kind: 'bad', text: `${r.text}%${after.text}`, problem: 'malformed' });
      else out.push({ kind: 'percent', text: `${r.text}%`, annotation });
      i += 1;
      continue;
    }
    out.push(...classify(r.text));
  }
  return out;
};
