/**
 * Table tests per risk rule: exactly at the limit passes, just beyond it is vetoed with the rule's reason, cap type
 * and the current / proposed / limit figures (X-LOG-8).
 */
import { describe, expect, it } from 'vitest';
import { makeRiskEngine, type RiskDecision } from '../../src/risk/RiskEngine.ts';
import type { RiskConfigInput } from '../../src/risk/RiskConfig.ts';
import type { MarketView, MidSample, PortfolioView, PositionView, SymbolMarketView, WorkingOrderView } from '../../src/risk/views.ts';
import type { TradeProposal } from '../../src/domain/TradeProposal.ts';
import type { ProposalHints } from '../../src/risk/checks/types.ts';
import { GATE_CHECKS, SIZED_CHECKS } from '../../src/risk/checks/index.ts';
import { NOW, config, d, instrument, market, portfolio, proposal, symbolMarket } from './fixtures.ts';

interface Case {
  readonly name: string;
  readonly cfg?: RiskConfigInput;
  readonly prop?: Parameters<typeof proposal>[0];
  readonly pf?: Partial<PortfolioView>;
  readonly mk?: Partial<MarketView>;
  readonly sym?: Partial<SymbolMarketView>;
  readonly extraSymbols?: Readonly<Record<string, SymbolMarketView>>;
  readonly hints?: ProposalHints;
  readonly now?: number;
}

const RULE_ORDER = [...GATE_CHECKS, ...SIZED_CHECKS].map(([name]) => name);

const run = (c: Case): RiskDecision => {
  const m = market(c.mk);
  const btc = symbolMarket('BTCUSDT', c.sym);
  const mk: MarketView = { ...m, symbols: { ...m.symbols, BTCUSDT: btc, ...c.extraSymbols } };
  const p: TradeProposal = proposal(c.prop);
  return makeRiskEngine(config({ caps: { allowDownscale: false }, ...c.cfg })).check(p, portfolio(c.pf), mk, c.now ?? NOW, c.hints);
};

const expectApprove = (c: Case): RiskDecision & { kind: 'approve' } => {
  const r = run(c);
  if (r.kind !== 'approve') throw new Error(`${c.name}: expected approve, got ${JSON.stringify(r.veto)}`);
  return r;
};

const expectVeto = (c: Case, want: { reason: string; capType?: string; current?: string; proposed?: string; limit?: string }) => {
  const r = run(c);
  if (r.kind !== 'veto') throw new Error(`${c.name}: expected veto ${want.reason}, got approve`);
  expect(r.veto.reason).toBe(want.reason);
  if (want.capType !== undefined) expect(r.veto.capType).toBe(want.capType);
  if (want.current !== undefined) expect(r.veto.current).toBe(want.current);
  if (want.proposed !== undefined) expect(r.veto.proposed).toBe(want.proposed);
  if (want.limit !== undefined) expect(r.veto.limit).toBe(want.limit);
  expect(r.veto.message.length).toBeGreaterThan(0);
  // X-ORD-4: the vetoing rule is the last one that ran, and every rule before it ran in the fixed order.
  expect(r.trace).toEqual(RULE_ORDER.slice(0, RULE_ORDER.indexOf(r.rule) + 1));
  return r;
};

const pos = (symbol: string, qty: string, mark = '100', side: 'long' | 'short' = 'long'): PositionView => ({
  symbol,
  side,
  quantity: d(qty),
  entryPrice: d(mark),
  markPrice: d(mark),
  stopLoss: undefined,
});
const work = (symbol: string, qty: string, price: string, over: Partial<WorkingOrderView> = {}): WorkingOrderView => ({
  symbol,
  side: 'buy',
  quantity: d(qty),
  price: d(price),
  reduceOnly: false,
  strategyId: 'other',
  ...over,
});

