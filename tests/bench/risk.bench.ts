/**
 * Benchmark of the RiskEngine (not a test): decisions per second with every rule running against a book of 500
 * working orders over 50 symbols and a 60-sample σ window, for an approval (every rule of GATE_CHECKS and
 * SIZED_CHECKS) and an early veto. The portfolio view carries its ExposureBook, as the runtime's views do (issue 17:
 * the caps read the aggregates, not the 500 orders). Prints nothing itself; `npm run bench` reports the figures it
 * returns; `risk.check_approve_all_rules_500_working_orders` is issue 17's acceptance figure (≥ 50,000 decisions/s).
 */
import { performance } from 'node:perf_hooks';
import { Decimal } from '../../src/domain/money.ts';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { makeRiskConfig } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { ExposureBook } from '../../src/risk/exposureBook.ts';
import { GATE_CHECKS, SIZED_CHECKS } from '../../src/risk/checks/index.ts';
import type { MarketView, MidSample, PortfolioView, SymbolMarketView, WorkingOrderView } from '../../src/risk/views.ts';
import { instrument } from '../risk/fixtures.ts';

const NOW = 1_800_000_000_000;
const RULES = GATE_CHECKS.length + SIZED_CHECKS.length;
const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${i}USDT`);

const history = (): MidSample[] =>
  Array.from({ length: 60 }, (_, i) => ({ ts: NOW - 59_000 + i * 1_000, mid: new Decimal(100).plus(new Decimal(i % 2 === 0 ? '0.01' : '-0.01')), volume: new Decimal(3) }));

const build = () => {
  const symbols: Record<string, SymbolMarketView> = {};
  for (const s of SYMBOLS) {
    symbols[s] = {
      instrument: instrument(s),
      bid: new Decimal('99.99'),
      ask: new Decimal('100.01'),
      bidSize: new Decimal(10),
      askSize: new Decimal(10),
      last: new Decimal(100),
      quoteTs: NOW - 50,
      lastBarCloseTs: NOW - 5_000,
      productStatus: 'online',
      midHistory: history(),
    };
  }
  const workingOrders: WorkingOrderView[] = Array.from({ length: 500 }, (_, i) => ({
    symbol: SYMBOLS[i % SYMBOLS.length] ?? 'S0USDT',
    side: 'buy',
    quantity: new Decimal('0.05'),
    price: new Decimal('99.5'),
    reduceOnly: i % 5 === 0,
    strategyId: i % 2 === 0 ? 'momo' : 'meanrev',
  }));
  const portfolio: PortfolioView = {
    nav: new Decimal(1_000_000),
    accountSnapshotTs: NOW - 1_000,
    positions: SYMBOLS.slice(0, 4).map((s) => ({ symbol: s, side: 'long', quantity: new Decimal(10), entryPrice: new Decimal(99), markPrice: new Decimal(100), stopLoss: new Decimal(97) })),
    workingOrders,
    strategies: { momo: { committedNotional: new Decimal(20_000), tradesThisCycle: 1 } },
    cooldowns: { S1USDT: { until: NOW - 1, kind: 'fill' } },
    tradingState: 'active',
    kill: { engaged: false, reason: undefined },
    drawdown: { breach: undefined },
    brokerDesync: false,
    groups: Object.fromEntries(SYMBOLS.map((s, i) => [s, `G${i % 5}`])),
  };
  const market: MarketView = { symbols, clock: { offsetMs: 12, skewBlocked: false }, dependencies: { venue_rest: 'up', venue_ws: 'up', journal: 'up' }, regime: 'chop' };
  const viewed: PortfolioView = { ...portfolio, exposure: ExposureBook.of(portfolio, market) };
  const proposal = new TradeProposal({
    proposalId: 'bench',
    strategyId: 'momo',
    symbol: 'S7USDT',
    side: 'buy',
    instrumentKind: 'spot',
    notionalFraction: 0.01 as never,
    stopLossFraction: 0.02 as never,
    takeProfitFraction: 0.04 as never,
    conviction: 0.5 as never,
    createdAt: NOW - 100,
    ttlMs: 10_000,
  });
  return { portfolio: viewed, market, proposal };
};

/** Returns decisions/s for the full-approval path and the stale-quote veto path, and the mean approval latency. */
export async function benchRisk(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const engine = makeRiskEngine(makeRiskConfig({ mode: 'PAPER' }));
  const { portfolio, market, proposal } = build();
  const first = engine.check(proposal, portfolio, market, NOW);
  if (first.kind !== 'approve') throw new Error(`bench scenario must approve, got ${JSON.stringify(first.veto)}`);
  const time = (n: number, fn: () => void): number => {
    for (let i = 0; i < Math.min(500, n); i++) fn(); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return performance.now() - t0;
  };
  const approveN = 50_000;
  const approveMs = time(approveN, () => engine.check(proposal, portfolio, market, NOW));
  const stale: MarketView = { ...market, symbols: { ...market.symbols, S7USDT: { ...(market.symbols['S7USDT'] as SymbolMarketView), quoteTs: NOW - 10_000 } } };
  const vetoN = 50_000;
  const vetoMs = time(vetoN, () => engine.check(proposal, portfolio, stale, NOW));
  await Promise.resolve();
  const approvals = Math.round((approveN / approveMs) * 1000);
  return [
    { name: `risk.check approve (all ${RULES} rules, 500 working orders)`, value: approvals, unit: 'decisions/s' },
    { name: 'risk.check approve all rules 500 working orders', value: approvals, unit: 'decisions/s' },
    { name: 'risk.check approve mean latency', value: Number(((approveMs * 1000) / approveN).toFixed(1)), unit: 'µs' },
    { name: `risk.check veto at staleness (rule ${GATE_CHECKS.findIndex(([n]) => n === 'staleness') + 1} of ${RULES})`, value: Math.round((vetoN / vetoMs) * 1000), unit: 'decisions/s' },
  ];
}
