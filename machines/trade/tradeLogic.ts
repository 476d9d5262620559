/**
 * Pure calculations behind the trade chart's guards and actions: client order ids, re-pricing, protection prices,
 * open quantity and realized PnL, all in Decimal over the context's decimal strings. Performs no I/O.
 */
import { dec, ZERO } from '../../src/domain/money.ts';
import type { Side } from '../../src/domain/orders.ts';
import { roundPrice } from '../../src/domain/rounding.ts';
import { entryAttemptId, exitOrderId } from '../../src/domain/clientOrderId.ts';
import type { ExternalFills, PositionChanged } from '../../src/domain/events.ts';
import { averagePrice, isPositive } from './fillMath.ts';
import type { PositionCloseReason, TradeChartEvent, TradeContext, TradeIntent } from './tradeTypes.ts';

/** Returns the client order id of an entry attempt: the intent's id for the first, `<base>-r<attempt>` for re-prices. */
export const entryClientOrderId = (base: string, attempt: number): string => entryAttemptId(base, attempt);

/** Returns the client order id of the n-th exit order of the cycle: `<base>-x<n>` (strategy exit) or `<base>-f<n>` (flatten). */
export const exitClientOrderId = (base: string, n: number, kind: 'exit' | 'flatten'): string => exitOrderId(base, n, kind);

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

/**
 * Returns the realized PnL of the cycle from its fills, net of every fee: entry fills, our exit fills and the fills
 * the venue made itself (TP/SL, liquidation), so the trades of a run add up to its balance change.
 */
export const realizedPnl = (c: TradeContext): string => {
  const side = c.intent?.side ?? 'buy';
  const entryAverage = averagePrice(c.entry);
  const exitAverage = averagePrice(c.exit);
  const fees = dec(c.entry.fees).plus(dec(c.exit.fees));
  if (entryAverage === null || exitAverage === null) return fees.negated().toString();
  const sign = side === 'buy' ? 1 : -1;
  // A position closed in full: the notionals' difference is exact (no average, no division).
  if (dec(c.exit.filledQuantity).eq(dec(c.entry.filledQuantity))) {
    return dec(c.exit.filledNotional).minus(dec(c.entry.filledNotional)).times(sign).minus(fees).toString();
  }
  const gross = dec(exitAverage).minus(dec(entryAverage)).times(dec(c.entry.filledQuantity)).times(sign);
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

/** Returns whether the event is about one of the cycle's ladder add-ons (`<base>-a<n>`, S0-9). */
export const isAddOnEvent = (c: TradeContext, e: TradeChartEvent): boolean => {
  const id = clientOrderIdOf(e);
  return id !== undefined && c.intent !== null && id.startsWith(`${c.intent.clientOrderId}-a`) && c.orderIds.includes(id);
};

/** Returns whether the event is a new fill of the current entry order or of a ladder add-on (both add to the position). */
export const isNewEntryFill = (c: TradeContext, e: TradeChartEvent): boolean => newFill(c, e) !== undefined && (isEntryEvent(c, e) || isAddOnEvent(c, e));

/** Returns whether the event is a new fill of an exit order. */
export const isNewExitFill = (c: TradeContext, e: TradeChartEvent): boolean => newFill(c, e) !== undefined && isExitEvent(c, e);

/** Returns whether this entry fill completes the entry (whole quantity, or the entry order is already closed). */
export const completesEntry = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  if (f === undefined || c.intent === null) return false;
  return c.entryDone || dec(c.entry.filledQuantity).plus(dec(f.quantity)).gte(dec(c.intent.quantity));
};

/**
 * Returns the entry's TP and SL for a position opened at `oep`: the intent's exact levels where it has them (S0-10,
 * a followed signal's), the others at their fractions from the OEP.
 */
export const entryLevels = (intent: TradeIntent, oep: string): { readonly takeProfit: string; readonly stopLoss: string } => {
  const f = protectionPrices(intent.side, oep, intent.takeProfitFraction, intent.stopLossFraction, intent.tickSize);
  return { takeProfit: intent.levels?.takeProfit ?? f.takeProfit, stopLoss: intent.levels?.stopLoss ?? f.stopLoss };
};

/** Returns whether this exit fill leaves the position flat. */
export const flattensPosition = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  return f !== undefined && dec(c.exit.filledQuantity).plus(dec(f.quantity)).gte(dec(c.entry.filledQuantity));
};