describe('gate rules', () => {
  it('approves the baseline proposal with a sized, rounded order', () => {
    const r = expectApprove({ name: 'baseline' });
    expect(r.order.quantity.toString()).toBe('10');
    expect(r.order.limitPrice.toString()).toBe('100');
    expect(r.order.stopLoss?.toString()).toBe('98');
    expect(r.order.takeProfit?.toString()).toBe('104');
    expect(r.order.reduceOnly).toBe(false);
  });

  it('X-RSK-2 vetoes a quote older than 5 s and passes one exactly 5 s old', () => {
    expectApprove({ name: 'quote at 5 s', sym: { quoteTs: NOW - 5_000 } });
    expectVeto({ name: 'quote 5.001 s', sym: { quoteTs: NOW - 5_001 } }, { reason: 'staleness_quote', capType: 'quote_age_ms', current: '5001', limit: '5000' });
  });

  it('X-RSK-2 vetoes a 1-minute bar close older than 90 s', () => {
    expectApprove({ name: 'bar at 90 s', sym: { lastBarCloseTs: NOW - 90_000 } });
    expectVeto({ name: 'bar 90.001 s', sym: { lastBarCloseTs: NOW - 90_001 } }, { reason: 'staleness_bar', capType: 'bar_age_ms', current: '90001', limit: '90000' });
  });

  it('S4-2 X-RSK-2 vetoes every order on an account snapshot older than 90 s', () => {
    expectApprove({ name: 'nav at 90 s', pf: { accountSnapshotTs: NOW - 90_000 } });
    expectVeto({ name: 'nav 91 s', pf: { accountSnapshotTs: NOW - 91_000 } }, { reason: 'staleness_account', capType: 'account_age_ms', current: '91000', limit: '90000' });
  });

  it('X-CLK-2 blocks new orders beyond 250 ms of clock offset and while the latch is set', () => {
    expectApprove({ name: 'offset 250', mk: { clock: { offsetMs: -250, skewBlocked: false } } });
    expectVeto({ name: 'offset 251', mk: { clock: { offsetMs: 251, skewBlocked: false } } }, { reason: 'clock_skew_block', current: '251', limit: '250' });
    expectVeto({ name: 'latched', mk: { clock: { offsetMs: 150, skewBlocked: true } } }, { reason: 'clock_skew_block', current: '150', limit: '100' });
  });

  it('X-RSK-7 S3-10 rejects an entry inside the cooldown and accepts it when the cooldown ends', () => {
    expectApprove({ name: 'cooldown over', pf: { cooldowns: { BTCUSDT: { until: NOW, kind: 'fill' } } } });
    expectVeto({ name: 'fill cooldown', pf: { cooldowns: { BTCUSDT: { until: NOW + 1, kind: 'fill' } } } }, { reason: 'cooldown', capType: 'cooldown_fill', current: '1', limit: String(NOW + 1) });
    expectVeto({ name: 'stop cooldown', pf: { cooldowns: { BTCUSDT: { until: NOW + 60_000, kind: 'stop' } } } }, { reason: 'cooldown', capType: 'cooldown_stop' });
  });

  it('X-RSK-8 S2-10 S0-15 blocks a spread above the maximum and passes one exactly at it', () => {
    expectApprove({ name: 'spread 1.5 %', sym: { bid: d('99.25'), ask: d('100.75') } });
    expectVeto({ name: 'spread 1.52 %', sym: { bid: d('99.24'), ask: d('100.76') } }, { reason: 'market_quality', capType: 'spread', current: '0.0152', limit: '0.015' });
  });

  it('X-RSK-8 S0-15 blocks when the best bid or ask size is 0 and when the best level is below the minimum', () => {
    expectVeto({ name: 'zero bid', sym: { bidSize: d('0') } }, { reason: 'market_quality', capType: 'zero_size' });
    const cfg: RiskConfigInput = { marketQuality: { minBestLevelSize: '5' } };
    expectApprove({ name: 'best level 5', cfg, sym: { bidSize: d('5'), askSize: d('7') } });
    expectVeto({ name: 'best level 4.999', cfg, sym: { bidSize: d('7'), askSize: d('4.999') } }, { reason: 'market_quality', capType: 'best_level_size', current: '4.999', limit: '5' });
  });

  it('X-RSK-8 C-8 rejects a mid jump beyond 6σ of the last 60 s and passes one of exactly 6σ', () => {
    // Alternating ±1 changes around 100 give σ = 1 exactly; the last change is the jump under test.
    const history = (jump: string): MidSample[] => {
      const out: MidSample[] = [];
      for (let i = 0; i < 21; i++) out.push({ ts: NOW - 42_000 + i * 2_000, mid: d(i % 2 === 0 ? '100' : '101'), volume: d('1') });
      out.push({ ts: NOW, mid: d('100').plus(d(jump)), volume: d('1') });
      return out;
    };
    // The quote must agree with the jumped mid; the spread stays tiny.
    const quoteAt = (mid: string) => ({ bid: d(mid).minus('0.05'), ask: d(mid).plus('0.05'), last: d(mid) });
    expectApprove({ name: '6σ', sym: { midHistory: history('6'), ...quoteAt('106') } });
    expectVeto({ name: '6.01σ', sym: { midHistory: history('6.01'), ...quoteAt('106.01') } }, { reason: 'market_quality', capType: 'sigma_jump', limit: '6' });
  });

  it('X-RSK-8 C-8 rejects a jump above 10 % without volume confirmation and accepts it with volume', () => {
    const hist = (to: string, vol: string): MidSample[] => [
      { ts: NOW - 20_000, mid: d('100'), volume: d('1') },
      { ts: NOW - 10_000, mid: d('100'), volume: d('1') },
      { ts: NOW, mid: d(to), volume: d(vol) },
    ];
    const quote = { bid: d('110'), ask: d('110.02'), last: d('110.01') };
    expectApprove({ name: '10 % flat volume', sym: { midHistory: hist('110', '0'), ...quote } });
    expectVeto({ name: '10.01 % no volume', sym: { midHistory: hist('110.01', '1'), ...quote } }, { reason: 'market_quality', capType: 'jump_without_volume', current: '0.1001', limit: '0.1' });
    expectApprove({ name: '10.01 % with volume', sym: { midHistory: hist('110.01', '2'), ...quote } });
  });

  it('X-RSK-5 blocks degraded, offline or metadata-less products with product_disabled', () => {
    for (const status of ['post_only', 'limit_only', 'cancel_only', 'offline', 'degraded', 'unknown'] as const) {
      expectVeto({ name: status, sym: { productStatus: status } }, { reason: 'product_disabled', capType: 'product_status', current: status });
    }
    expectVeto({ name: 'no instrument', sym: { instrument: undefined } }, { reason: 'product_disabled', capType: 'metadata' });
    expectVeto({ name: 'venue halted', sym: { instrument: instrument('BTCUSDT', { status: 'halted' }) } }, { reason: 'product_disabled', capType: 'venue_status' });
    expectVeto({ name: 'no quote', sym: { ask: undefined } }, { reason: 'product_disabled', capType: 'quote' });
  });

  it('X-RSK-6 turns trading off while a gating dependency is down or unreported', () => {
    expectVeto({ name: 'journal down', mk: { dependencies: { venue_rest: 'up', venue_ws: 'up', journal: 'down' } } }, { reason: 'dependency_down', capType: 'journal', current: 'down' });
    expectVeto({ name: 'ws missing', mk: { dependencies: { venue_rest: 'up', journal: 'up' } } }, { reason: 'dependency_down', capType: 'venue_ws', current: 'unknown' });
    expectApprove({ name: 'notifier down but not gating', mk: { dependencies: { venue_rest: 'up', venue_ws: 'up', journal: 'up', notifier: 'down' } } });
    expectVeto(
      { name: 'notifier gating (S0)', cfg: { dependencies: { gating: ['venue_rest', 'notifier'] } }, mk: { dependencies: { venue_rest: 'up', notifier: 'down' } } },
      { reason: 'dependency_down', capType: 'notifier' },
    );
  });

  it('X-RSK-1 X-RSK-3 X-REC-2 refuse everything while killed, halted, breached or desynced', () => {
    expectVeto({ name: 'kill', pf: { kill: { engaged: true, reason: 'file flag' } } }, { reason: 'kill_switch' });
    expectVeto({ name: 'halted', pf: { tradingState: 'halted' } }, { reason: 'halted' });
    expectVeto({ name: 'drawdown', pf: { drawdown: { breach: { reason: 'rolling_drawdown', observed: '0.11', limit: '0.1' } } } }, { reason: 'drawdown_breach', capType: 'rolling_drawdown', current: '0.11', limit: '0.1' });
    // A daily-loss breach is Reducing: entries refused, the exit of what is held allowed.
    expectVeto({ name: 'daily loss', pf: { drawdown: { breach: { reason: 'daily_loss', observed: '0.051', limit: '0.05' } } } }, { reason: 'reducing_only' });
    expectApprove({ name: 'daily loss exit', pf: { drawdown: { breach: { reason: 'daily_loss', observed: '0.051', limit: '0.05' } }, positions: [pos('BTCUSDT', '3')] }, prop: { side: 'sell' } });
    expectVeto({ name: 'desync', pf: { brokerDesync: true } }, { reason: 'broker_desync' });
  });

  it('Reducing refuses entries and allows an exit of an open position', () => {
    expectVeto({ name: 'reducing entry', pf: { tradingState: 'reducing' } }, { reason: 'reducing_only' });
    const r = expectApprove({ name: 'reducing exit', pf: { tradingState: 'reducing', positions: [pos('BTCUSDT', '3')] }, prop: { side: 'sell' } });
    expect(r.order.intent).toBe('exit');
    expect(r.order.reduceOnly).toBe(true);
    expect(r.order.quantity.toString()).toBe('3');
    expect(r.order.limitPrice.toString()).toBe('99.9');
  });

  it('X-MOD-5 S4-12 refuses entries outside the trading window (start inclusive, end exclusive) in the profile zone', () => {
    const cfg: RiskConfigInput = { tradingWindows: { timeZone: 'America/New_York', windows: [{ start: '09:30', end: '16:00' }] } };
    // 2026-11-23 is in EST (UTC−5): 09:30 New York = 14:30 UTC.
    const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m, 0);
    const fresh = (t: number): Partial<PortfolioView> => ({ accountSnapshotTs: t });
    const sym = (t: number): Partial<SymbolMarketView> => ({ quoteTs: t, lastBarCloseTs: t });
    const prop = (t: number) => ({ createdAt: t });
    expectApprove({ name: '09:30', cfg, now: at(14, 30), pf: fresh(at(14, 30)), sym: sym(at(14, 30)), prop: prop(at(14, 30)) });
    expectVeto({ name: '09:29', cfg, now: at(14, 29), pf: fresh(at(14, 29)), sym: sym(at(14, 29)), prop: prop(at(14, 29)) }, { reason: 'outside_trading_window', current: '09:29', limit: '09:30-16:00' });
    expectVeto({ name: '16:00', cfg, now: at(21, 0), pf: fresh(at(21, 0)), sym: sym(at(21, 0)), prop: prop(at(21, 0)) }, { reason: 'outside_trading_window', current: '16:00' });
  });

  it('X-MOD-5 honours disable-all and per-symbol switches', () => {
    expectVeto({ name: 'all off', cfg: { disableAllTrades: true } }, { reason: 'trading_disabled' });
    expectVeto({ name: 'symbol off', cfg: { disabledSymbols: ['BTCUSDT'] } }, { reason: 'symbol_disabled' });
  });

  it('vetoes a proposal past its ttl and passes one exactly at it', () => {
    expectApprove({ name: 'at ttl', prop: { createdAt: NOW - 10_000, ttlMs: 10_000 } });
    expectVeto({ name: 'past ttl', prop: { createdAt: NOW - 10_001, ttlMs: 10_000 } }, { reason: 'proposal_expired', current: '10001', limit: '10000' });
  });
});

