/**
 * Builders for risk tests: one instrument, market, portfolio and proposal that pass every rule, so each test changes
 * only the input it is about. Test support; not imported by src.
 */
import { Decimal, dec } from '../../src/domain/money.ts';
import type { Instrument } from '../../src/domain/Instrument.ts';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { makeRiskConfig, type RiskConfig, type RiskConfigInput } from '../../src/risk/RiskConfig.ts';
import type { MarketView, PortfolioView, SymbolMarketView } from '../../src/risk/views.ts';

export const NOW = Date.UTC(2026, 10, 23, 14, 0, 0);

/** Returns an instrument with round filters: tick 0.01, step 0.001, min qty 0.001, max qty 100, min notional 5. */
export const instrument = (symbol = 'BTCUSDT', over: Partial<Instrument> = {}): Instrument => ({
  venue: 'sim',
  symbol,
  kind: 'spot',
  baseAsset: symbol.replace(/USDT$/, ''),
  quoteAsset: 'USDT',
  settleAsset: 'USDT',
  tickSize: dec('0.01'),
  quantityStep: dec('0.001'),
  minQuantity: dec('0.001'),
  maxQuantity: dec('100'),
  maxMarketQuantity: dec('100'),
  minNotional: dec('5'),
  minPrice: dec('0.01'),
  maxPrice: dec('1000000'),
  maxLeverage: dec('50'),
  status: 'trading',
  ...over,
});

/** Returns a healthy symbol market at bid 99.9 / ask 100 / last 100, fresh quote and bar. */
export const symbolMarket = (symbol = 'BTCUSDT', over: Partial<SymbolMarketView> = {}): SymbolMarketView => ({
  instrument: instrument(symbol),
  bid: dec('99.9'),
  ask: dec('100'),
  bidSize: dec('10'),
  askSize: dec('10'),
  last: dec('100'),
  quoteTs: NOW - 100,
  lastBarCloseTs: NOW - 1_000,
  productStatus: 'online',
  midHistory: [],
  ...over,
});

/** Returns a healthy market view holding the given symbols (BTCUSDT by default). */
export const market = (over: Partial<MarketView> = {}, symbols: ReadonlyArray<string> = ['BTCUSDT']): MarketView => ({
  symbols: Object.fromEntries(symbols.map((s) => [s, symbolMarket(s)])),
  clock: { offsetMs: 5, skewBlocked: false },
  dependencies: { venue_rest: 'up', venue_ws: 'up', journal: 'up' },
  regime: 'chop',
  ...over,
});

/** Returns an empty, active portfolio with NAV 100 000 and a fresh account snapshot. */
export const portfolio = (over: Partial<PortfolioView> = {}): PortfolioView => ({
  nav: dec('100000'),
  accountSnapshotTs: NOW - 1_000,
  positions: [],
  workingOrders: [],
  strategies: {},
  cooldowns: {},
  tradingState: 'active',
  kill: { engaged: false, reason: undefined },
  drawdown: { breach: undefined },
  brokerDesync: false,
  groups: {},
  ...over,
});

/** Returns a buy proposal for 1 % of NAV on BTCUSDT (spot) with SL 2 % and TP 4 %. */
export const proposal = (over: Partial<ConstructorParameters<typeof TradeProposal>[0]> = {}): TradeProposal =>
  new TradeProposal({
    proposalId: 'p-1',
    strategyId: 'momo',
    symbol: 'BTCUSDT',
    side: 'buy',
    instrumentKind: 'spot',
    notionalFraction: 0.01 as never,
    stopLossFraction: 0.02 as never,
    takeProfitFraction: 0.04 as never,
    conviction: 0.5 as never,
    createdAt: NOW - 500,
    ttlMs: 10_000,
    ...over,
  });

/** Returns the default config with overrides and DRY_RUN replaced by PAPER (so approvals are sendable). */
export const config = (over: RiskConfigInput = {}): RiskConfig => makeRiskConfig({ mode: 'PAPER', ...over });

/** Shorthand for a Decimal. */
export const d = (v: string | number): Decimal => dec(v);
