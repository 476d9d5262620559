/**
 * The S0 leverage policy (S0-4, S0-5) as one pure function: SWING trades at x6.00; DYNAMIC at x7.50 or more (x7.50
 * when the signal names none); FIXED at the leverage the signal names, never strictly between x6 and x7.5; at most
 * two decimals. A signal without a stop loss gets the auto-SL, 2 % from the entry reference on the loss side and
 * snapped to the tick, and its leverage is locked at x10 — a safety case, not a mode. The mode's rules still judge
 * the leverage the signal named, so a malformed signal is refused whether or not it has a stop. Pure; performs no I/O.
 */
import { Decimal } from '../domain/money.ts';
import { roundPrice } from '../domain/rounding.ts';
import type { LeverageProblem, SignalMode, SignalPlan, SignalSide } from './types.ts';

/** SWING's leverage (S0-4). */
export const SWING_LEVERAGE = new Decimal('6.00');
/** DYNAMIC's least leverage, and its leverage when the signal names none (S0-4). */
export const DYNAMIC_MIN_LEVERAGE = new Decimal('7.50');
/** FIXED never trades strictly between these two (S0-4). */
export const FIXED_FORBIDDEN_BAND = { above: new Decimal('6'), below: new Decimal('7.5') } as const;
/** The leverage of a trade whose signal had no stop loss (S0-5). */
export const AUTO_SL_LEVERAGE = new Decimal('10.00');
/** How far the auto-SL lies from the entry reference (S0-5): 2 %. */
export const AUTO_SL_DISTANCE = new Decimal('0.02');
/** Leverage is set with at most this many decimals. */
const LEVERAGE_DECIMALS = 2;

/** What the policy judges. */
export interface LeverageInput {
  readonly mode: SignalMode;
  /** The leverage the signal named; undefined when it named none. */
  readonly leverage: Decimal | undefined;
  readonly side: SignalSide;
  /** The signal's stop loss (on the tick); undefined when it gave none. */
  readonly stopLoss: Decimal | undefined;
  /** The OEP once the first entry filled; before that (the parser), the first entry price. */
  readonly entryReference: Decimal;
  readonly tickSize: Decimal;
  /** The instrument's largest leverage, when known. */
  readonly maxLeverage?: Decimal | undefined;
}

/** The policy's verdict: the plan the trade follows, or why the signal is refused. */
export type LeverageDecision = { readonly ok: true; readonly plan: SignalPlan } | { readonly ok: false; readonly problem: LeverageProblem };

/**
 * Returns the auto-SL for an entry reference: reference × (1 − 0.02) for a long, × (1 + 0.02) for a short, on the
 * nearest tick. Throws RangeError for a tick that is not positive (as roundPrice does).
 */
export const autoStopLoss = (entryReference: Decimal, side: SignalSide, tickSize: Decimal): Decimal =>
  roundPrice(entryReference.times(side === 'long' ? Decimal.sub(1, AUTO_SL_DISTANCE) : Decimal.add(1, AUTO_SL_DISTANCE)), tickSize, 'nearest');

/** Returns why the mode refuses the named leverage, or the leverage the mode trades at. */
const modeLeverage = (mode: SignalMode, named: Decimal | undefined): Decimal | LeverageProblem => {
  if (named !== undefined) {
    if (named.lt(1)) return 'below_one';
    if (named.decimalPlaces() > LEVERAGE_DECIMALS) return 'too_many_decimals';
  }
  switch (mode) {
    case 'SWING':
      return named === undefined || named.eq(SWING_LEVERAGE) ? SWING_LEVERAGE : 'swing_is_six';
    case 'DYNAMIC':
      if (named === undefined) return DYNAMIC_MIN_LEVERAGE;
      return named.gte(DYNAMIC_MIN_LEVERAGE) ? named : 'dynamic_below_minimum';
    case 'FIXED':
      if (named === undefined) return 'fixed_needs_leverage';
      return named.gt(FIXED_FORBIDDEN_BAND.above) && named.lt(FIXED_FORBIDDEN_BAND.below) ? 'fixed_forbidden_band' : named;
  }
};

/**
 * Returns the leverage a mode trades at for the leverage a signal named, before the auto-SL lock: what the intake asks
 * the RiskEngine to judge (SWING x6.00, DYNAMIC the named or x7.50, FIXED the named). Undefined when the mode refuses it.
 */
export const modeLeverageOf = (mode: SignalMode, named: Decimal | undefined): Decimal | undefined => {
  const byMode = modeLeverage(mode, named);
  return typeof byMode === 'string' ? undefined : byMode;
};

/** Returns the leverage and stop a signal trades with under the S0 policy, or the policy's refusal. */
export const leveragePolicy = (input: LeverageInput): LeverageDecision => {
  const byMode = modeLeverage(input.mode, input.leverage);
  if (typeof byMode === 'string') return { ok: false, problem: byMode };
  const autoSl = input.stopLoss === undefined;
  const leverage = autoSl ? AUTO_SL_LEVERAGE : byMode;
  // The named leverage too: a signal asking for more than the venue allows is wrong even when the x10 lock applies.
  const max = input.maxLeverage;
  if (max !== undefined && (leverage.gt(max) || input.leverage?.gt(max) === true)) return { ok: false, problem: 'above_instrument_max' };
  const stopLoss = input.stopLoss ?? autoStopLoss(input.entryReference, input.side, input.tickSize);
  return { ok: true, plan: { leverage, stopLoss, autoSl } };
};

