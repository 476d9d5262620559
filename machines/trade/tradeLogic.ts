/**
 * Pure calculations behind the trade chart's guards and actions: client order ids, re-pricing, protection prices,
 * open quantity and realized PnL, all in Decimal over the context's decimal strings. Performs no I/O.
 */
import { dec, ZERO } from '../../src/domain/money.ts';
import type { Side } from '../../src/domain/orders.ts';
import { roundPrice } from '../../src/domain/rounding.ts';
import { averagePrice, isPositive } from '../order/fillMath.ts';
import type { TradeChartEvent, TradeContext } from './tradeTypes.ts';

/**
 * Returns the client order id of an entry attempt: the intent's id for the first, `<base>-r<attempt>` for re-prices.
 * The base must leave 4 characters of room under the venue's limit (Bybit 36).
 */
export const entryClientOrderId = (base: string, attempt: number): string => (attempt === 0 ? base : `${base}-r${attempt}`);

/** Returns the client order id of the n-th exit order of the cycle: `<base>-x<n>` (strategy exit) or `<base>-f<n>` (flatten). */
export const exitClientOrderId = (base: string, n: number, kind: 'exit' | 'flatten'): string =>
  `${base}-${kind === 'exit' ? 'x' : 'f'}${n}`;

/** Returns the limit price stepped `ticks` ticks away from the touch (down for buys, up for sells), on the tick grid. */
export const repricedPrice = (price: string, side: Side, tickSize: string, ticks: number): string => {
  const step = dec(tickSize).times(ticks);
  const next = side === 'buy' ? dec(price).minus(step) : dec(price).plus(step);
  return roundPrice(next, dec(tickSize), side === 'buy' ? 'down' : 'up').toString();
};

/** Returns the take-profit and stop-loss prices at the given fractions from the opening price, on the tick grid. */
export const protectionPrices = (
  side: Side,
  openingPrice: string,
  takeProfitFraction: string,
  stopLossFraction: string,
  tickSize: string,
): { readonly takeProfit: string; readonly stopLoss: string } => {
  const oep = dec(openingPrice);
  const sign = side === 'buy' ? 1 : -1;
  const tp = oep.times(dec(1).plus(dec(takeProfitFraction).times(sign)));
  const sl = oep.times(dec(1).minus(dec(stopLossFraction).times(sign)));
  return { takeProfit: roundPrice(tp, dec(tickSize), 'nearest').toString(), stopLoss: roundPrice(sl, dec(tickSize), 'nearest').toString() };
};

/** Returns the position quantity still open: entry fills minus exit fills, never negative. */
export const openQuantity = (c: Pick<TradeContext, 'entry' | 'exit'>): string => {
  const q = dec(c.entry.filledQuantity).minus(dec(c.exit.filledQuantity));
  return (q.gt(ZERO) ? q : ZERO).toString();
};

/** Returns whether any position quantity is open. */
export const hasOpenPosition = (c: Pick<TradeContext, 'entry' | 'exit'>): boolean => isPositive(openQuantity(c));

/** Returns the realized PnL of the cycle: the venue's figure when it sent one, else our estimate from fills. */
export const realizedPnl = (c: TradeContext): string => {
  if (c.venueRealizedPnl !== null) return c.venueRealizedPnl;
  const side = c.intent?.side ?? 'buy';
  const entryAverage = averagePrice(c.entry);
  const exitAverage = averagePrice(c.exit) ?? c.venueExitPrice;
  const fees = dec(c.entry.fees).plus(dec(c.exit.fees));
  if (entryAverage === null || exitAverage === null) return fees.negated().toString();
  const gross = dec(exitAverage).minus(dec(entryAverage)).times(dec(c.entry.filledQuantity)).times(side === 'buy' ? 1 : -1);
  return gross.minus(fees).toString();
};

type Fill = Extract<TradeChartEvent, { type: 'venue.filled' }>;

const clientOrderIdOf = (e: TradeChartEvent): string | undefined => ('clientOrderId' in e ? e.clientOrderId : undefined);

/** Returns whether the event is about the current entry order. */
export const isEntryEvent = (c: TradeContext, e: TradeChartEvent): boolean =>
  c.entryClientOrderId !== null && clientOrderIdOf(e) === c.entryClientOrderId;

/** Returns whether the event is about one of this cycle's exit (or flatten) orders. */
export const isExitEvent = (c: TradeContext, e: TradeChartEvent): boolean => {
  const id = clientOrderIdOf(e);
  return id !== undefined && c.exitClientOrderIds.includes(id);
};

/** Returns the fill when the event is a fill with positive quantity and a trade id not seen this cycle. */
export const newFill = (c: TradeContext, e: TradeChartEvent): Fill | undefined =>
  e.type === 'venue.filled' && isPositive(e.quantity) && !c.seenTradeIds.includes(e.tradeId) ? e : undefined;

/** Returns whether the event is a new fill of the current entry order. */
export const isNewEntryFill = (c: TradeContext, e: TradeChartEvent): boolean => newFill(c, e) !== undefined && isEntryEvent(c, e);

/** Returns whether the event is a new fill of an exit order. */
export const isNewExitFill = (c: TradeContext, e: TradeChartEvent): boolean => newFill(c, e) !== undefined && isExitEvent(c, e);

/** Returns whether this entry fill completes the entry (whole quantity, or the entry order is already closed). */
export const completesEntry = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  if (f === undefined || c.intent === null) return false;
  return c.entryDone || dec(c.entry.filledQuantity).plus(dec(f.quantity)).gte(dec(c.intent.quantity));
};

/** Returns whether this exit fill leaves the position flat. */
export const flattensPosition = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  return f !== undefined && dec(c.exit.filledQuantity).plus(dec(f.quantity)).gte(dec(c.entry.filledQuantity));
};
