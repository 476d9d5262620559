/**
 * The integrator's per-strategy caps (S3-6): where the proposals of every strategy of a decision round meet, before
 * the RiskEngine's global caps. Per strategy (its section's `caps`): `maxTradesPerCycle` entries in the round, and
 * `maxAtRiskFraction` of the account's NAV at risk — the notional of its own open positions (at mark) and working
 * entries (worst case) on that account, plus what its entries earlier in the round asked for. An entry beyond the
 * trade count is dropped; one beyond the at-risk cap is scaled down to the headroom, floored to the instrument's step
 * at the touch (or the last trade, if higher), or dropped when that leaves nothing — both with `strategy_cap`. Exits are never capped. Pure: the
 * views come in, the kept proposals and the vetoes go out; no I/O.
 */
import { Decimal, ZERO, maxDec } from '../domain/money.ts';
import { floorQuantity } from '../domain/rounding.ts';
import { TradeProposal, type Fraction } from '../domain/TradeProposal.ts';
import type { StrategyCapRecord } from '../journal/events.ts';
import type { HeldPosition } from '../market/MarketState.ts';
import { aggregateFor, positionNotional, referencePrice, workingOrderWorstNotional } from '../risk/exposure.ts';
import type { RiskDecision } from '../risk/RiskEngine.ts';
import { veto } from '../risk/checks/types.ts';
import type { MarketView, PortfolioView } from '../risk/views.ts';

/** One strategy's caps (config `strategies.<id>.caps`); a missing key is no cap. */
export interface StrategyCapLimits {
  readonly maxAtRiskFraction?: number | undefined;
  readonly maxTradesPerCycle?: number | undefined;
}

/** The views of the account a proposal's symbol belongs to; the same object for every proposal of that account. */
export interface AccountViews {
  readonly portfolio: PortfolioView;
  readonly market: MarketView;
}

/** What the caps are judged against. */
export interface StrategyCapInputs {
  readonly now: number;
  /** The session's open positions by symbol, with the strategy that opened each (the merged snapshot's). */
  readonly positions: ReadonlyMap<string, HeldPosition> | undefined;
  /** The views of a proposal's account (asked only for strategies with an at-risk cap). */
  readonly accountOf: (proposal: TradeProposal) => AccountViews;
}

/** A round after the per-strategy caps. */
export interface CappedRound {
  /** The proposals for the RiskEngine, in their order; a downscaled one replaces its original. */
  readonly proposals: ReadonlyArray<TradeProposal>;
  readonly vetoed: ReadonlyArray<{ readonly proposal: TradeProposal; readonly decision: RiskDecision & { readonly kind: 'veto' } }>;
  /** The downscale of each smaller proposal, by proposal id (journaled on its RISK_DECISION). */
  readonly downscaled: ReadonlyMap<string, StrategyCapRecord>;
}

const NONE: CappedRound['vetoed'] = [];
const NO_DOWNSCALES: ReadonlyMap<string, StrategyCapRecord> = new Map();
/** Downscaled notional fractions are floored to this grid, so the number handed on never exceeds the headroom. */
const FRACTION_STEP = new Decimal('1e-12');

const isExit = (p: TradeProposal, held: HeldPosition | undefined): boolean =>
  held !== undefined && !held.quantity.isZero() && ((held.side === 'long' && p.side === 'sell') || (held.side === 'short' && p.side === 'buy'));

/**
 * Notional the strategy has at risk on the account: its own open positions and working entries — the entries' sum read
 * from the view's exposure aggregate when it carries one (issue 17), else summed over the working orders.
 */
const committed = (strategyId: string, v: AccountViews, positions: ReadonlyMap<string, HeldPosition> | undefined): Decimal => {
  let sum = ZERO;
  for (const p of v.portfolio.positions) {
    if (!p.quantity.isZero() && positions?.get(p.symbol)?.strategyId === strategyId) sum = sum.plus(positionNotional(p, v.market.symbols[p.symbol]));
  }
  const figures = aggregateFor(v.portfolio, v.market);
  if (figures !== undefined) return sum.plus(figures.strategyWorkingWorst(strategyId));
  for (const o of v.portfolio.workingOrders) {
    if (o.reduceOnly || o.strategyId !== strategyId) continue;
    sum = sum.plus(workingOrderWorstNotional(o, referencePrice(v.market.symbols[o.symbol])) ?? ZERO);
  }
  return sum;
};

