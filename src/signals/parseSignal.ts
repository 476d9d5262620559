/**
 * The strict S0 signal parser (S0-1, S0-3, C-1; grammar in docs/signals.md): reads a channel message, judges what it
 * says in a fixed order — length, chatter, mode, quote, numbers, ambiguity, missing fields, level counts, the
 * instrument, the levels against each other, then the leverage policy (S0-4, S0-5) — and returns either a signal
 * whose every price is on the instrument's tick and on its side of the entries, or one typed refusal. Entries snap to
 * the passive side (a long's down, a short's up: never a worse fill than asked); targets and the stop snap to the
 * nearest tick. Never throws for any string. Pure apart from hashing; performs no I/O.
 */
import { createHash } from 'node:crypto';
import { Decimal } from '../domain/money.ts';
import { roundPrice, roundPriceForSide } from '../domain/rounding.ts';
import type { Instrument } from '../domain/Instrument.ts';
import { leveragePolicy } from './leverage.ts';
import { lex, MAX_ENTRIES, MAX_TARGETS } from './lexer.ts';
import { read, type Level, type Reading } from './read.ts';
import { TRADED_QUOTE } from './symbols.ts';
import { SIGNAL_MODES, type BadNumberProblem, type ParseContext, type Signal, type SignalField, type SignalMode, type SignalRefusal, type SignalResult, type SignalSide } from './types.ts';

/** The longest message read, in UTF-16 code units: Telegram's own limit for a message text. */
export const MAX_SIGNAL_LENGTH = 4096;

/**
 * How far from the first entry any level may lie: 50 %. A target or stop beyond is a typo (`6900` for `69000`) far
 * more often than a plan, and at S0's leverage it would be no plan at all.
 */
export const MAX_LEVEL_DISTANCE = new Decimal('0.5');

/** Returns the sha256 (hex) of a raw message, the key dedupe uses. */
export const rawTextHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A refusal on its way out: the outcome of one check, or nothing when the check passed. */
type Check<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SignalRefusal };
const pass = <T>(value: T): Check<T> => ({ ok: true, value });
const fail = (error: SignalRefusal): Check<never> => ({ ok: false, error });

const distinct = <T>(items: ReadonlyArray<T>, key: (t: T) => string): T[] => {
  const seen = new Map<string, T>();
  for (const t of items) if (!seen.has(key(t))) seen.set(key(t), t);
  return [...seen.values()];
};
const decimalKey = (l: Level): string => l.value.toString();

/** Whether a value from the instrument lookup is a usable positive Decimal. */
const isPositive = (d: unknown): d is Decimal => Decimal.isDecimal(d) && d.isFinite() && d.gt(0);

const isSignalMode = (m: string): m is SignalMode => (SIGNAL_MODES as ReadonlyArray<string>).includes(m);

/** The first field read twice with different values, as an Ambiguous refusal. */
const ambiguity = (r: Reading, symbol: string | undefined): SignalRefusal | undefined => {
  const twice = (field: SignalField | 'number', values: ReadonlyArray<string>): SignalRefusal | undefined =>
    values.length > 1 ? { _tag: 'Ambiguous', field, values, symbol } : undefined;
  const ordinalConflict = (field: SignalField, levels: ReadonlyArray<Level>): SignalRefusal | undefined => {
    for (const l of levels) {
      const other = levels.find((o) => o.ordinal !== undefined && o.ordinal === l.ordinal && !o.value.eq(l.value));
      if (other !== undefined) return { _tag: 'Ambiguous', field, values: [l.text, other.text], symbol };
    }
    return undefined;
  };
  const clause = r.ambiguous[0];
  return (
    (r.strays.length > 0 ? { _tag: 'Ambiguous', field: 'number', values: r.strays, symbol } : undefined) ??
    twice('side', distinct(r.sides, (s) => s)) ??
    twice('symbol', distinct(r.symbols, (s) => s.symbol).map((s) => s.symbol)) ??
    twice('mode', distinct(r.modes, (m) => m)) ??
    (clause === undefined ? undefined : { _tag: 'Ambiguous', field: clause.field, values: clause.values, symbol }) ??
    ordinalConflict('entry', r.entries) ??
    ordinalConflict('targets', r.targets) ??
    twice('stopLoss', distinct(r.stops, decimalKey).map((l) => l.text)) ??
    twice('leverage', distinct(r.leverages, decimalKey).map((l) => l.text))
  );
};