describe('sizing rules', () => {
  it('S3-6 limits trades per cycle per strategy', () => {
    expectApprove({ name: '4th trade', pf: { strategies: { momo: { committedNotional: d(0), tradesThisCycle: 3 } } } });
    expectVeto({ name: '5th trade', pf: { strategies: { momo: { committedNotional: d(0), tradesThisCycle: 4 } } } }, { reason: 'strategy_cap', capType: 'strategy_trades_per_cycle', current: '4', proposed: '5', limit: '4' });
  });

  it('S3-6 caps a strategy at its own budget before the global caps', () => {
    const pf = { strategies: { momo: { committedNotional: d('14000'), tradesThisCycle: 0 } } };
    expectApprove({ name: 'budget exactly full', pf });
    expectVeto({ name: 'budget +1', pf, prop: { notionalFraction: 0.01001 as never } }, { reason: 'strategy_cap', capType: 'strategy_budget', current: '0.14', proposed: '0.15001', limit: '0.15' });
  });

  it('S3-6 downscales an entry to the strategy headroom while global room remains', () => {
    const r = run({
      name: 'downscale',
      cfg: { caps: { allowDownscale: true } },
      pf: { strategies: { momo: { committedNotional: d('14500'), tradesThisCycle: 0 } } },
    });
    expect(r.kind).toBe('approve');
    if (r.kind === 'approve') expect(r.order.quantity.toString()).toBe('5');
  });

  it('S3-9 X-RSK-4 caps one symbol at 5 % of NAV including its position', () => {
    const pf = { positions: [pos('BTCUSDT', '40')] };
    expectApprove({ name: 'symbol at 5 %', pf });
    expectVeto({ name: 'symbol above 5 %', pf, prop: { notionalFraction: 0.01001 as never } }, { reason: 'symbol_cap', capType: 'symbol', current: '0.04', proposed: '0.05001', limit: '0.05' });
  });

  it('X-RSK-4 counts a resting order at worst-case notional before it fills', () => {
    // A working buy at 101 while the market is at 100: it counts as 40 × 101 = 4040.
    const pf = { workingOrders: [work('BTCUSDT', '40', '101')] };
    expectApprove({ name: 'room left', pf, prop: { notionalFraction: 0.0096 as never } });
    expectVeto({ name: 'no room', pf }, { reason: 'symbol_cap', current: '0.0404', proposed: '0.0504', limit: '0.05' });
    expectApprove({ name: 'reduce-only does not count', pf: { workingOrders: [work('BTCUSDT', '40', '101', { reduceOnly: true })] } });
  });

  it('S4-3 uses the tier cap for a tiered symbol', () => {
    const cfg: RiskConfigInput = { caps: { allowDownscale: false, symbolTiers: { BTCUSDT: 'TACTICAL' }, maxTotalAtRiskFraction: '100%' }, defaultStrategyBudget: { budgetFraction: '100%' } };
    const pf = { positions: [pos('BTCUSDT', '90')] };
    expectApprove({ name: 'tier 10 %', cfg, pf });
    expectVeto({ name: 'tier above 10 %', cfg, pf, prop: { notionalFraction: 0.0101 as never } }, { reason: 'symbol_cap', current: '0.09', proposed: '0.1001', limit: '0.1' });
  });

  it('S3-3 theme cap: a proposal lifting a theme from 9 % to 11 % (counting a working order) is refused with theme_cap', () => {
    const groups = { BTCUSDT: 'L1', ETHUSDT: 'L1', SOLUSDT: 'L1' };
    const pf = { groups, positions: [pos('ETHUSDT', '40')], workingOrders: [work('SOLUSDT', '50', '100')] };
    const extraSymbols = { ETHUSDT: symbolMarket('ETHUSDT'), SOLUSDT: symbolMarket('SOLUSDT') };
    expectApprove({ name: 'theme to 10 %', pf, extraSymbols });
    expectVeto({ name: 'theme to 11 %', pf, extraSymbols, prop: { notionalFraction: 0.02 as never } }, { reason: 'theme_cap', capType: 'group:L1', current: '0.09', proposed: '0.11', limit: '0.1' });
  });

  it('S3-9 caps total at-risk at 15 % over positions and working orders', () => {
    const pf = {
      positions: [pos('AAAUSDT', '45'), pos('BBBUSDT', '45'), pos('CCCUSDT', '45')],
      workingOrders: [work('DDDUSDT', '10', '100')],
    };
    expectApprove({ name: 'total 15 %', pf, prop: { notionalFraction: 0.005 as never } });
    expectVeto({ name: 'total 15.01 %', pf, prop: { notionalFraction: 0.0051 as never } }, { reason: 'total_cap', capType: 'total', current: '0.145', proposed: '0.1501', limit: '0.15' });
  });

  it('S3-4 regime multipliers scale size (bull 1.2) and crash sizes every entry to 0', () => {
    const bull = expectApprove({ name: 'bull', mk: { regime: 'bull' } });
    expect(bull.order.quantity.toString()).toBe('12');
    const bear = expectApprove({ name: 'bear', mk: { regime: 'bear' } });
    expect(bear.order.quantity.toString()).toBe('6');
    expectVeto({ name: 'crash', mk: { regime: 'crash' } }, { reason: 'zero_size', capType: 'regime', limit: 'crash' });
  });

  it('S2-5 X-ORD-10 refuses a 6th open position with capacity_exceeded', () => {
    const four = ['A', 'B', 'C', 'D'].map((s) => pos(`${s}USDT`, '0.001'));
    expectApprove({ name: '5th position', pf: { positions: four } });
    expectVeto({ name: '6th position', pf: { positions: [...four, pos('EUSDT', '0.001')] } }, { reason: 'capacity_exceeded', capType: 'max_open_positions', current: '5', proposed: '6', limit: '5' });
  });

  it('S1-13 refuses a third position in a cluster limited to two', () => {
    const cfg: RiskConfigInput = { caps: { allowDownscale: false }, capacity: { maxPositionsPerGroup: 2 } };
    const groups = { BTCUSDT: 'L1', ETHUSDT: 'L1', SOLUSDT: 'L1', XRPUSDT: 'PAY' };
    expectApprove({ name: 'second in L1', cfg, pf: { groups, positions: [pos('ETHUSDT', '0.001'), pos('XRPUSDT', '0.001')] } });
    expectVeto({ name: 'third in L1', cfg, pf: { groups, positions: [pos('ETHUSDT', '0.001'), pos('SOLUSDT', '0.001')] } }, { reason: 'capacity_exceeded', capType: 'group_positions:L1', current: '2', proposed: '3', limit: '2' });
  });

  it('S0-6 X-ORD-10 refuses the 101st concurrent trade with capacity_exceeded', () => {
    const orders = (n: number) => Array.from({ length: n }, (_, i) => work(`S${i}USDT`, '0.001', '1'));
    expectApprove({ name: '100th', pf: { workingOrders: orders(99) } });
    expectVeto({ name: '101st', pf: { workingOrders: orders(100) } }, { reason: 'capacity_exceeded', capType: 'max_concurrent_trades', current: '100', proposed: '101', limit: '100' });
  });

  it('S3-8 refuses a SELL without holdings with shorting_disallowed; a SELL of a held long is an exit', () => {
    expectVeto({ name: 'naked sell', prop: { side: 'sell' } }, { reason: 'shorting_disallowed', capType: 'shorts', current: '0' });
    const exit = expectApprove({ name: 'sell held', prop: { side: 'sell', notionalFraction: 1 as never }, pf: { positions: [pos('BTCUSDT', '2.5')] } });
    expect(exit.order.quantity.toString()).toBe('2.5');
    expect(exit.order.reduceOnly).toBe(true);
  });

  it('C-7 allows shorts on a derivative only where the profile allows them', () => {
    const perp = { instrument: instrument('BTCUSDT', { kind: 'linear_perp' }) };
    const r = expectApprove({ name: 'perp short', cfg: { allowShorts: true }, sym: perp, prop: { side: 'sell', instrumentKind: 'perp' } });
    // Sells are priced at the bid (99.9): SL 99.9 × 1.02 = 101.898 rounds down (tighter), TP 95.904 rounds up.
    expect(r.order.limitPrice.toString()).toBe('99.9');
    expect(r.order.stopLoss?.toString()).toBe('101.89');
    expect(r.order.takeProfit?.toString()).toBe('95.91');
    expectVeto({ name: 'spot short', cfg: { allowShorts: true }, prop: { side: 'sell' } }, { reason: 'shorting_disallowed' });
  });

  it('C-7 refuses a short on a venue whose capabilities say it cannot hold one, whatever the profile allows', () => {
    const perp = { instrument: instrument('BTCUSDT', { kind: 'linear_perp' }) };
    expectApprove({ name: 'venue can short', cfg: { allowShorts: true }, sym: perp, mk: { venueShorting: true }, prop: { side: 'sell', instrumentKind: 'perp' } });
    expectVeto({ name: 'venue cannot short', cfg: { allowShorts: true }, sym: perp, mk: { venueShorting: false }, prop: { side: 'sell', instrumentKind: 'perp' } }, { reason: 'shorting_disallowed', capType: 'shorts' });
  });

  it('X-ORD-4 vetoes a size below the venue minimum quantity with venue_filter', () => {
    const sym = { instrument: instrument('BTCUSDT', { minNotional: d('0') }) };
    const cfg: RiskConfigInput = { caps: { allowDownscale: false } };
    expectApprove({ name: 'min qty', cfg, sym, prop: { notionalFraction: 0.000001 as never } });
    expectVeto({ name: 'below min qty', cfg, sym, prop: { notionalFraction: 0.000000999 as never } }, { reason: 'venue_filter', capType: 'venue_filter', current: 'below_min_quantity', limit: '0.001' });
  });

  it('X-ORD-9 vetoes a notional below the fee-aware minimum (venue minimum / (1 − taker))', () => {
    // 9.94 / (1 − 0.006) = 10 exactly.
    const sym = { instrument: instrument('BTCUSDT', { minNotional: d('9.94'), quantityStep: d('0.0001'), minQuantity: d('0.0001') }) };
    expectApprove({ name: 'notional 10', sym, prop: { notionalFraction: 0.0001 as never } });
    expectVeto({ name: 'notional 9.99', sym, prop: { notionalFraction: 0.0000999 as never } }, { reason: 'min_notional', capType: 'fee_aware_min_notional', current: '9.99', limit: '10' });
  });

  it('S0-16 marks an order above the venue maximum for splitting instead of vetoing it', () => {
    const sym = { instrument: instrument('BTCUSDT', { maxQuantity: d('4') }) };
    const r = expectApprove({ name: 'split', sym });
    expect(r.order.quantity.toString()).toBe('10');
    expect(r.order.requiresSplit).toBe(true);
  });
});

