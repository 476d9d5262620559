/**
 * The vocabulary of the S0 signal parser (issue 16 item 2): what an accepted trading signal carries, every typed
 * reason a message is refused for, and what the parser needs to know about instruments. Pure types; no I/O.
 */
import type { Instrument } from '../domain/Instrument.ts';
import type { Decimal } from '../domain/money.ts';

/** The direction of the position a signal opens. */
export type SignalSide = 'long' | 'short';

/** The trading modes S0 follows (S0-3, C-1): FAST, SCALP and SCALPING are never among them. */
export type SignalMode = 'SWING' | 'DYNAMIC' | 'FIXED';

/** The modes S0 follows, in the order docs and messages list them. */
export const SIGNAL_MODES: ReadonlyArray<SignalMode> = ['SWING', 'DYNAMIC', 'FIXED'];

/** What the leverage policy (S0-4, S0-5) made of a signal: the leverage and stop the trade uses. */
export interface SignalPlan {
  /** The leverage to set before the entries: the mode's, or x10 in the auto-SL safety case. */
  readonly leverage: Decimal;
  /** The stop loss the trade uses: the signal's, or the auto-SL at 2 % from the entry reference. */
  readonly stopLoss: Decimal;
  /** Whether the signal had no stop loss, so the auto-SL and the x10 lock apply (S0-5; no hedge then, C-11). */
  readonly autoSl: boolean;
}

/** A signal the parser accepted: every price on the instrument's tick, every level on its side of the entries. */
export interface Signal {
  /** The venue symbol, base and quote without separator: `BTCUSDT`. */
  readonly symbol: string;
  readonly baseAsset: string;
  readonly side: SignalSide;
  readonly mode: SignalMode;
  /**
   * One or two entry prices in fill order: the first is the one a limit order reaches first (the higher for a
   * long, the lower for a short) and is the entry reference for the auto-SL; a range gives its two ends.
   */
  readonly entries: ReadonlyArray<Decimal>;
  /** Take-profit levels in profit direction (rising for a long, falling for a short), at least one. */
  readonly targets: ReadonlyArray<Decimal>;
  /** The stop loss the message gave, snapped; undefined when it gave none. */
  readonly stopLoss: Decimal | undefined;
  /** The leverage the message gave; undefined when it gave none. */
  readonly leverage: Decimal | undefined;
  /** What the leverage policy made of it. */
  readonly plan: SignalPlan;
  /** sha256 (hex) of the raw message text as received, for dedupe. */
  readonly rawHash: string;
}

/** The fields a signal is read from, as refusals name them. */
export type SignalField = 'symbol' | 'side' | 'mode' | 'entry' | 'targets' | 'stopLoss' | 'leverage';

/** Why a number in a message could not be used. */
export type BadNumberProblem =
  /** `1,5` or `68,500`: a comma between digits could be a decimal comma or a thousands separator. */
  | 'ambiguous_comma'
  /** `01.05.2024`, `TP1.105`: not one decimal number. */
  | 'malformed'
  /** `68 500`: two numbers with nothing but a space between them. */
  | 'no_separator'
  /** `SL: 5%`: levels are prices, never percentages. */
  | 'percent_level'
  /** Zero, or a price that snaps to zero on the tick. */
  | 'zero'
  /** More digits than any price has. */
  | 'too_long'
  /** Outside the instrument's price range. */
  | 'out_of_range'
  /** `TP25`: an ordinal beyond the largest level count. */
  | 'bad_ordinal';

/** Why two levels of a signal contradict each other. */
export type ContradictionProblem =
  | 'target_not_beyond_entry'
  | 'stop_not_beyond_entry'
  | 'targets_out_of_order'
  /** Numbered targets that skip a number (`TP1`, `TP2`, `TP4`) or do not start at TP1. */
  | 'targets_numbering_gap'
  | 'targets_not_distinct'
  /** Two entry prices written apart that snap onto one tick. */
  | 'entries_not_distinct'
  | 'auto_stop_inside_entries'
  /** A level more than 50 % away from the first entry. */
  | 'level_too_far';