/** What the reading says once it is unambiguous and complete: the Signal's names, its numbers still as read. */
type Said = Pick<Signal, 'symbol' | 'baseAsset' | 'side' | 'mode'> & {
  readonly entries: ReadonlyArray<Level>;
  readonly targets: ReadonlyArray<Level>;
  readonly stop: Level | undefined;
  readonly leverage: Level | undefined;
};

/** Judges a reading up to the instrument: chatter, mode, quote, numbers, ambiguity, missing fields, counts. */
const judge = (r: Reading, ctx: ParseContext): Check<Said> => {
  const named = r.symbols.find((s) => s.quote === TRADED_QUOTE) ?? r.symbols[0];
  const symbol = named?.symbol;
  if (!r.signalWords) return fail({ _tag: 'NotASignal', symbol });
  const refusedMode = r.modes.find((m) => !isSignalMode(m));
  if (refusedMode !== undefined) return fail({ _tag: 'ModeRefused', mode: refusedMode, symbol });
  const otherQuote = r.symbols.find((s) => s.quote !== TRADED_QUOTE);
  if (otherQuote !== undefined) return fail({ _tag: 'QuoteRefused', quote: otherQuote.quote, symbol: otherQuote.symbol });
  const bad = r.bad[0];
  if (bad !== undefined) return fail({ _tag: 'BadNumber', token: bad.text, problem: bad.problem, symbol });
  const ambiguous = ambiguity(r, symbol);
  if (ambiguous !== undefined) return fail(ambiguous);
  const side = r.sides[0];
  const mode = (r.modes[0] as SignalMode | undefined) ?? ctx.defaultMode;
  const missing: SignalField[] = [];
  if (named === undefined) missing.push('symbol');
  if (side === undefined) missing.push('side');
  if (mode === undefined) missing.push('mode');
  if (r.entries.length === 0) missing.push('entry');
  if (r.targets.length === 0) missing.push('targets');
  // A keyword whose value could not be read (`SL:` and nothing) is a level lost, not a level left out.
  for (const field of r.empty) if (!missing.includes(field)) missing.push(field);
  if (named === undefined || side === undefined || mode === undefined || missing.length > 0) return fail({ _tag: 'MissingField', fields: missing, symbol });
  const entries = distinct(r.entries, decimalKey);
  if (entries.length > MAX_ENTRIES) return fail({ _tag: 'TooManyLevels', field: 'entry', count: entries.length, limit: MAX_ENTRIES, symbol });
  // A numbered target written twice (`TP1: 105` in a header and again below) is one target.
  const targets = distinct(r.targets, (l) => (l.ordinal === undefined ? `#${String(r.targets.indexOf(l))}` : `${String(l.ordinal)}:${l.value.toString()}`));
  if (targets.length > MAX_TARGETS) return fail({ _tag: 'TooManyLevels', field: 'targets', count: targets.length, limit: MAX_TARGETS, symbol });
  return pass({ symbol: named.symbol, baseAsset: named.base, side, mode, entries, targets, stop: r.stops[0], leverage: r.leverages[0] });
};

/** A price of the signal on the instrument's tick, with the text it was written as. */
interface Snapped {
  readonly price: Decimal;
  readonly level: Level;
}

/** Returns why a price on the tick cannot be used on the instrument, or undefined when it can. */
const priceProblem = (price: Decimal, instrument: Instrument): BadNumberProblem | undefined =>
  price.lte(0)
    ? 'zero'
    : (isPositive(instrument.minPrice) && price.lt(instrument.minPrice)) || (isPositive(instrument.maxPrice) && price.gt(instrument.maxPrice))
      ? 'out_of_range'
      : undefined;