/**
 * The event's position when it is the cycle's own: in hedge mode (S0-12) the other leg's updates are the hedge's, never
 * the position's (one-way updates name no leg).
 */
const positionOf = (c: Pick<TradeContext, 'intent'>, e: TradeChartEvent): PositionChanged | undefined => {
  if (e.type !== 'venue.positionChanged') return undefined;
  const own = e.leg === undefined || c.intent === null || e.leg === (c.intent.side === 'buy' ? 'long' : 'short');
  return own ? e : undefined;
};

/** Returns whether the event reports the venue's position of the symbol flat. */
export const isVenueFlat = (c: Pick<TradeContext, 'intent'>, e: TradeChartEvent): boolean => {
  const p = positionOf(c, e);
  return p !== undefined && (p.side === 'flat' || !isPositive(p.quantity));
};

/**
 * Returns whether the event shows a venue-side TP/SL that filled only part of the position (X-ORD-6): something is
 * left, less than the actor holds, and the venue cleared the stops as it triggered.
 */
export const isPartialStop = (c: TradeContext, e: TradeChartEvent): boolean => {
  const p = positionOf(c, e);
  if (p === undefined || !isPositive(p.quantity) || p.takeProfit !== undefined || p.stopLoss !== undefined) return false;
  // The venue's fills carried by the event may already cover the whole position (the position read was older than
  // the executions read): then nothing is left to close, and the flat update that follows closes the cycle.
  const left = dec(openQuantity(c)).minus(dec(newExternalFills(c, e)?.quantity ?? '0'));
  return left.gt(0) && dec(p.quantity).lt(dec(openQuantity(c)));
};

/** Returns the venue's own fills carried by the event that the cycle has not counted yet (by trade id). */
export const newExternalFills = (c: TradeContext, e: TradeChartEvent): ExternalFills | undefined => {
  const x = positionOf(c, e)?.external;
  if (x === undefined || !isPositive(x.quantity) || x.tradeIds.some((id) => c.seenTradeIds.includes(id))) return undefined;
  return x;
};

/**
 * Infers why the venue closed the position: its own fills land near our TP or our SL (the trigger watches the mark
 * price and the close is a market order, so the fill can be a tick beyond the trigger); the nearer one wins. Without
 * the venue's fills (or our levels) the close is `external`.
 */
export const venueCloseReason = (c: TradeContext, e: TradeChartEvent): PositionCloseReason => {
  const x = newExternalFills(c, e);
  if (x === undefined || c.intent === null || c.openingPrice === null) return 'external';
  const price = dec(x.notional).div(dec(x.quantity));
  const levels = entryLevels(c.intent, c.openingPrice);
  return price.minus(dec(levels.takeProfit)).abs().lte(price.minus(dec(levels.stopLoss)).abs()) ? 'takeProfit' : 'stopLoss';
};

/**
 * Returns whether the venue's own fills this event carries close everything the cycle holds (a read that still shows
 * a remainder is stale: the fills are the evidence), so the cycle ends rather than keep a position of zero.
 */
export const externalFillsCloseAll = (c: TradeContext, e: TradeChartEvent): boolean => {
  const x = newExternalFills(c, e);
  return x !== undefined && isPositive(c.entry.filledQuantity) && !dec(openQuantity(c)).minus(dec(x.quantity)).gt(0);
};

/** Returns the orders of the cycle that have not reached a final state. */
export const liveOrderIds = (c: Pick<TradeContext, 'orderIds' | 'settledOrderIds'>): string[] => c.orderIds.filter((id) => !c.settledOrderIds.includes(id));

/**
 * Returns what a cycle still open has realized so far: the exited part's gain or loss against the entry average, net of
 * every fee paid (entry and exits). For a closed cycle it equals `realizedPnl`.
 */
export const realizedSoFar = (c: TradeContext): string => {
  const fees = dec(c.entry.fees).plus(dec(c.exit.fees));
  const entryAverage = averagePrice(c.entry);
  const exitAverage = averagePrice(c.exit);
  if (entryAverage === null || exitAverage === null) return fees.negated().toString();
  const sign = (c.intent?.side ?? 'buy') === 'buy' ? 1 : -1;
  if (dec(c.exit.filledQuantity).eq(dec(c.entry.filledQuantity))) {
    return dec(c.exit.filledNotional).minus(dec(c.entry.filledNotional)).times(sign).minus(fees).toString();
  }
  return dec(exitAverage).minus(dec(entryAverage)).times(dec(c.exit.filledQuantity)).times(sign).minus(fees).toString();
};
