/**
 * The trade chart's side of the S0-12 hedge (`opened.hedging` … `opened.hedged`, `closed.unhedging`): when the price
 * has gone `atFraction` against the position from the OEP, the opposite leg of the symbol (the venue in hedge mode) is
 * opened for the size held, with TP = the position's original stop and SL = the OEP. Never in the auto-SL case (C-11:
 * the stop sits at the same −2 % and would fire with it), and only when the stop the position holds lies beyond the
 * trigger. One hedge per cycle. The leg is owned by the same actor (X-RT-2): its fills, its TP/SL and its PnL are the
 * cycle's, and the cycle does not end while the leg is open. Pure; Decimal over the context's decimal strings.
 */
import { hedgeOrderId, unhedgeOrderId } from '../../src/domain/clientOrderId.ts';
import { dec } from '../../src/domain/money.ts';
import type { PositionLeg, Side } from '../../src/domain/orders.ts';
import { averagePrice, emptyTotals, isPositive, type FillTotals } from './fillMath.ts';
import { heldLevels } from './stopManagement.ts';
import { entryLevels, newFill, openQuantity } from './tradeLogic.ts';
import type { TradeChartEvent, TradeContext } from './tradeTypes.ts';

/** The hedge a trade carries (absent: never hedged). */
export interface HedgePlan {
  /** Adverse move from the OEP at which the hedge opens (S0-12: 0.02 = −2 %). */
  readonly atFraction: string;
}

/** Where the cycle's hedge stands. */
export type HedgeStatus = 'none' | 'opening' | 'protecting' | 'open' | 'closing' | 'closed' | 'failed';

/** The hedge leg of a cycle: its orders, fills and levels (decimal strings). */
export interface HedgeState {
  readonly status: HedgeStatus;
  /** Opening orders sent (the n of the last `-h<n>`). */
  readonly orders: number;
  /** Closing orders sent (the n of the last `-u<n>`). */
  readonly closes: number;
  /** The size asked for: the position's size when it opened. */
  readonly quantity: string;
  readonly entry: FillTotals;
  /** Fills that closed the leg: our closing orders' and the venue's own (its TP/SL). */
  readonly exit: FillTotals;
  readonly takeProfit: string | null;
  readonly stopLoss: string | null;
  /** Why the hedge failed or was closed by us, for the notice and the journal. */
  readonly why: string | null;
}

/** The hedge of a new cycle. */
export const initialHedge: HedgeState = { status: 'none', orders: 0, closes: 0, quantity: '0', entry: emptyTotals, exit: emptyTotals, takeProfit: null, stopLoss: null, why: null };

/** The cycle's hedge (a context restored from before the hedge existed has none: the initial one). */
export const hedgeOf = (c: Pick<TradeContext, 'hedge'>): HedgeState => (c as { readonly hedge?: HedgeState }).hedge ?? initialHedge;

/** The leg a position of this side lives on in hedge mode. */
export const mainLegOf = (side: Side): PositionLeg => (side === 'buy' ? 'long' : 'short');

/** The leg its hedge lives on: the other one. */
export const hedgeLegOf = (side: Side): PositionLeg => (side === 'buy' ? 'short' : 'long');

/** The side of the order that opens the hedge (the opposite of the position's). */
export const hedgeSideOf = (side: Side): Side => (side === 'buy' ? 'sell' : 'buy');

/** The hedge a mark calls for: its size and levels, or undefined (no plan, done already, not far enough, C-11). */
export const plannedHedge = (c: TradeContext, price: string): { readonly quantity: string; readonly takeProfit: string; readonly stopLoss: string } | undefined => {
  const plan = c.intent?.hedge;
  // C-11: the auto-SL case never carries a plan (the planner leaves it out), so it never hedges.
  if (c.intent === null || plan === undefined || c.openingPrice === null || hedgeOf(c).status !== 'none') return undefined;
  const held = heldLevels(c);
  const quantity = openQuantity(c);
  if (held === undefined || !isPositive(quantity)) return undefined;
  const sign = c.intent.side === 'buy' ? 1 : -1;
  const oep = dec(c.openingPrice);
  const adverse = oep.minus(dec(price)).div(oep).times(sign);
  if (adverse.lt(dec(plan.atFraction))) return undefined;
  // Only a stop beyond the trigger leaves room for the hedge (a nearer one closes the position first).
  const trigger = oep.times(dec(1).minus(dec(plan.atFraction).times(sign)));
  if (!dec(held.stopLoss).minus(trigger).times(sign).lt(0)) return undefined;
  // TP = the position's original stop (the signal's), SL = the OEP.
  return { quantity, takeProfit: entryLevels(c.intent, c.openingPrice).stopLoss, stopLoss: c.openingPrice };
};