describe('S0-4 S0-5 C-1 leverage policy', () => {
  const perp = { instrument: instrument('BTCUSDT', { kind: 'linear_perp' }) };
  const lev = (mode: string, leverage?: string): Case => ({
    name: `${mode} x${leverage ?? '-'}`,
    sym: perp,
    prop: { instrumentKind: 'perp' },
    hints: { leverageMode: mode, leverage: leverage === undefined ? undefined : d(leverage) },
  });
  const table: ReadonlyArray<readonly [string, string | undefined, string | undefined]> = [
    ['SWING', undefined, '6'],
    ['SWING', '6', '6'],
    ['SWING', '6.01', undefined],
    ['DYNAMIC', '7.5', '7.5'],
    ['DYNAMIC', '7.49', undefined],
    ['DYNAMIC', '12.25', '12.25'],
    ['DYNAMIC', '7.555', undefined],
    ['DYNAMIC', undefined, undefined],
    ['FIXED', '6', '6'],
    ['FIXED', '6.01', undefined],
    ['FIXED', '7.49', undefined],
    ['FIXED', '7.5', '7.5'],
    ['FIXED', '3', '3'],
    ['FAST', '10', undefined],
    ['SCALP', undefined, undefined],
  ];
  for (const [mode, requested, expected] of table) {
    it(`${mode} x${requested ?? 'none'} → ${expected === undefined ? 'leverage_policy' : `x${expected}`}`, () => {
      if (expected === undefined) {
        const r = expectVeto(lev(mode, requested), { reason: 'leverage_policy' });
        expect(r.kind === 'veto' && r.veto.capType).toBe(mode === 'FAST' || mode === 'SCALP' ? 'signal_mode' : `leverage_${mode.toLowerCase()}`);
      } else {
        expect(expectApprove(lev(mode, requested)).order.leverage.toString()).toBe(expected);
      }
    });
  }

  it('S0-5 a proposal without SL gets the auto-SL at −2 % and leverage locked at x10', () => {
    const r = expectApprove({ ...lev('DYNAMIC', '20'), prop: { instrumentKind: 'perp', stopLossFraction: 0 as never } });
    expect(r.order.autoStopLoss).toBe(true);
    expect(r.order.leverage.toString()).toBe('10');
    expect(r.order.stopLossFraction.toString()).toBe('0.02');
    expect(r.order.stopLoss?.toString()).toBe('98');
  });

  it('refuses leverage above the venue maximum', () => {
    const sym = { instrument: instrument('BTCUSDT', { kind: 'linear_perp', maxLeverage: d('5') }) };
    expectVeto({ ...lev('SWING'), sym }, { reason: 'leverage_policy', capType: 'max_leverage', limit: '5' });
  });
});

