/**
 * S2's stop-distance capital arithmetic (S2-4, S2-5, C-20): the open risk of the book (what is lost if every stop
 * fills) and the allocation table that splits one round's total allocation across its signals by conviction rank.
 * Pure; performs no I/O and never sizes an order itself (sizing.ts does, using these figures).
 */
import { Decimal, ZERO, maxDec } from '../domain/money.ts';
import { Schema } from 'effect';
import { Fraction, TradeProposal } from '../domain/TradeProposal.ts';
import type { CapitalConfig } from './RiskConfig.ts';
import { ExactSum, positionNotionalAt, referencePrice, workingOrderWorstNotional } from './exposure.ts';
import type { MarketView, PortfolioView, PositionView, Veto, WorkingOrderView } from './views.ts';
import { veto } from './checks/types.ts';

/** The open risk of the book in the quote asset, and the symbols whose working entries could not be valued. */
export interface OpenRiskSnapshot {
  readonly total: Decimal;
  /** Symbols with a working entry that has neither a price nor a reference price: its risk is unknown. */
  readonly unpriced: ReadonlyArray<string>;
}

/**
 * Returns a position's risk: quantity × |entry − stop|; without a stop, its full notional (mark, else reference,
 * else entry), because nothing bounds the loss. The distance is absolute, as S2-4 words it: a stop trailed past
 * the entry still counts its distance (conservative).
 */
export const positionRisk = (p: PositionView, market: MarketView): Decimal => positionRiskAt(p, referencePrice(market.symbols[p.symbol]));

/** `positionRisk` with the symbol's reference price given (undefined: none known). */
export const positionRiskAt = (p: PositionView, ref: Decimal | undefined): Decimal =>
  p.stopLoss === undefined ? positionNotionalAt(p, ref) : p.quantity.abs().times(p.entryPrice.minus(p.stopLoss).abs());

/**
 * Returns a working entry's worst-case risk: quantity × |worst price − stop| with worst price = max(limit, reference)
 * (as for exposure); without a stop, its full worst-case notional. undefined when it cannot be valued.
 */
export const workingOrderRisk = (o: WorkingOrderView, ref: Decimal | undefined): Decimal | undefined => {
  const worst = workingOrderWorstNotional(o, ref);
  if (worst === undefined || o.stopLoss === undefined) return worst;
  const qty = o.quantity.abs();
  if (qty.isZero()) return ZERO;
  const worstPrice = worst.div(qty);
  return qty.times(worstPrice.minus(o.stopLoss).abs());
};

/** Returns the open risk of open positions plus non-reduce-only working orders (reduce-only orders only lower risk). */
export const computeOpenRisk = (portfolio: PortfolioView, market: MarketView): OpenRiskSnapshot => {
  // Summed exactly, as the ExposureBook keeps it (exposure.ts, ExactSum): the two agree to the last digit.
  const total = new ExactSum();
  const unpriced: string[] = [];
  for (const p of portfolio.positions) {
    if (!p.quantity.isZero()) total.add(positionRisk(p, market));
  }
  for (const o of portfolio.workingOrders) {
    if (o.reduceOnly) continue;
    const r = workingOrderRisk(o, referencePrice(market.symbols[o.symbol]));
    if (r === undefined) unpriced.push(o.symbol);
    else total.add(r);
  }
  return { total: total.value, unpriced };
};

/** Returns the largest entry notional whose stop-distance risk fits `riskBudget` at a stop fraction `stopFraction`. */
export const notionalForRisk = (riskBudget: Decimal, stopFraction: Decimal): Decimal =>
  stopFraction.gt(0) ? maxDec(riskBudget, ZERO).div(stopFraction) : maxDec(riskBudget, ZERO);

/** What the allocation table gives one signal of a round. */
export interface Allocation<P> {
  readonly proposal: P;
  /** 1-based conviction rank within the round. */
  readonly rank: number;
  /** The table weight (share of the total allocation). */
  readonly weight: number;
  /** weight × totalAllocation: the NAV fraction this signal may ask for (computed in Decimal, then to a number). */
  readonly notionalFraction: number;
}

/** One round's allocation: the signals that fit the table, and the lower-ranked ones refused. */
export interface AllocationRound<P> {
  readonly allocated: ReadonlyArray<Allocation<P>>;
  readonly vetoed: ReadonlyArray<{ readonly proposal: P; readonly rank: number; readonly veto: Veto }>;
}

/** Returns the number of signals one round may allocate: the table's largest row (4 for S2, C-20). */
export const allocationRoundSize = (table: Readonly<Record<string, ReadonlyArray<number>>>): number => Object.keys(table).length;

/**
 * Splits `totalAllocation` across the proposals of one round (S2-5, C-20). Proposals are ranked by conviction,
 * highest first (a stable sort, so equal convictions keep the caller's order); the top N (N = the table's largest
 * row) get row min(count, N)'s weights in rank order; the rest are refused with `allocation_round_full`.
 */
export const allocate = <P extends { readonly conviction: number }>(
  proposals: ReadonlyArray<P>,
  table: Readonly<Record<string, ReadonlyArray<number>>>,
  totalAllocation: number,
): AllocationRound<P> => {
  const ranked = proposals.map((proposal, i) => ({ proposal, i })).sort((a, b) => b.proposal.conviction - a.proposal.conviction || a.i - b.i);
  const roundSize = allocationRoundSize(table);
  const taken = Math.min(ranked.length, roundSize);
  const row = taken === 0 ? [] : table[String(taken)];
  if (row === undefined || row.length !== taken) throw new RangeError(`allocation table has no valid row for ${String(taken)} signals`);
  const total = new Decimal(totalAllocation);
  const allocated: Allocation<P>[] = [];
  const vetoed: Array<{ proposal: P; rank: number; veto: Veto }> = [];
  ranked.forEach(({ proposal }, i) => {
    const rank = i + 1;
    const weight = row[i];
    if (weight !== undefined) {
      allocated.push({ proposal, rank, weight, notionalFraction: new Decimal(weight).times(total).toNumber() });
    } else {
      vetoed.push({
        proposal,
        rank,
        veto: veto('allocation_round_full', 'allocation_round', roundSize, rank, roundSize, `signal ranked ${String(rank)} by conviction; a round allocates at most ${String(roundSize)} (C-20)`),
      });
    }
  });
  return { allocated, vetoed };
};

/**
 * Applies the allocation table to one round of TradeProposals when `capital.useAllocationTable` is on: each kept
 * proposal's notionalFraction becomes its table share of totalAllocationFraction. When off, every proposal passes
 * unchanged and nothing is refused. The RiskEngine then checks each returned proposal as usual.
 */
export const applyAllocation = (
  proposals: ReadonlyArray<TradeProposal>,
  capital: CapitalConfig,
): { readonly proposals: ReadonlyArray<TradeProposal>; readonly vetoed: AllocationRound<TradeProposal>['vetoed'] } => {
  if (!capital.useAllocationTable) return { proposals, vetoed: [] };
  const round = allocate(proposals, capital.allocationTable, capital.totalAllocationFraction);
  const toFraction = Schema.decodeSync(Fraction);
  return { proposals: round.allocated.map((a) => new TradeProposal({ ...a.proposal, notionalFraction: toFraction(a.notionalFraction) })), vetoed: round.vetoed };
};