const idOf = (e: TradeChartEvent): string | undefined => ('clientOrderId' in e ? e.clientOrderId : undefined);

/** The id of the cycle's n-th hedge opening order. */
export const hedgeId = (c: TradeContext, n: number): string | undefined => (c.intent === null ? undefined : hedgeOrderId(c.intent.clientOrderId, n));

/** The id of the cycle's n-th hedge closing order. */
export const unhedgeId = (c: TradeContext, n: number): string | undefined => (c.intent === null ? undefined : unhedgeOrderId(c.intent.clientOrderId, n));

/** Whether the event is about the hedge's opening order in flight. */
export const isHedgeOrderEvent = (c: TradeContext, e: TradeChartEvent): boolean => {
  const id = idOf(e);
  return id !== undefined && id === hedgeId(c, hedgeOf(c).orders) && c.orderIds.includes(id);
};

/** Whether the event is about the hedge's closing order in flight. */
export const isUnhedgeOrderEvent = (c: TradeContext, e: TradeChartEvent): boolean => {
  const id = idOf(e);
  return id !== undefined && id === unhedgeId(c, hedgeOf(c).closes) && c.orderIds.includes(id);
};

/** Whether the event reports the hedge leg (hedge mode names the leg; the position's own leg is not it). */
export const isHedgeLegEvent = (c: Pick<TradeContext, 'intent'>, e: TradeChartEvent): boolean =>
  c.intent !== null && (e.type === 'venue.positionChanged' || e.type === 'venue.protectionSet' || e.type === 'venue.protectionFailed') && e.leg === hedgeLegOf(c.intent.side);

/** The quantity of the hedge leg still open. */
export const hedgeOpenQuantity = (h: HedgeState): string => {
  const q = dec(h.entry.filledQuantity).minus(dec(h.exit.filledQuantity));
  return (q.gt(0) ? q : dec(0)).toString();
};

/** Whether the hedge leg holds anything we must close: opened (in part or in full) and not reported flat. */
export const hasOpenHedge = (c: Pick<TradeContext, 'hedge'>): boolean => {
  const h = hedgeOf(c);
  return (h.status === 'protecting' || h.status === 'open' || h.status === 'closing') && isPositive(hedgeOpenQuantity(h));
};

/** Whether this fill of the opening order completes the hedge's size. */
export const completesHedge = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  const h = hedgeOf(c);
  return f !== undefined && isHedgeOrderEvent(c, e) && dec(h.entry.filledQuantity).plus(dec(f.quantity)).gte(dec(h.quantity));
};

/** Whether this fill of the closing order leaves the hedge leg flat. */
export const closesHedge = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  return f !== undefined && isUnhedgeOrderEvent(c, e) && !dec(hedgeOpenQuantity(hedgeOf(c))).minus(dec(f.quantity)).gt(0);
};

/** Whether the event reports the hedge leg flat at the venue (its TP or SL, or our close). */
export const isHedgeLegFlat = (c: TradeContext, e: TradeChartEvent): boolean =>
  isHedgeLegEvent(c, e) && e.type === 'venue.positionChanged' && (e.side === 'flat' || !isPositive(e.quantity));

/** The hedge leg's realized PnL, net of its fees (zero before it closed anything). */
export const hedgePnl = (c: Pick<TradeContext, 'intent' | 'hedge'>): string => {
  const h = hedgeOf(c);
  const fees = dec(h.entry.fees).plus(dec(h.exit.fees));
  const entry = averagePrice(h.entry);
  const exit = averagePrice(h.exit);
  if (entry === null || exit === null) return fees.negated().toString();
  // The hedge is the opposite side: a long position's hedge gains as the price falls.
  const sign = c.intent?.side === 'buy' ? -1 : 1;
  const closed = dec(h.exit.filledQuantity);
  return dec(exit).minus(dec(entry)).times(closed).times(sign).minus(fees).toString();
};
