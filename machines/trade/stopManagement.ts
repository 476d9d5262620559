/**
 * Stop management from the OEP (S0-8, S0-11, S0-13): the pure rules behind the trade chart's `opened.movingStop`,
 * `opened.breakEven` and `opened.trailing` states. Every level derives from the opening price (the first fill, never
 * the average): break-even moves the stop to OEP plus a small offset in the profit direction once the price has gone
 * `breakEvenAtFraction` in the trade's favour, once; trailing starts at `trailFromFraction` and keeps the stop
 * `trailDistanceFraction` behind the best price seen, moving it only forward and only by at least `trailStepFraction`
 * of the price (each move is a venue request). Once trailing, nothing but the trailer moves the stop. The runtime's
 * mark feed asks `plannedStopMove` too, so an actor is sent a mark only when it would act on it. Decimal throughout;
 * performs no I/O.
 */
import { dec, type Decimal } from '../../src/domain/money.ts';
import type { Side } from '../../src/domain/orders.ts';
import { roundPrice } from '../../src/domain/rounding.ts';
import { entryLevels } from './tradeLogic.ts';
import type { TradeContext } from './tradeTypes.ts';

/** The stop-management plan of a trade (fractions of the OEP as decimal strings); absent on an intent, nothing moves. */
export interface StopManagement {
  /** Favourable move from the OEP at which the stop goes to break-even (S0-11: 0.023 = +2.3 %). */
  readonly breakEvenAtFraction: string;
  /** Break-even stop beyond the OEP in the profit direction (S0-11: 0.000015). */
  readonly breakEvenOffsetFraction: string;
  /** Favourable move from the OEP at which the trailer takes over (S0-13: 0.061 = +6.1 %). */
  readonly trailFromFraction: string;
  /** Distance of the trailed stop behind the best price (S0-13: 0.025 = 2.5 %). */
  readonly trailDistanceFraction: string;
  /** Least forward move of the trailed stop, as a fraction of the price, before it is sent (venue rate limits). */
  readonly trailStepFraction: string;
}

/** Which rule set the stop the venue holds: the entry's, break-even's or the trailer's. */
export type StopPhase = 'entry' | 'breakEven' | 'trailing';

/** A stop move the chart decided and asked the venue for. */
export interface StopMove {
  readonly phase: Exclude<StopPhase, 'entry'>;
  readonly stopLoss: string;
}

/** The stop of a cycle: the phase and price the venue confirmed (null: the entry's), and the move in flight. */
export interface StopState {
  readonly phase: StopPhase;
  readonly stopLoss: string | null;
  readonly pending: StopMove | null;
}

/** The stop of a new cycle. */
export const initialStop: StopState = { phase: 'entry', stopLoss: null, pending: null };

/** Returns the TP and SL the actor holds for its position: TP from the OEP, SL the confirmed moved stop or the entry's. */
export const heldLevels = (c: Pick<TradeContext, 'intent' | 'openingPrice' | 'stop'>): { readonly takeProfit: string; readonly stopLoss: string } | undefined => {
  if (c.intent === null || c.openingPrice === null) return undefined;
  const levels = entryLevels(c.intent, c.openingPrice);
  return { takeProfit: levels.takeProfit, stopLoss: c.stop.stopLoss ?? levels.stopLoss };
};

/** +1 for a long, −1 for a short: a favourable move times the sign is positive. */
const signOf = (side: Side): 1 | -1 => (side === 'buy' ? 1 : -1);

/** Whether `a` is further in the profit direction than `b` by more than `by`. */
const ahead = (side: Side, a: Decimal, b: Decimal, by: Decimal): boolean => a.minus(b).times(signOf(side)).gt(by);

/**
 * Returns the stop move a price calls for, or undefined: the trailer's once the price is `trailFromFraction` past the
 * OEP (a first trail, or a forward move of at least the step), else break-even, once, from the entry's stop.
 */
export const plannedStopMove = (c: Pick<TradeContext, 'intent' | 'openingPrice' | 'stop'>, price: string): StopMove | undefined => {
  const plan = c.intent?.management;
  const held = heldLevels(c);
  if (c.intent === null || plan === undefined || held === undefined || c.openingPrice === null || c.stop.pending !== null) return undefined;
  const { side, tickSize } = c.intent;
  const sign = signOf(side);
  const oep = dec(c.openingPrice);
  const mark = dec(price);
  const tick = dec(tickSize);
  const current = dec(held.stopLoss);
  const favourable = mark.div(oep).minus(1).times(sign);
  if (favourable.gte(dec(plan.trailFromFraction))) {
    // Behind the price by the distance, rounded further behind (a long's stop down, a short's up).
    const trailed = roundPrice(mark.times(dec(1).minus(dec(plan.trailDistanceFraction).times(sign))), tick, side === 'buy' ? 'down' : 'up');
    const least = c.stop.phase === 'trailing' ? mark.times(dec(plan.trailStepFraction)) : dec(0);
    if (ahead(side, trailed, current, least) && ahead(side, mark, trailed, dec(0))) return { phase: 'trailing', stopLoss: trailed.toString() };
    return undefined;
  }
  if (c.stop.phase !== 'entry' || favourable.lt(dec(plan.breakEvenAtFraction))) return undefined;
  // Beyond the OEP in the profit direction, rounded further into profit (a long's stop up, a short's down).
  const breakEven = roundPrice(oep.times(dec(1).plus(dec(plan.breakEvenOffsetFraction).times(sign))), tick, side === 'buy' ? 'up' : 'down');
  return ahead(side, breakEven, current, dec(0)) && ahead(side, mark, breakEven, dec(0)) ? { phase: 'breakEven', stopLoss: breakEven.toString() } : undefined;
};
