/**
 * Rule 16 — fee-aware minimum notional (X-ORD-9): an entry must still clear the venue/profile minimum after paying
 * the taker fee, using the same fee model as execution and PnL (src/risk/fees.ts). Pure; performs no I/O.
 */
import { gteDec } from '../../domain/money.ts';
import { feeAwareMinNotional } from '../fees.ts';
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `min_notional` when the entry's notional is below the fee-aware minimum. */
export const feeMinNotional: SizedCheck = (ctx) => {
  const instrument = ctx.symbolMarket?.instrument;
  if (ctx.intent !== 'entry' || instrument === undefined) return undefined;
  const min = feeAwareMinNotional(ctx.config.fees, instrument);
  const notional = ctx.sizing.orderNotional;
  if (gteDec(notional, min)) return undefined;
  return veto('min_notional', 'fee_aware_min_notional', notional, notional, min, `notional ${notional.toString()} is below the fee-aware minimum ${min.toString()}`);
};
