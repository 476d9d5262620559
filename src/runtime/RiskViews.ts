/**
 * Builds the RiskEngine's inputs for one venue account from its read models: the portfolio view (positions and NAV
 * from the venue, working orders from the journal's projection, cooldowns, trading state, breakers, actor
 * availability) and the market view (quotes, bars, mid history, product status, symbol gates, clock and dependency
 * health, regime). Read-only; every decision of the one gate is made from these.
 */
import { ZERO, type Decimal } from '../domain/money.ts';
import type { Instrument } from '../domain/Instrument.ts';
import type { ApprovalBook } from '../execution/ApprovalBook.ts';
import type { Journal, JournalOrderState } from '../journal/Journal.ts';
import type { HeldPosition, MarketState } from '../market/MarketState.ts';
import type { Portfolio } from '../portfolio/Portfolio.ts';
import type { Regime } from '../risk/RiskConfig.ts';
import type { TradingState } from '../risk/TradingState.ts';
import type { ActorAvailability, MarketView, PortfolioView, ProductStatus, SymbolMarketView } from '../risk/views.ts';
import type { Strategy } from '../strategies/Strategy.ts';
import { acceptsEntry, acceptsExit } from '../../machines/trade/tradeQueries.ts';
import type { HostRegistry } from './ports.ts';

/** The projection states whose orders are working (open, or sent with the outcome not yet known). */
export const WORKING_ORDER_STATES: ReadonlyArray<JournalOrderState> = ['requested', 'ambiguous', 'new', 'partially_filled', 'untriggered'];

/** What the views are built from. */
export interface RiskViewSources {
  readonly symbols: ReadonlyArray<string>;
  readonly journal: Journal;
  readonly portfolio: Portfolio;
  readonly market: MarketState;
  readonly state: TradingState;
  readonly approvals: ApprovalBook;
  readonly hosts: HostRegistry;
  readonly strategies: ReadonlyArray<Strategy<unknown>>;
  readonly instrument: (symbol: string) => Instrument | undefined;
  readonly clock: () => { readonly offsetMs: number; readonly skewBlocked: boolean };
  readonly dependencies: () => Readonly<Record<string, 'up' | 'down'>>;
  readonly regime: Regime;
  readonly groups: Readonly<Record<string, string>>;
  /** Whether the venue can hold a short at all (spot and cash equity cannot). */
  readonly venueShorting: boolean;
}

const productStatusOf = (i: Instrument | undefined): ProductStatus => (i === undefined ? 'unknown' : i.status === 'trading' ? 'online' : i.status === 'halted' ? 'offline' : 'unknown');

/** Returns the account's open positions by symbol, as the strategies' snapshot carries them. */
export const heldPositions = (portfolio: Portfolio): ReadonlyMap<string, HeldPosition> =>
  new Map(portfolio.openPositions().map((p) => [p.symbol, { side: p.side as 'long' | 'short', quantity: p.quantity, entryPrice: p.entryPrice }]));

/** Returns the portfolio view at `now`, counting this round's approvals per strategy. */
export const portfolioView = (src: RiskViewSources, now: number, tradesThisCycle: ReadonlyMap<string, number>): PortfolioView => {
  const positions = src.portfolio.openPositions().map((p) => ({
    symbol: p.symbol, side: p.side as 'long' | 'short', quantity: p.quantity, entryPrice: p.entryPrice, markPrice: p.markPrice, stopLoss: p.stopLoss,
  }));
  const working = src.journal.ordersInState(WORKING_ORDER_STATES).map((o) => ({
    symbol: o.symbol, side: o.side, quantity: o.quantity.minus(o.filledQuantity), price: o.price, stopLoss: src.approvals.get(o.intentId)?.stopLoss,
    reduceOnly: o.reduceOnly, strategyId: o.strategyId ?? 'unknown',
  }));
  const strategies: Record<string, { committedNotional: Decimal; tradesThisCycle: number }> = {};
  const held = positions.reduce((a, p) => a.plus(p.quantity.times(p.entryPrice)), ZERO);
  for (const s of src.strategies) {
    const committed = working.filter((w) => w.strategyId === s.id && !w.reduceOnly).reduce((a, w) => a.plus(w.quantity.times(w.price ?? ZERO)), ZERO).plus(held);
    strategies[s.id] = { committedNotional: committed, tradesThisCycle: tradesThisCycle.get(s.id) ?? 0 };
  }
  const actors: Record<string, ActorAvailability> = {};
  for (const symbol of src.symbols) {
    const host = src.hosts.host(symbol);
    const running = host !== undefined && !host.isStopped();
    const snapshot = running ? host.snapshot() : undefined;
    actors[symbol] = { available: running, acceptsEntry: snapshot !== undefined && acceptsEntry(snapshot), acceptsExit: snapshot !== undefined && acceptsExit(snapshot) };
  }
  const kill = src.state.killSwitch();
  return {
    nav: src.portfolio.nav(), accountSnapshotTs: src.portfolio.navTimestamp(), positions, workingOrders: working, strategies,
    cooldowns: src.state.cooldowns(now), tradingState: src.state.state(), kill, drawdown: { breach: src.state.breach() },
    brokerDesync: src.state.brokerDesync(), groups: src.groups, actors,
  };
};

/** Returns the market view now. */
export const marketView = (src: RiskViewSources): MarketView => {
  const symbols: Record<string, SymbolMarketView> = {};
  for (const symbol of src.symbols) {
    const m = src.market.get(symbol);
    const instrument = src.instrument(symbol);
    const g = src.state.gates(symbol);
    symbols[symbol] = {
      instrument, bid: m?.bid, ask: m?.ask, bidSize: m?.bidSize, askSize: m?.askSize, last: m?.lastPrice,
      quoteTs: m?.quoteTs, lastBarCloseTs: m?.lastBarCloseTs, productStatus: productStatusOf(instrument), midHistory: src.market.midHistory(symbol),
      gates: { blocked: g.blocked, quarantined: g.quarantined, paused: g.paused },
    };
  }
  return { symbols, clock: src.clock(), dependencies: src.dependencies(), regime: src.regime, venueShorting: src.venueShorting };
};
