/**
 * Small pure helpers the built-in strategies share: a proposal fraction from a number already in [0, 1], a per-symbol
 * state record without one key (state values are immutable; the runtime hands them back next cycle), and the maker of
 * a strategy's proposals from what they all share.
 */
import { TradeProposal, type Fraction } from '../domain/TradeProposal.ts';

/** Brands a number the strategy computed in [0, 1] as a Fraction (the proposal's schema checks it again). */
export const fraction = (n: number): Fraction => n as Fraction;

/** Returns `record` without `key` (the same object when the key is absent). */
export const without = <V>(record: Readonly<Record<string, V>>, key: string): Readonly<Record<string, V>> => {
  if (!(key in record)) return record;
  const { [key]: _dropped, ...rest } = record;
  return rest;
};

/** What every proposal of one strategy shares: its id, instrument kind, protective distances and time to live. */
export interface ProposalBase {
  readonly strategyId: string;
  readonly instrumentKind: TradeProposal['instrumentKind'];
  readonly stopLossFraction: number;
  readonly takeProfitFraction: number;
  readonly ttlMs: number;
}

/** What one proposal says on top of its strategy's base (numbers in [0, 1] the strategy computed). */
export interface ProposalFields {
  readonly proposalId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly notionalFraction: number;
  readonly conviction: number;
  readonly createdAt: number;
  /** Overrides the base's kind (an inverse ETF bought for a bearish setup). */
  readonly instrumentKind?: TradeProposal['instrumentKind'] | undefined;
}

/** Returns the maker of a strategy's proposals. */
export const proposalMaker = (base: ProposalBase) => (p: ProposalFields): TradeProposal =>
  new TradeProposal({
    proposalId: p.proposalId, strategyId: base.strategyId, symbol: p.symbol, side: p.side, instrumentKind: p.instrumentKind ?? base.instrumentKind,
    notionalFraction: fraction(p.notionalFraction), stopLossFraction: fraction(base.stopLossFraction), takeProfitFraction: fraction(base.takeProfitFraction),
    conviction: fraction(p.conviction), createdAt: p.createdAt, ttlMs: base.ttlMs,
  });