/** Why the leverage policy refused a signal (S0-4, S0-5). */
export type LeverageProblem =
  /** SWING trades at x6.00 only. */
  | 'swing_is_six'
  /** DYNAMIC needs at least x7.50. */
  | 'dynamic_below_minimum'
  /** FIXED needs an explicit leverage. */
  | 'fixed_needs_leverage'
  /** FIXED never trades strictly between x6 and x7.5. */
  | 'fixed_forbidden_band'
  /** More than two decimals. */
  | 'too_many_decimals'
  /** Below x1. */
  | 'below_one'
  /** Above the instrument's maximum. */
  | 'above_instrument_max';

/** The symbol a refusal concerns, when the parser had read one. */
interface WithSymbol {
  readonly symbol?: string | undefined;
}

/** Why a message was refused; `_tag` names the reason. */
export type SignalRefusal =
  | ({ readonly _tag: 'Empty' } & WithSymbol)
  | ({ readonly _tag: 'TooLong'; readonly length: number; readonly limit: number } & WithSymbol)
  /** The message names none of side, entry, targets or stop loss: chatter, not a signal. */
  | ({ readonly _tag: 'NotASignal' } & WithSymbol)
  /** FAST, SCALP, SCALPING or a mode S0 does not know (C-1). */
  | ({ readonly _tag: 'ModeRefused'; readonly mode: string } & WithSymbol)
  /** A symbol quoted in anything but USDT (S0-1). */
  | ({ readonly _tag: 'QuoteRefused'; readonly quote: string } & WithSymbol)
  | ({ readonly _tag: 'BadNumber'; readonly token: string; readonly problem: BadNumberProblem } & WithSymbol)
  /** Two readings of one field (two sides, two symbols, two stops…), or a number that belongs to no field. */
  | ({ readonly _tag: 'Ambiguous'; readonly field: SignalField | 'number'; readonly values: ReadonlyArray<string> } & WithSymbol)
  | ({ readonly _tag: 'MissingField'; readonly fields: ReadonlyArray<SignalField> } & WithSymbol)
  | ({ readonly _tag: 'TooManyLevels'; readonly field: 'entry' | 'targets'; readonly count: number; readonly limit: number } & WithSymbol)
  /**
   * The instrument lookup does not know the symbol, or knows it without a usable tick; `reason` is the symbol
   * registry's sentence when it has one (blacklisted, not a USDT perpetual, not trading, metadata missing; S0-15).
   */
  | ({ readonly _tag: 'UnknownSymbol'; readonly symbol: string; readonly reason?: string | undefined } & WithSymbol)
  | ({ readonly _tag: 'ContradictoryLevels'; readonly problem: ContradictionProblem; readonly level: string } & WithSymbol)
  | ({ readonly _tag: 'LeverageRefused'; readonly problem: LeverageProblem; readonly mode: SignalMode; readonly leverage: string | undefined } & WithSymbol)
  /** A defect in the parser itself, caught so that intake never crashes; tests assert it never occurs. */
  | ({ readonly _tag: 'ParserDefect'; readonly detail: string } & WithSymbol);

/** Every refusal tag, in the order the parser checks them (docs/signals.md). */
export const REFUSAL_TAGS = [
  'TooLong',
  'Empty',
  'NotASignal',
  'ModeRefused',
  'QuoteRefused',
  'BadNumber',
  'Ambiguous',
  'MissingField',
  'TooManyLevels',
  'UnknownSymbol',
  'ContradictoryLevels',
  'LeverageRefused',
  'ParserDefect',
] as const satisfies ReadonlyArray<SignalRefusal['_tag']>;

/** The outcome of parsing one message. */
export type SignalResult = { readonly ok: true; readonly signal: Signal } | { readonly ok: false; readonly error: SignalRefusal };

/** What the parser knows of the world. */
export interface ParseContext {
  /** Returns the instrument of a normalized symbol (`BTCUSDT`), undefined when the venue does not list it. */
  readonly instrument: (symbol: string) => Instrument | undefined;
  /** Why a symbol without an instrument may not be traded (the symbol registry's reason); absent: "not listed". */
  readonly whyNot?: ((symbol: string) => string | undefined) | undefined;
  /** The mode to assume when a message names none (a per-source setting); without it a missing mode is refused. */
  readonly defaultMode?: SignalMode | undefined;
}
