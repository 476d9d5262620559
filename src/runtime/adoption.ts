/**
 * Protection of an adopted position (X-REC-4, X-ORD-6): a position at the venue that no trade actor owns — found at
 * start-up, or left behind when recovery ended an actor's cycle — gets TP/SL from the configured fractions. Used by
 * start-up recovery and by the periodic venue check, which re-protects an adopted position whose venue-side stop
 * filled only part of it and cleared the stops.
 */
import { dec, type Decimal } from '../domain/money.ts';
import type { ExecutionEvent } from '../domain/events.ts';
import type { Position, ProtectionRequest, TriggerSource } from '../domain/orders.ts';
import { protectionPrices } from '../../machines/trade/tradeLogic.ts';

/** How adopted positions are protected. */
export interface AdoptionPolicy {
  /** TP/SL distances from the reference price, as fractions. */
  readonly fractions: { readonly takeProfit: Decimal; readonly stopLoss: Decimal };
  readonly trigger: TriggerSource;
  /** Tick size of a symbol (protection prices are rounded to it). */
  tickSize(symbol: string): Decimal | undefined;
}

/** The policy from the reconcile settings. */
export const adoptionPolicy = (
  rs: { readonly adoptTakeProfitFraction: Decimal; readonly adoptStopLossFraction: Decimal }, trigger: TriggerSource, tickSize: (symbol: string) => Decimal | undefined,
): AdoptionPolicy => ({ fractions: { takeProfit: rs.adoptTakeProfitFraction, stopLoss: rs.adoptStopLossFraction }, trigger, tickSize });

/**
 * TP/SL for an adopted position: the levels it still has, the missing ones from `from` — its entry price, or its mark
 * price when the market is already past the entry's levels (a stop that fired in part).
 */
export const adoptedProtection = (p: Position, policy: AdoptionPolicy, from: 'entry' | 'mark' = 'entry'): ProtectionRequest => {
  const side = p.side === 'long' ? 'buy' : 'sell';
  const reference = from === 'mark' ? (p.markPrice ?? p.entryPrice) : p.entryPrice;
  const levels = protectionPrices(side, reference.toString(), policy.fractions.takeProfit.toString(), policy.fractions.stopLoss.toString(), (policy.tickSize(p.symbol) ?? dec('0.0001')).toString());
  const keep = from === 'entry';
  return {
    symbol: p.symbol,
    // S0-12: a hedge-mode leg is protected on its own leg.
    ...(p.leg === undefined ? {} : { leg: p.leg }),
    takeProfit: (keep ? p.takeProfit : undefined) ?? dec(levels.takeProfit),
    stopLoss: (keep ? p.stopLoss : undefined) ?? dec(levels.stopLoss),
    trigger: policy.trigger,
  };
};

/** What protecting an adopted position did. */
export interface AdoptedProtectionOutcome {
  readonly request: ProtectionRequest;
  readonly result: ExecutionEvent;
  /** Where the levels that were sent last came from. */
  readonly from: 'entry' | 'mark';
}

/**
 * Protects an adopted position through the execution path: first from its entry (its own levels kept); when the venue
 * refuses those and the position has a mark, once more from the mark.
 */
export const protectAdopted = async (
  p: Position, policy: AdoptionPolicy, protect: (r: ProtectionRequest) => Promise<ExecutionEvent>,
): Promise<AdoptedProtectionOutcome> => {
  const request = adoptedProtection(p, policy, 'entry');
  const result = await protect(request);
  if (result.type !== 'venue.protectionFailed' || p.markPrice === undefined) return { request, result, from: 'entry' };
  const fromMark = adoptedProtection(p, policy, 'mark');
  return { request: fromMark, result: await protect(fromMark), from: 'mark' };
};