/** Snaps levels to the tick and checks each against the instrument's price range. */
const snapAll = (levels: ReadonlyArray<Level>, instrument: Instrument, symbol: string, snap: (price: Decimal) => Decimal): Check<Snapped[]> => {
  const out: Snapped[] = [];
  for (const level of levels) {
    const price = snap(level.value);
    const problem = priceProblem(price, instrument);
    if (problem !== undefined) return fail({ _tag: 'BadNumber', token: level.text, problem, symbol });
    out.push({ price, level });
  }
  return pass(out);
};

/** Whether `price` lies more than MAX_LEVEL_DISTANCE from `reference`. */
const tooFar = (price: Decimal, reference: Decimal): boolean => price.minus(reference).abs().gt(reference.times(MAX_LEVEL_DISTANCE));

/** Whether `price` lies strictly on the profit side of `entry` for the side. */
const beyondForProfit = (side: SignalSide, price: Decimal, entry: Decimal): boolean => (side === 'long' ? price.gt(entry) : price.lt(entry));

/** Judges the levels on the instrument's tick and applies the leverage policy. */
const settle = (said: Said, instrument: Instrument, rawHash: string): Check<Signal> => {
  const { side, symbol } = said;
  const tick = instrument.tickSize;
  const entriesSnapped = snapAll(said.entries, instrument, symbol, (p) => roundPriceForSide(p, tick, side === 'long' ? 'buy' : 'sell', 'passive'));
  if (!entriesSnapped.ok) return entriesSnapped;
  // Fill order: a long's higher entry fills first, a short's lower.
  const entries = entriesSnapped.value.map((s) => s.price).sort((a, b) => (side === 'long' ? b.comparedTo(a) : a.comparedTo(b)));
  // Two prices written apart that land on one tick are no longer two entries (S0-7 places two distinct ones).
  if (entries.length === 2 && entries[0]!.eq(entries[1]!)) return fail({ _tag: 'ContradictoryLevels', problem: 'entries_not_distinct', level: entries[0]!.toFixed(), symbol });
  const first = entries[0]!;
  const last = entries[entries.length - 1]!;
  if (tooFar(last, first)) return fail({ _tag: 'ContradictoryLevels', problem: 'level_too_far', level: last.toFixed(), symbol });
  const targetsSnapped = snapAll(said.targets, instrument, symbol, (p) => roundPrice(p, tick, 'nearest'));
  if (!targetsSnapped.ok) return targetsSnapped;
  const profitOrder = (a: Snapped, b: Snapped): number => (side === 'long' ? a.price.comparedTo(b.price) : b.price.comparedTo(a.price));
  const numbered = targetsSnapped.value.filter((t) => t.level.ordinal !== undefined).sort((a, b) => a.level.ordinal! - b.level.ordinal!);
  // TP1…TPn without a gap: a missing number is a target lost (or a line run into the one above it).
  const gap = numbered.findIndex((t, i) => t.level.ordinal !== i + 1);
  if (gap >= 0) return fail({ _tag: 'ContradictoryLevels', problem: 'targets_numbering_gap', level: `TP${String(gap + 1)}`, symbol });
  for (let i = 1; i < numbered.length; i++) {
    if (profitOrder(numbered[i - 1]!, numbered[i]!) >= 0) return fail({ _tag: 'ContradictoryLevels', problem: 'targets_out_of_order', level: numbered[i]!.level.text, symbol });
  }
  const targets = [...targetsSnapped.value].sort(profitOrder);
  for (let i = 1; i < targets.length; i++) {
    if (targets[i]!.price.eq(targets[i - 1]!.price)) return fail({ _tag: 'ContradictoryLevels', problem: 'targets_not_distinct', level: targets[i]!.level.text, symbol });
  }
  const short = targets.find((t) => !beyondForProfit(side, t.price, first));
  if (short !== undefined) return fail({ _tag: 'ContradictoryLevels', problem: 'target_not_beyond_entry', level: short.level.text, symbol });
  const far = targets.find((t) => tooFar(t.price, first));
  if (far !== undefined) return fail({ _tag: 'ContradictoryLevels', problem: 'level_too_far', level: far.level.text, symbol });
  let stopLoss: Decimal | undefined;
  if (said.stop !== undefined) {
    const stop = snapAll([said.stop], instrument, symbol, (p) => roundPrice(p, tick, 'nearest'));
    if (!stop.ok) return stop;
    stopLoss = stop.value[0]!.price;
    if (!beyondForProfit(side, last, stopLoss)) return fail({ _tag: 'ContradictoryLevels', problem: 'stop_not_beyond_entry', level: said.stop.text, symbol });
    if (tooFar(stopLoss, first)) return fail({ _tag: 'ContradictoryLevels', problem: 'level_too_far', level: said.stop.text, symbol });
  }
  const leverage = said.leverage?.value;
  const decision = leveragePolicy({ mode: said.mode, leverage, side, stopLoss, entryReference: first, tickSize: tick, maxLeverage: isPositive(instrument.maxLeverage) ? instrument.maxLeverage : undefined });
  if (!decision.ok) return fail({ _tag: 'LeverageRefused', problem: decision.problem, mode: said.mode, leverage: said.leverage?.text, symbol });
  const { plan } = decision;
  // The auto-SL lies 2 % from the first entry; a second entry beyond it would fill only after the stop.
  if (plan.autoSl && !beyondForProfit(side, last, plan.stopLoss)) {
    return fail({ _tag: 'ContradictoryLevels', problem: 'auto_stop_inside_entries', level: plan.stopLoss.toFixed(), symbol });
  }
  const autoProblem = plan.autoSl ? priceProblem(plan.stopLoss, instrument) : undefined;
  if (autoProblem !== undefined) return fail({ _tag: 'BadNumber', token: plan.stopLoss.toFixed(), problem: autoProblem, symbol });
  return pass({
    symbol,
    baseAsset: said.baseAsset,
    side,
    mode: said.mode,
    entries,
    targets: targets.map((t) => t.price),
    stopLoss,
    leverage,
    plan,
    rawHash,
  });
};

