/**
 * The trade chart's side of the S0-9 pyramid ladder (`opened.laddering`): which step a mark calls for, judged on the
 * cycle's own fills and the stop the venue confirmed, and which events belong to the step in flight. Add-ons are
 * market IOC orders under `<base>-a<n>`; their fills are entry fills (the OEP, the first fill, never changes). The
 * rules themselves live in src/domain/ladder.ts. Pure; performs no I/O.
 */
import { addOnOrderId } from '../../src/domain/clientOrderId.ts';
import { initialLadder, plannedLadderStep, type LadderState, type PlannedLadderStep } from '../../src/domain/ladder.ts';
import { dec } from '../../src/domain/money.ts';
import { averagePrice } from './fillMath.ts';
import { newFill, openQuantity } from './tradeLogic.ts';
import type { TradeChartEvent, TradeContext } from './tradeTypes.ts';

/** The cycle's ladder (a context restored from before the ladder existed has none: the initial one). */
export const ladderOf = (c: Pick<TradeContext, 'ladder'>): LadderState => (c as { readonly ladder?: LadderState }).ladder ?? initialLadder;

/** Returns the ladder step a mark calls for, or undefined (no ladder, no position, nothing due). */
export const ladderStepAt = (c: TradeContext, price: string): PlannedLadderStep | undefined => {
  const plan = c.intent?.ladder;
  const average = averagePrice(c.entry);
  if (c.intent === null || plan === undefined || c.openingPrice === null || average === null) return undefined;
  return plannedLadderStep(plan, ladderOf(c), {
    side: c.intent.side, openingPrice: c.openingPrice, quantity: openQuantity(c), averagePrice: average,
    breakEvenConfirmed: c.stop.phase !== 'entry',
    // TP2..TPn are not placed (one TP closes the whole position), so no TP hit ever leaves a position open yet.
    takeProfitHit: false,
  }, price);
};

/** The client order id of the cycle's n-th add-on. */
export const addOnId = (c: TradeContext, n: number): string | undefined => (c.intent === null ? undefined : addOnOrderId(c.intent.clientOrderId, n));

/** Whether the event is about the add-on in flight. */
export const isPendingAddOnEvent = (c: TradeContext, e: TradeChartEvent): boolean => {
  const l = ladderOf(c);
  return l.pending?.kind === 'addOn' && 'clientOrderId' in e && e.clientOrderId === addOnId(c, l.addOns);
};

/** Filled quantity of the add-on in flight. */
const pendingFilled = (c: TradeContext): string => {
  const id = addOnId(c, ladderOf(c).addOns);
  return id === undefined ? '0' : (c.orderFilled[id] ?? '0');
};

/** Whether this fill completes the add-on in flight (guards see the ledger before this event's fill is counted). */
export const completesAddOn = (c: TradeContext, e: TradeChartEvent): boolean => {
  const p = ladderOf(c).pending;
  const f = newFill(c, e);
  return f !== undefined && isPendingAddOnEvent(c, e) && p?.kind === 'addOn' && dec(pendingFilled(c)).plus(dec(f.quantity)).gte(dec(p.quantity));
};

/** Whether any of the add-on in flight filled (an IOC remainder that expired still added this much). */
export const addOnFilledSome = (c: TradeContext): boolean => dec(pendingFilled(c)).gt(0);
