/**
 * S3-6 and issue 12 at the decision loop: two strategies' proposals meet in one round, the integrator applies each
 * strategy's own caps (max at-risk share of NAV, max entries per cycle) before the real RiskEngine's global caps, and
 * each strategy is handed its own fills and vetoes in its next snapshot. The accounts are a stub DecisionTarget whose
 * views come from the risk fixtures (every rule passes), so every difference below is the caps' doing.
 */
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { dec, type Decimal } from '../../src/domain/money.ts';
import type { Fill } from '../../src/domain/orders.ts';
import type { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { decodeJournalPayload, type StrategyCapRecord } from '../../src/journal/events.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import type { HeldPosition, MarketSnapshot, StrategyFeedback, SymbolMarket } from '../../src/market/MarketState.ts';
import { decisionRecord, makeRiskEngine, type RiskDecision } from '../../src/risk/RiskEngine.ts';
import type { PositionView, WorkingOrderView } from '../../src/risk/views.ts';
import { DecisionLoop, type DecisionTarget } from '../../src/runtime/DecisionLoop.ts';
import { StrategyFeedbackBook } from '../../src/runtime/StrategyFeedback.ts';
import type { StrategyCapLimits } from '../../src/runtime/strategyCaps.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { NOW, config, market, portfolio, proposal } from '../risk/fixtures.ts';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'ADAUSDT', 'XRPUSDT'];

/** Global caps with plenty of room: 20 % a position, 90 % in all, 20 % a trade, the RiskEngine's own budget 100 %. */
const ROOMY = config({
  caps: { maxPositionFraction: 0.2, maxTotalAtRiskFraction: 0.9, maxTradeFraction: 0.2 },
  defaultStrategyBudget: { budgetFraction: '100%', maxTradesPerCycle: 10 },
});

interface Decided {
  readonly proposal: TradeProposal;
  readonly decision: RiskDecision;
  readonly note: StrategyCapRecord | undefined;
}

const symbolMarket = (symbol: string): SymbolMarket => ({
  symbol, bars: [], lastPrice: dec(100), markPrice: undefined, bid: dec('99.9'), ask: dec(100), bidSize: dec(10), askSize: dec(10), quoteTs: NOW - 100, lastBarCloseTs: NOW - 1000,
});

/** One account holding every symbol; its book (positions with owners, working orders) is the test's to set. */
const account = (book: { positions?: ReadonlyArray<PositionView & { owner?: string }>; working?: ReadonlyArray<WorkingOrderView> } = {}) => {
  const decided: Decided[] = [];
  const held = new Map<string, HeldPosition>((book.positions ?? []).map((p) => [p.symbol, { side: p.side, quantity: p.quantity, entryPrice: p.entryPrice, strategyId: p.owner }]));
  const target: DecisionTarget = {
    symbols: SYMBOLS,
    ready: () => true,
    beforeCycle: () => Promise.resolve(),
    snapshot: (now): MarketSnapshot => ({ now, symbols: new Map(SYMBOLS.map((s) => [s, symbolMarket(s)])), positions: held }),
    views: () => ({ portfolio: portfolio({ positions: book.positions ?? [], workingOrders: book.working ?? [] }), market: market({}, SYMBOLS) }),
    decide: (p, decision, note) => decided.push({ proposal: p, decision, note }),
  };
  return { target, decided };
};

/** A strategy that proposes `script[n]` on its n-th cycle and records the feedback its snapshot carried. */
const scripted = (id: string, script: ReadonlyArray<ReadonlyArray<TradeProposal>>, seen: StrategyFeedback[] = []): Strategy<unknown> => ({
  id, init: () => 0, selfCheck: () => [],
  propose: (snapshot, state) => {
    const n = state as number;
    if (snapshot.feedback !== undefined) seen.push(snapshot.feedback);
    return { proposals: script[n] ?? [], state: n + 1 };
  },
});

const buy = (strategyId: string, symbol: string, fraction: number, side: 'buy' | 'sell' = 'buy'): TradeProposal =>
  proposal({ proposalId: `${strategyId}-${symbol}-${side}`, strategyId, symbol, side, notionalFraction: fraction as never, createdAt: NOW - 500 });

const loopOf = (target: DecisionTarget, strategies: ReadonlyArray<Strategy<unknown>>, caps: ReadonlyMap<string, StrategyCapLimits>, feedback?: StrategyFeedbackBook) => {
  const clock = new VirtualClock(NOW);
  const loop = new DecisionLoop({
    scheduler: virtualScheduler(clock), random: () => 0, cycleMs: 60_000, jitterFraction: 0, strategies, risk: makeRiskEngine(ROOMY),
    targets: [target], track: () => undefined, trigger: 'bar_close', feedback, caps,
  });
  loop.start();
  return { loop, clock };
};

const of = (decided: ReadonlyArray<Decided>, proposalId: string): Decided => {
  const d = decided.find((x) => x.proposal.proposalId === proposalId);
  if (d === undefined) throw new Error(`no decision for ${proposalId}`);
  return d;
};
const notional = (d: Decided): Decimal => (d.decision.kind === 'approve' ? d.decision.order.notional : dec(-1));
const vetoOf = (d: Decided) => (d.decision.kind === 'veto' ? { reason: d.decision.veto.reason, capType: d.decision.veto.capType, rule: d.decision.rule } : undefined);

const ROUND = [
  [buy('a', 'BTCUSDT', 0.1), buy('a', 'ETHUSDT', 0.1), buy('a', 'SOLUSDT', 0.1)],
  [buy('b', 'ADAUSDT', 0.1), buy('b', 'XRPUSDT', 0.1)],
] as const;

describe('S3-6 per-strategy caps in the integrator, before the global caps', () => {
  it('S3-6 without its own caps every entry of the round fits the global caps at full size (the room the next test relies on)', () => {
    const { target, decided } = account();
    const { loop } = loopOf(target, [scripted('a', [ROUND[0]]), scripted('b', [ROUND[1]])], new Map());
    loop.runCycle();
    expect(decided.map((d) => d.decision.kind)).toEqual(['approve', 'approve', 'approve', 'approve', 'approve']);
    for (const d of decided) expect(notional(d).gt(9_900)).toBe(true);
  });

  it('S3-6 a strategy over its own at-risk cap while global room remains: the excess is downscaled, then dropped, with strategy_cap; the other strategy is unaffected', () => {
    const { target, decided } = account();
    const { loop } = loopOf(target, [scripted('a', [ROUND[0]]), scripted('b', [ROUND[1]])], new Map([['a', { maxAtRiskFraction: 0.15 }]]));
    loop.runCycle();
    // a: 10 % fits its 15 %; the next 10 % is cut to the 5 % left (50 units at the ask of 100, on the 0.001 step); nothing is left for the third.
    expect(of(decided, 'a-BTCUSDT-buy').decision.kind).toBe('approve');
    expect(of(decided, 'a-BTCUSDT-buy').note).toBeUndefined();
    const eth = of(decided, 'a-ETHUSDT-buy');
    expect(eth.decision.kind).toBe('approve');
    expect(eth.proposal.notionalFraction).toBe(0.05);
    expect(eth.note).toMatchObject({ reason: 'strategy_cap', cap_type: 'strategy_at_risk', current: '0.1', proposed: '0.2', limit: '0.15', requested_notional_fraction: '0.1', notional_fraction: '0.05' });
    expect(notional(eth).lte(5_000)).toBe(true);
    expect(notional(eth).gt(4_900)).toBe(true);
    expect(vetoOf(of(decided, 'a-SOLUSDT-buy'))).toEqual({ reason: 'strategy_cap', capType: 'strategy_at_risk', rule: 'strategyCaps' });
    // b has no caps of its own: both its entries pass at full size, as without a's cap.
    for (const id of ['b-ADAUSDT-buy', 'b-XRPUSDT-buy']) {
      expect(of(decided, id).decision.kind).toBe('approve');
      expect(of(decided, id).note).toBeUndefined();
      expect(notional(of(decided, id)).gt(9_900)).toBe(true);
    }
    // The downscaled approval and the cap veto are RISK_DECISION payloads the journal catalogue accepts.
    for (const d of [eth, of(decided, 'a-SOLUSDT-buy')]) {
      const payload = { proposalId: d.proposal.proposalId, ...decisionRecord(d.decision), ...(d.note === undefined ? {} : { strategyCap: d.note }) };
      expect(Either.isRight(decodeJournalPayload('RISK_DECISION', JSON.parse(JSON.stringify(payload)))), JSON.stringify(payload)).toBe(true);
    }
  });

  it('S3-6 a strategy over its own trades-per-cycle cap: the excess entry is dropped with strategy_cap, its exit is never capped, the other strategy passes', () => {
    const position: PositionView & { owner: string } = { symbol: 'BTCUSDT', side: 'long', quantity: dec(10), entryPrice: dec(100), markPrice: dec(100), stopLoss: undefined, owner: 'a' };
    const { target, decided } = account({ positions: [position] });
    const a = scripted('a', [[buy('a', 'BTCUSDT', 1, 'sell'), buy('a', 'ETHUSDT', 0.1), buy('a', 'SOLUSDT', 0.1)]]);
    const { loop } = loopOf(target, [a, scripted('b', [ROUND[1]])], new Map([['a', { maxTradesPerCycle: 1 }]]));
    loop.runCycle();
    const exit = of(decided, 'a-BTCUSDT-sell').decision;
    expect(exit.kind === 'approve' ? exit.order.intent : exit.veto.reason).toBe('exit');
    expect(of(decided, 'a-ETHUSDT-buy').decision.kind).toBe('approve');
    expect(vetoOf(of(decided, 'a-SOLUSDT-buy'))).toEqual({ reason: 'strategy_cap', capType: 'strategy_trades_per_cycle', rule: 'strategyCaps' });
    expect(decided.filter((d) => d.proposal.strategyId === 'b').map((d) => d.decision.kind)).toEqual(['approve', 'approve']);
  });

  it('S3-6 the at-risk cap counts the strategy\'s own open positions and working entries, not another strategy\'s', () => {
    const mine: PositionView & { owner: string } = { symbol: 'BTCUSDT', side: 'long', quantity: dec(100), entryPrice: dec(90), markPrice: dec(100), stopLoss: undefined, owner: 'a' };
    const theirs: PositionView & { owner: string } = { symbol: 'ADAUSDT', side: 'long', quantity: dec(150), entryPrice: dec(100), markPrice: dec(100), stopLoss: undefined, owner: 'b' };
    const working: WorkingOrderView[] = [
      { symbol: 'ETHUSDT', side: 'buy', quantity: dec(20), price: dec(100), reduceOnly: false, strategyId: 'a' },
      { symbol: 'XRPUSDT', side: 'buy', quantity: dec(50), price: dec(100), reduceOnly: false, strategyId: 'b' },
    ];
    const { target, decided } = account({ positions: [mine, theirs], working });
    // a holds 10,000 at mark and works 2,000: 12 % of its 15 %, so a 10 % entry is cut to 3 %.
    const { loop } = loopOf(target, [scripted('a', [[buy('a', 'SOLUSDT', 0.1)]])], new Map([['a', { maxAtRiskFraction: 0.15 }]]));
    loop.runCycle();
    const sol = of(decided, 'a-SOLUSDT-buy');
    expect(sol.note).toMatchObject({ current: '0.12', limit: '0.15', notional_fraction: '0.03' });
    expect(sol.decision.kind).toBe('approve');
  });
});

describe('issue 12 each strategy sees its own fills and vetoes (feedback) in its snapshot', () => {
  const fill = (symbol: string, ts: number): Fill => ({
    tradeId: `t-${symbol}-${ts}`, venueOrderId: 'v1', clientOrderId: 'c1', symbol, side: 'buy', price: dec(100), quantity: dec(1), fee: dec('0.1'), feeAsset: 'USDT', isMaker: false, ts,
  });

  it('issue 12 a cap veto reaches only the vetoed strategy\'s next snapshot, a fill only its owner\'s, with the decision and fill times', () => {
    const { target } = account();
    const seenA: StrategyFeedback[] = [];
    const seenB: StrategyFeedback[] = [];
    const book = new StrategyFeedbackBook(['a', 'b']);
    const { loop, clock } = loopOf(target, [scripted('a', [ROUND[0]], seenA), scripted('b', [ROUND[1]], seenB)], new Map([['a', { maxAtRiskFraction: 0.15 }]]), book);
    loop.runCycle();
    expect(seenA[0]!.vetoes).toEqual([]);
    clock.advanceBy(60_000);
    book.filled('b', fill('ADAUSDT', NOW + 30_000));
    loop.runCycle();
    expect(seenA[1]!.vetoes).toEqual([expect.objectContaining({ ts: NOW, proposalId: 'a-SOLUSDT-buy', symbol: 'SOLUSDT', side: 'buy', reason: 'strategy_cap', capType: 'strategy_at_risk' })]);
    expect(seenA[1]!.fills).toEqual([]);
    expect(seenB[1]!.vetoes).toEqual([]);
    expect(seenB[1]!.fills.map((f) => [f.symbol, f.ts, f.price.toString()])).toEqual([['ADAUSDT', NOW + 30_000, '100']]);
    // The metrics of the run so far (X-MOD-6): a proposed 3, one vetoed and one downscaled; b proposed 2, both approved.
    expect(book.metrics()).toEqual({
      a: { proposals_count: 3, approvals_count: 2, vetoes_count: 1, downscaled_count: 1, fills_count: 0, vetoes_by_reason: { strategy_cap: 1 } },
      b: { proposals_count: 2, approvals_count: 2, vetoes_count: 0, downscaled_count: 0, fills_count: 1, vetoes_by_reason: {} },
    });
  });

  it('issue 12 feedback is bounded to the last N, oldest first, frozen, and never shows an entry later than the snapshot time', () => {
    const book = new StrategyFeedbackBook(['a'], 3);
    for (let i = 1; i <= 5; i++) book.filled('a', fill('BTCUSDT', NOW + i));
    book.filled('nobody', fill('BTCUSDT', NOW));
    const view = book.view('a', NOW + 10);
    expect(view.fills.map((f) => f.ts)).toEqual([NOW + 3, NOW + 4, NOW + 5]);
    expect(Object.isFrozen(view.fills)).toBe(true);
    expect(book.view('a', NOW + 10)).toBe(view); // unchanged: the same object, no allocation
    expect(book.view('a', NOW + 4).fills.map((f) => f.ts)).toEqual([NOW + 3, NOW + 4]);
    expect(book.metrics()['a']!.fills_count).toBe(5);
  });
});
