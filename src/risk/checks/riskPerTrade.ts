/**
 * Rule 10 — risk per trade (S2-4): an entry's loss at its stop, quantity × worstPrice × stopLossFraction, stays within
 * capital.riskPerTradeFraction of NAV. Sizing already cuts the size to that budget; this rule vetoes when even the
 * instrument's minimum quantity would risk more. Off when the key is null. Pure; performs no I/O.
 */
import { maxDec } from '../../domain/money.ts';
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `risk_per_trade` when the smallest tradable entry (or the sized one) risks more than the limit. */
export const riskPerTrade: SizedCheck = (ctx) => {
  const { sizing, portfolio, config } = ctx;
  const limit = sizing.riskPerTradeLimit;
  const instrument = ctx.symbolMarket?.instrument;
  if (ctx.intent !== 'entry' || limit === undefined || instrument === undefined) return undefined;
  const minQuantity = maxDec(instrument.minQuantity, instrument.quantityStep);
  // Below the minimum quantity the venue filters would veto anyway; name the budget when it is the cause.
  const quantity = sizing.quantity.lt(minQuantity) ? minQuantity : sizing.quantity;
  const risk = quantity.times(sizing.riskPerUnit);
  if (risk.lte(limit)) return undefined;
  const nav = portfolio.nav;
  const proposed = risk.div(nav);
  const fraction = config.capital.riskPerTradeFraction ?? 0;
  const what = quantity === minQuantity ? `the minimum quantity ${minQuantity.toString()}` : `quantity ${quantity.toString()}`;
  return veto(
    'risk_per_trade',
    'risk_per_trade',
    0,
    proposed,
    fraction,
    `${what} at a stop distance of ${sizing.riskPerUnit.toString()} per unit risks ${proposed.toString()} of NAV; limit ${String(fraction)}`,
  );
};
