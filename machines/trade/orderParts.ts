/**
 * Orders above the venue's maximum quantity (S0-16): the pure rules behind the trade chart's split entries and exits.
 * An entry is cut once, when the intent arrives, into parts of at most the maximum (`splitQuantity`: as many full
 * parts as fit, then the remainder on the step), so the same intent always gives the same parts; the chart sends them
 * one after another, the next when the one before filled in full, each under its own id (`<base>-p<n>`), so the
 * position never runs ahead of what the RiskEngine approved and a refusal stops the rest. An exit or flatten is sent
 * for at most the maximum of its order type; the next goes out when it filled in full and the position is still
 * open. Decimal throughout; performs no I/O.
 */
import { dec } from '../../src/domain/money.ts';
import { MAX_SPLIT_PARTS, splitQuantity } from '../../src/domain/rounding.ts';
import { newFill } from './tradeLogic.ts';
import type { TradeChartEvent, TradeContext, TradeIntent } from './tradeTypes.ts';

/** The venue's per-order quantity limits for the intent's symbol (decimal strings); absent on an intent, nothing is split. */
export interface OrderLimits {
  /** Largest quantity of one limit order. */
  readonly maxLimitQuantity: string;
  /** Largest quantity of one market order. */
  readonly maxMarketQuantity: string;
  readonly quantityStep: string;
}

/** The largest quantity one order of this type may carry (limit when priced, market otherwise), or undefined: no limit. */
const capOf = (intent: Pick<TradeIntent, 'limits'>, priced: boolean): string | undefined =>
  intent.limits === undefined ? undefined : priced ? intent.limits.maxLimitQuantity : intent.limits.maxMarketQuantity;

/** Whether `quantity` cannot be split at `cap`: no cap below one step, or more parts than MAX_SPLIT_PARTS. */
const unsplittable = (limits: OrderLimits, quantity: string, cap: string): boolean =>
  dec(cap).lt(dec(limits.quantityStep)) || dec(quantity).div(dec(cap)).gt(MAX_SPLIT_PARTS);

/** Returns the parts of one leg: its quantity when it fits one order, else the deterministic split. */
const legParts = (intent: Pick<TradeIntent, 'limits'>, quantity: string, priced: boolean): ReadonlyArray<string> => {
  const cap = capOf(intent, priced);
  if (cap === undefined || intent.limits === undefined || dec(quantity).lte(dec(cap))) return [quantity];
  // A split that cannot be made (a maximum below one step, more parts than MAX_SPLIT_PARTS) is a sizing error; a
  // chart never throws, so such an intent goes out whole and the venue's refusal ends it.
  if (unsplittable(intent.limits, quantity, cap)) return [quantity];
  return splitQuantity(dec(quantity), dec(cap), dec(intent.limits.quantityStep)).map(String);
};

type PartsIntent = Pick<TradeIntent, 'quantity' | 'price' | 'limits' | 'legs'>;

/**
 * Returns the parts of an intent's entry, in sending order: each leg's parts (S0-7; one leg when the intent has no
 * legs), a leg that fits one order as itself, a larger one split deterministically (S0-16).
 */
export const entryPartsOf = (intent: PartsIntent): ReadonlyArray<string> =>
  intent.legs === undefined
    ? legParts(intent, intent.quantity, intent.price !== undefined)
    : intent.legs.flatMap((leg) => legParts(intent, leg.quantity, true));

/**
 * Returns the price of entry part `n` when it is the first part of a leg after the first (S0-7: the second leg's own
 * price); undefined otherwise — a later part of the same leg goes out at the price that leg works at.
 */
export const legPriceOfPart = (intent: PartsIntent, n: number): string | undefined => {
  if (intent.legs === undefined) return undefined;
  let start = 0;
  for (const leg of intent.legs) {
    if (n === start && start > 0) return leg.price;
    start += legParts(intent, leg.quantity, true).length;
  }
  return undefined;
};

/** Returns the quantity of the current entry part (the intent's quantity for an entry that was not split). */
export const currentPartQuantity = (c: Pick<TradeContext, 'intent' | 'entryParts' | 'entryPart'>): string =>
  c.entryParts[c.entryPart] ?? c.intent?.quantity ?? '0';

/**
 * Returns whether this fill of the current entry order fills its part in full while more parts are left: the next
 * part goes out (or, where it may not, the entry ends with what it filled).
 */
export const completesPart = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  if (f === undefined || c.entryClientOrderId === null || f.clientOrderId !== c.entryClientOrderId || c.entryDone) return false;
  if (c.entryPart + 1 >= c.entryParts.length) return false;
  return dec(c.orderFilled[f.clientOrderId] ?? '0').plus(dec(f.quantity)).gte(dec(currentPartQuantity(c)));
};

/** Returns the quantity of the next exit (or flatten) order: what is open, at most the venue's maximum for its type. */
export const exitPartQuantity = (intent: Pick<TradeIntent, 'limits'>, open: string, priced: boolean): string => {
  const cap = capOf(intent, priced);
  if (cap === undefined || intent.limits === undefined || dec(open).lte(dec(cap)) || unsplittable(intent.limits, open, cap)) return open;
  return splitQuantity(dec(open), dec(cap), dec(intent.limits.quantityStep))[0]?.toString() ?? open;
};

/**
 * Returns whether this fill completes the last exit order sent while the position stays open (more than it covers is
 * still held): the next exit part goes out.
 */
export const completesExitPart = (c: TradeContext, e: TradeChartEvent): boolean => {
  const f = newFill(c, e);
  const last = c.exitClientOrderIds[c.exitClientOrderIds.length - 1];
  if (f === undefined || last === undefined || f.clientOrderId !== last) return false;
  const size = c.orderSizes[last];
  if (size === undefined || dec(c.orderFilled[last] ?? '0').plus(dec(f.quantity)).lt(dec(size))) return false;
  return dec(c.exit.filledQuantity).plus(dec(f.quantity)).lt(dec(c.entry.filledQuantity));
};
