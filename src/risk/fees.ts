/**
 * The one fee model (X-ORD-9, S3-12): maker/taker rates applied identically by the risk min-notional check, the
 * execution path's sizing and PnL. Import it from here; never re-derive fees elsewhere. Pure; performs no I/O.
 */
import { ONE, decimalOf, maxDec, type Decimal } from '../domain/money.ts';
import type { Instrument } from '../domain/Instrument.ts';
import type { RiskConfig } from './RiskConfig.ts';

/** The fee settings, as in the risk config. */
export type FeeModel = RiskConfig['fees'];

/** Returns the fee of a fill of the given notional as maker or taker. */
export const estimateFee = (fees: FeeModel, notional: Decimal, liquidity: 'maker' | 'taker'): Decimal =>
  notional.abs().times(liquidity === 'maker' ? fees.makerRate : fees.takerRate);

// The fee-aware minimum of an instrument under a fee model, kept per instrument (both are immutable values the runtime
// holds for the whole run): one division per instrument, not one per decision.
const minimums = new WeakMap<Instrument, { readonly fees: FeeModel; readonly value: Decimal }>();

/**
 * Returns the smallest order notional that still clears the minimum after paying the taker fee:
 * max(venue minNotional, profile minNotional) / (1 − takerRate). The worst case (taker) keeps the verdict the same
 * whichever way the execution path routes.
 */
export const feeAwareMinNotional = (fees: FeeModel, instrument: Instrument): Decimal => {
  const known = minimums.get(instrument);
  if (known !== undefined && known.fees === fees) return known.value;
  const value = maxDec(instrument.minNotional, fees.minNotional).div(ONE.minus(decimalOf(fees.takerRate)));
  minimums.set(instrument, { fees, value });
  return value;
};

/** Returns whether an order notional clears the fee-aware minimum (exactly at the minimum passes). */
export const clearsFeeAwareMinNotional = (fees: FeeModel, instrument: Instrument, notional: Decimal): boolean =>
  notional.gte(feeAwareMinNotional(fees, instrument));