describe('X-ORD-4 fail-fast order', () => {
  it('stops at the first failing rule: a stale quote is reported even when a cap would also fail', () => {
    const r = run({ name: 'stale and over cap', sym: { quoteTs: NOW - 6_000 }, pf: { positions: [pos('BTCUSDT', '50')] } });
    expect(r.kind).toBe('veto');
    if (r.kind === 'veto') {
      expect(r.rule).toBe('staleness');
      expect(r.trace).toEqual(['proposalExpiry', 'modeWindow', 'killHalt', 'symbolGate', 'actorAvailability', 'dependencies', 'clockSkew', 'staleness']);
    }
  });

  it('runs the strategy budget before the global caps (S3-6)', () => {
    const r = run({ name: 'both', pf: { positions: [pos('BTCUSDT', '50')], strategies: { momo: { committedNotional: d('15000'), tradesThisCycle: 0 } } } });
    expect(r.kind === 'veto' && r.veto.reason).toBe('strategy_cap');
  });

  it('runs every rule for an approval', () => {
    const r = expectApprove({ name: 'all' });
    expect(r.trace).toHaveLength(26);
    expect(r.trace.at(-1)).toBe('feeMinNotional');
  });
});

describe('X-MOD-1 DRY_RUN', () => {
  it('approves for the log with dryRun on the decision and the order', () => {
    const r = expectApprove({ name: 'dry', cfg: { mode: 'DRY_RUN', caps: { allowDownscale: false } } });
    expect(r.dryRun).toBe(true);
    expect(r.order.dryRun).toBe(true);
    expect(r.order.mode).toBe('DRY_RUN');
    expect(expectApprove({ name: 'paper' }).dryRun).toBe(false);
  });
});