/** Applies every strategy's own caps to one round of proposals (S3-6). */
export const applyStrategyCaps = (proposals: ReadonlyArray<TradeProposal>, caps: ReadonlyMap<string, StrategyCapLimits>, inputs: StrategyCapInputs): CappedRound => {
  if (caps.size === 0 || !proposals.some((p) => caps.has(p.strategyId))) return { proposals, vetoed: NONE, downscaled: NO_DOWNSCALES };
  const kept: TradeProposal[] = [];
  const vetoed: Array<CappedRound['vetoed'][number]> = [];
  const downscaled = new Map<string, StrategyCapRecord>();
  const entries = new Map<string, number>();
  // At-risk use per strategy and account (keyed by the account's views): committed before the round, plus the round's entries.
  const used = new Map<AccountViews, Map<string, Decimal>>();
  const drop = (p: TradeProposal, v: ReturnType<typeof veto>): void => {
    vetoed.push({ proposal: p, decision: { kind: 'veto', decisionId: `rd-${p.proposalId}-${inputs.now.toString(36)}`, proposalId: p.proposalId, veto: v, rule: 'strategyCaps', trace: ['strategyCaps'] } });
  };
  for (const p of proposals) {
    const limits = caps.get(p.strategyId);
    if (limits === undefined || isExit(p, inputs.positions?.get(p.symbol))) {
      kept.push(p);
      continue;
    }
    const trades = entries.get(p.strategyId) ?? 0;
    if (limits.maxTradesPerCycle !== undefined && trades + 1 > limits.maxTradesPerCycle) {
      drop(p, veto('strategy_cap', 'strategy_trades_per_cycle', trades, trades + 1, limits.maxTradesPerCycle, `${p.strategyId} already proposed ${trades} entries this cycle (its own cap: ${limits.maxTradesPerCycle})`));
      continue;
    }
    let out = p;
    if (limits.maxAtRiskFraction !== undefined) {
      const v = inputs.accountOf(p);
      const nav = v.portfolio.nav;
      if (nav.gt(0)) {
        const byStrategy = used.get(v) ?? new Map<string, Decimal>();
        used.set(v, byStrategy);
        const before = byStrategy.get(p.strategyId) ?? committed(p.strategyId, v, inputs.positions);
        const asked = nav.times(p.notionalFraction);
        const limit = nav.times(limits.maxAtRiskFraction);
        if (before.plus(asked).gt(limit)) {
          const figures = { current: before.div(nav), proposed: before.plus(asked).div(nav), limit: new Decimal(limits.maxAtRiskFraction) };
          const message = `${p.strategyId} at risk would go from ${figures.current.toString()} to ${figures.proposed.toString()} of NAV; its own cap ${figures.limit.toString()}`;
          const m = v.market.symbols[p.symbol];
          // The touch or the last trade, whichever is higher: the order never counts more than this against the cap.
          const touch = p.side === 'buy' ? m?.ask : m?.bid;
          const price = touch !== undefined && m?.last !== undefined ? maxDec(touch, m.last) : (touch ?? m?.last);
          const step = m?.instrument?.quantityStep;
          const headroom = limit.minus(before);
          const quantity = price !== undefined && price.gt(0) && step !== undefined && headroom.gt(0) ? floorQuantity(headroom.div(price), step) : ZERO;
          const fraction = floorQuantity(quantity.times(price ?? ZERO).div(nav), FRACTION_STEP);
          if (!fraction.gt(0)) {
            drop(p, veto('strategy_cap', 'strategy_at_risk', figures.current, figures.proposed, figures.limit, message));
            continue;
          }
          out = new TradeProposal({ ...p, notionalFraction: fraction.toNumber() as Fraction });
          downscaled.set(p.proposalId, {
            reason: 'strategy_cap', cap_type: 'strategy_at_risk', current: figures.current.toString(), proposed: figures.proposed.toString(), limit: figures.limit.toString(),
            requested_notional_fraction: new Decimal(p.notionalFraction).toString(), notional_fraction: fraction.toString(), message: `${message}: scaled down to ${fraction.toString()} of NAV (${quantity.toString()} at ${price!.toString()})`,
          });
        }
        byStrategy.set(p.strategyId, before.plus(nav.times(out.notionalFraction)));
      }
    }
    entries.set(p.strategyId, trades + 1);
    kept.push(out);
  }
  return { proposals: kept, vetoed, downscaled };
};
