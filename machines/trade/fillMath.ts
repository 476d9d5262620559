/**
 * Decimal bookkeeping for fills kept as strings in chart contexts: accumulation, averages and de-duplication by
 * trade id. Used by the trade chart. Pure; performs no I/O.
 */
import { dec, maxDec, ZERO } from '../../src/domain/money.ts';

/** Running totals of the fills of one order or one side of a trade, serializable. */
export interface FillTotals {
  /** Sum of fill quantities. */
  readonly filledQuantity: string;
  /** Sum of price × quantity, for the average price. */
  readonly filledNotional: string;
  readonly fees: string;
}

/** Totals with nothing filled. */
export const emptyTotals: FillTotals = { filledQuantity: '0', filledNotional: '0', fees: '0' };

/** Returns whether the decimal string is strictly positive (false for malformed input). */
export const isPositive = (value: string): boolean => {
  try {
    return dec(value).gt(ZERO);
  } catch {
    return false;
  }
};

/** Returns the totals with one fill added. */
export const addFill = (totals: FillTotals, fill: { readonly price: string; readonly quantity: string; readonly fee: string }): FillTotals => ({
  filledQuantity: dec(totals.filledQuantity).plus(dec(fill.quantity)).toString(),
  filledNotional: dec(totals.filledNotional).plus(dec(fill.price).times(dec(fill.quantity))).toString(),
  fees: dec(totals.fees).plus(dec(fill.fee)).toString(),
});

/** Returns the volume-weighted average price of the totals, or null when nothing is filled. */
export const averagePrice = (totals: FillTotals): string | null => {
  const q = dec(totals.filledQuantity);
  return q.gt(ZERO) ? dec(totals.filledNotional).div(q).toString() : null;
};

/** Returns whether `a + b >= target` (all decimal strings). */
export const reaches = (a: string, b: string, target: string): boolean => dec(a).plus(dec(b)).gte(dec(target));

/** Returns the larger of two decimal strings. */
export const maxString = (a: string, b: string): string => maxDec(dec(a), dec(b)).toString();

/** How many trade ids a context remembers for de-duplication; replays older than this are caught by the journal. */
export const SEEN_TRADE_IDS_LIMIT = 200;

/** Returns the seen list with the trade id appended, keeping the most recent `SEEN_TRADE_IDS_LIMIT`. */
export const rememberTradeId = (seen: ReadonlyArray<string>, tradeId: string): string[] => {
  const next = [...seen, tradeId];
  return next.length > SEEN_TRADE_IDS_LIMIT ? next.slice(next.length - SEEN_TRADE_IDS_LIMIT) : next;
};

/** Returns the totals with the venue's own fills added (a quantity, its notional and fees, as ExternalFills carries them). */
export const addExternal = (totals: FillTotals, x: { readonly quantity: string; readonly notional: string; readonly fee: string }): FillTotals => ({
  filledQuantity: dec(totals.filledQuantity).plus(dec(x.quantity)).toString(),
  filledNotional: dec(totals.filledNotional).plus(dec(x.notional)).toString(),
  fees: dec(totals.fees).plus(dec(x.fee)).toString(),
});

/** Returns the seen trade ids with every one of `tradeIds` remembered. */
export const rememberTradeIds = (seen: ReadonlyArray<string>, tradeIds: ReadonlyArray<string>): ReadonlyArray<string> =>
  tradeIds.reduce<ReadonlyArray<string>>((acc, id) => rememberTradeId(acc, id), seen);