const parse = (text: string, ctx: ParseContext): Check<Signal> => {
  if (text.length > MAX_SIGNAL_LENGTH) return fail({ _tag: 'TooLong', length: text.length, limit: MAX_SIGNAL_LENGTH });
  const lexemes = lex(text);
  if (lexemes.every((l) => l.kind === 'nl')) return fail({ _tag: 'Empty' });
  const said = judge(read(lexemes), ctx);
  if (!said.ok) return said;
  const instrument = ctx.instrument(said.value.symbol);
  if (instrument === undefined || !isPositive(instrument.tickSize)) {
    const reason = instrument === undefined ? ctx.whyNot?.(said.value.symbol) : undefined;
    return fail({ _tag: 'UnknownSymbol', symbol: said.value.symbol, ...(reason === undefined ? {} : { reason }) });
  }
  return settle(said.value, instrument, rawTextHash(text));
};

/**
 * Parses one channel message into a signal or a typed refusal. Never throws: a defect inside the parser (or a
 * throwing instrument lookup) comes back as a `ParserDefect` refusal.
 */
export const parseSignal = (text: string, ctx: ParseContext): SignalResult => {
  try {
    if (typeof text !== 'string') return { ok: false, error: { _tag: 'ParserDefect', detail: `expected a string, got ${typeof text}` } };
    const result = parse(text, ctx);
    return result.ok ? { ok: true, signal: result.value } : { ok: false, error: result.error };
  } catch (e) {
    return { ok: false, error: { _tag: 'ParserDefect', detail: e instanceof Error ? e.message : String(e) } };
  }
};
