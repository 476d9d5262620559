/**
 * Boundary table tests of S2's capital rules (S2-4 risk per trade and total open risk, S2-5/C-20 allocation table):
 * exactly at a limit passes, just beyond vetoes with every veto field; plus config validation of the new keys.
 */
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { makeRiskEngine, type RiskDecision } from '../../src/risk/RiskEngine.ts';
import { DEFAULT_ALLOCATION_TABLE, decodeRiskConfig, makeRiskConfig, type RiskConfigInput } from '../../src/risk/RiskConfig.ts';
import { allocate, allocationRoundSize, applyAllocation, computeOpenRisk } from '../../src/risk/capital.ts';
import { GATE_CHECKS, SIZED_CHECKS } from '../../src/risk/checks/index.ts';
import type { PortfolioView, PositionView, SymbolMarketView, WorkingOrderView } from '../../src/risk/views.ts';
import { NOW, config, d, instrument, market, portfolio, proposal, symbolMarket } from './fixtures.ts';

const RULE_ORDER = [...GATE_CHECKS, ...SIZED_CHECKS].map(([name]) => name);

// Wide exposure caps so only the capital rules bind (NAV 100 000; BTCUSDT ask 100 = limit = worst price).
const WIDE: RiskConfigInput = {
  caps: { maxPositionFraction: '100%', maxTotalAtRiskFraction: '100%', maxTradeFraction: '100%', groupCapFraction: '100%', allowDownscale: false },
  defaultStrategyBudget: { budgetFraction: '100%', maxTradesPerCycle: 10 },
};

interface Case {
  readonly cfg?: RiskConfigInput;
  readonly prop?: Parameters<typeof proposal>[0];
  readonly pf?: Partial<PortfolioView>;
  readonly sym?: Partial<SymbolMarketView>;
}

const run = (c: Case): RiskDecision => {
  const m = market();
  const mk = { ...m, symbols: { ...m.symbols, BTCUSDT: symbolMarket('BTCUSDT', c.sym) } };
  const cfg = config({ ...WIDE, ...c.cfg, caps: { ...WIDE.caps, ...c.cfg?.caps } });
  return makeRiskEngine(cfg).check(proposal(c.prop), portfolio(c.pf), mk, NOW);
};

const approved = (c: Case) => {
  const r = run(c);
  if (r.kind !== 'approve') throw new Error(`expected approve, got ${JSON.stringify(r.veto)}`);
  return r.order;
};

const vetoed = (c: Case, want: { reason: string; capType: string; current: string; proposed: string; limit: string; rule: string }) => {
  const r = run(c);
  if (r.kind !== 'veto') throw new Error(`expected veto ${want.reason}, got approve`);
  expect({ reason: r.veto.reason, capType: r.veto.capType, current: r.veto.current, proposed: r.veto.proposed, limit: r.veto.limit, rule: r.rule }).toEqual(want);
  expect(r.veto.message.length).toBeGreaterThan(0);
  expect(r.trace).toEqual(RULE_ORDER.slice(0, RULE_ORDER.indexOf(r.rule) + 1));
  return r;
};

const pos = (qty: string, entry: string, stop: string | undefined, symbol = 'ETHUSDT'): PositionView => ({
  symbol,
  side: 'long',
  quantity: d(qty),
  entryPrice: d(entry),
  markPrice: d(entry),
  stopLoss: stop === undefined ? undefined : d(stop),
});

const working = (qty: string, price: string, stop: string | undefined, over: Partial<WorkingOrderView> = {}): WorkingOrderView => ({
  symbol: 'BTCUSDT',
  side: 'buy',
  quantity: d(qty),
  price: d(price),
  reduceOnly: false,
  strategyId: 'other',
  stopLoss: stop === undefined ? undefined : d(stop),
  ...over,
});

describe('S2-4 risk per trade', () => {
  const RPT: RiskConfigInput = { capital: { riskPerTradeFraction: 0.025 } };

  it('S2-4 sizes an entry so quantity × stop distance equals the budget exactly (NAV 100 000 × 0.025 = 2 500)', () => {
    // SL 20 % at worst price 100 → 20 per unit; 2 500 / 20 = 125 units although the proposal asked for 500.
    const o = approved({ cfg: RPT, prop: { notionalFraction: 0.5 as never, stopLossFraction: 0.2 as never } });
    expect(o.quantity.toString()).toBe('125');
    expect(o.quantity.times(d(100)).times(d('0.2')).lte(d(2500))).toBe(true);
  });

  it('S2-4 leaves a proposal whose risk is already within the budget unchanged (never scales up)', () => {
    const o = approved({ cfg: RPT, prop: { notionalFraction: 0.1 as never, stopLossFraction: 0.2 as never } });
    expect(o.quantity.toString()).toBe('100'); // risk 2 000 < 2 500
  });

  it('S2-4 is off unless configured: the same proposal gets its full size', () => {
    const o = approved({ prop: { notionalFraction: 0.5 as never, stopLossFraction: 0.2 as never } });
    expect(o.quantity.toString()).toBe('500');
  });

  it('S2-4 never sizes above the other caps (symbol cap 5 % binds before the risk budget)', () => {
    const o = approved({ cfg: { ...RPT, caps: { maxPositionFraction: 0.05, allowDownscale: true } }, prop: { notionalFraction: 0.5 as never, stopLossFraction: 0.2 as never } });
    expect(o.quantity.toString()).toBe('50');
  });

  it('S2-4 uses the automatic 2 % stop when the proposal has none', () => {
    // 2 500 / (100 × 0.02) = 1 250 units; the proposal asked for 0.5 × 100 000 / 100 = 500, so no cut.
    expect(approved({ cfg: RPT, prop: { notionalFraction: 0.5 as never, stopLossFraction: 0 as never } }).quantity.toString()).toBe('500');
    // With the budget at 0.02 and a 100 % notional the budget allows 2 000 / 2 = 1 000 units = all of NAV; the entry's
    // taker fee is kept back, so the notional plus its fee fits the cash.
    const allIn = approved({ cfg: { capital: { riskPerTradeFraction: 0.02 } }, prop: { notionalFraction: 1 as never, stopLossFraction: 0 as never } });
    expect(allIn.notional.times(1 + 0.00055).lte(100_000)).toBe(true);
    expect(allIn.quantity.lt(1000)).toBe(true);
  });

  it.each([
    { minQuantity: '125', outcome: 'approve' as const },
    { minQuantity: '125.001', outcome: 'veto' as const },
  ])('S2-4 minimum quantity $minQuantity at 20 per unit against a 2 500 budget → $outcome', ({ minQuantity, outcome }) => {
    const c: Case = {
      cfg: RPT,
      prop: { notionalFraction: 0.5 as never, stopLossFraction: 0.2 as never },
      sym: { instrument: instrument('BTCUSDT', { minQuantity: d(minQuantity), maxQuantity: d(100_000) }) },
    };
    if (outcome === 'approve') {
      expect(approved(c).quantity.toString()).toBe('125');
    } else {
      // 125.001 × 20 = 2 500.02 → 0.0250002 of NAV.
      vetoed(c, { reason: 'risk_per_trade', capType: 'risk_per_trade', current: '0', proposed: '0.0250002', limit: '0.025', rule: 'riskPerTrade' });
    }
  });

  it('S2-4 does not apply to exits', () => {
    const o = approved({
      cfg: RPT,
      prop: { side: 'sell', notionalFraction: 1 as never, stopLossFraction: 0.2 as never },
      pf: { positions: [pos('300', '100', '50', 'BTCUSDT')] },
    });
    expect(o.intent).toBe('exit');
    expect(o.quantity.toString()).toBe('300');
  });
});

describe('S2-4 total open risk', () => {
  const OPEN: RiskConfigInput = { capital: { maxOpenRiskFraction: 0.05 } };
  // The proposal: 10 000 notional at 100 with SL 20 % → 100 units, risk 2 000. The limit: 5 000.
  const prop = { notionalFraction: 0.1 as never, stopLossFraction: 0.2 as never };

  it.each([
    { name: 'position risk 3 000 + proposal 2 000 = 5 000', stop: '70', outcome: 'approve' as const },
    { name: 'position risk 3 001 + proposal 2 000 = 5 001', stop: '69.99', outcome: 'veto' as const },
  ])('S2-4 $name → $outcome', ({ stop, outcome }) => {
    const c: Case = { cfg: OPEN, prop, pf: { positions: [pos('100', '100', stop)] } };
    if (outcome === 'approve') expect(approved(c).quantity.toString()).toBe('100');
    else vetoed(c, { reason: 'open_risk_cap', capType: 'open_risk', current: '0.03001', proposed: '0.05001', limit: '0.05', rule: 'openRisk' });
  });

  it('S2-4 counts a position without a stop at its full notional (30 × 100 = 3 000 at the limit; 30.01 beyond)', () => {
    expect(approved({ cfg: OPEN, prop, pf: { positions: [pos('30', '100', undefined)] } }).quantity.toString()).toBe('100');
    vetoed(
      { cfg: OPEN, prop, pf: { positions: [pos('30.01', '100', undefined)] } },
      { reason: 'open_risk_cap', capType: 'open_risk', current: '0.03001', proposed: '0.05001', limit: '0.05', rule: 'openRisk' },
    );
  });

  it('S2-4 counts working entries at their stop distance from the worst price, or at full notional without a stop', () => {
    // Limit 99, reference 100 → worst 100; stop 70 → 30 per unit × 100 = 3 000.
    expect(approved({ cfg: OPEN, prop, pf: { workingOrders: [working('100', '99', '70')] } }).quantity.toString()).toBe('100');
    vetoed(
      { cfg: OPEN, prop, pf: { workingOrders: [working('100', '99', '69.99')] } },
      { reason: 'open_risk_cap', capType: 'open_risk', current: '0.03001', proposed: '0.05001', limit: '0.05', rule: 'openRisk' },
    );
    // No stop: 30.01 × 100 worst notional = 3 001.
    vetoed(
      { cfg: OPEN, prop, pf: { workingOrders: [working('30.01', '99', undefined)] } },
      { reason: 'open_risk_cap', capType: 'open_risk', current: '0.03001', proposed: '0.05001', limit: '0.05', rule: 'openRisk' },
    );
    // Reduce-only orders lower risk and are not counted.
    expect(approved({ cfg: OPEN, prop, pf: { workingOrders: [working('1000', '99', undefined, { reduceOnly: true, side: 'sell' })] } }).quantity.toString()).toBe('100');
  });

  it('S2-4 vetoes any entry when the book already sits at the limit', () => {
    vetoed(
      { cfg: OPEN, prop, pf: { positions: [pos('100', '100', '50')] } },
      { reason: 'open_risk_cap', capType: 'open_risk', current: '0.05', proposed: '0.07', limit: '0.05', rule: 'openRisk' },
    );
  });

  it('S2-4 downscales to the open-risk headroom when allowDownscale is on', () => {
    // Open 4 000 → headroom 1 000 → 1 000 / (100 × 0.2) = 50 units; the book ends exactly at the limit.
    const o = approved({ cfg: { ...OPEN, caps: { allowDownscale: true } }, prop, pf: { positions: [pos('100', '100', '60')] } });
    expect(o.quantity.toString()).toBe('50');
  });

  it('S2-4 is off unless configured: a book far beyond 5 % still lets entries through', () => {
    expect(approved({ prop, pf: { positions: [pos('100', '100', '10')] } }).quantity.toString()).toBe('100');
  });

  it('S2-4 marks a working entry that cannot be valued as unpriced (unknown is not zero)', () => {
    const pf = portfolio({ workingOrders: [working('1', '1', undefined, { symbol: 'GHOSTUSDT', price: undefined })] });
    expect(computeOpenRisk(pf, market()).unpriced).toEqual(['GHOSTUSDT']);
  });
});

describe('S2-5 C-20 allocation table', () => {
  // The S2-5 table, written from the requirement text.
  const SPEC: Record<number, number[]> = { 1: [1], 2: [0.6, 0.4], 3: [0.4, 0.3, 0.3], 4: [0.4, 0.2, 0.2, 0.2] };
  const sig = (id: string, conviction: number) => ({ id, conviction });

  it('S2-5 the default table is the S2 table and every row sums to 1', () => {
    const cfg = makeRiskConfig();
    expect(cfg.capital.allocationTable).toEqual({ '1': SPEC[1], '2': SPEC[2], '3': SPEC[3], '4': SPEC[4] });
    expect(cfg.capital.useAllocationTable).toBe(false);
    expect(cfg.capital.totalAllocationFraction).toBe(0.02);
    for (const row of Object.values(cfg.capital.allocationTable)) expect(Math.abs(row.reduce((a, w) => a + w, 0) - 1)).toBeLessThan(1e-9);
  });

  it.each([1, 2, 3, 4])('S2-5 %i signal(s): weights by conviction rank, shares of TOTAL_ALLOCATION 0.02', (n) => {
    // Given in ascending conviction so the function has to rank them.
    const signals = Array.from({ length: n }, (_, i) => sig(`s${String(i)}`, (i + 1) / 10));
    const round = allocate(signals, DEFAULT_ALLOCATION_TABLE, 0.02);
    expect(round.vetoed).toEqual([]);
    expect(round.allocated.map((a) => a.proposal.id)).toEqual([...signals].reverse().map((s) => s.id));
    expect(round.allocated.map((a) => a.rank)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(round.allocated.map((a) => a.weight)).toEqual(SPEC[n]);
    const spec = SPEC[n] ?? [];
    round.allocated.forEach((a, i) => expect(Math.abs(a.notionalFraction - (spec[i] ?? NaN) * 0.02)).toBeLessThan(1e-15));
    expect(round.allocated.reduce((sum, a) => sum + a.notionalFraction, 0)).toBeCloseTo(0.02, 12);
  });

  it('S2-5 C-20 5 signals: the top 4 get the 4-signal row, the lowest conviction is refused with allocation_round_full', () => {
    const signals = [sig('a', 0.5), sig('b', 0.9), sig('c', 0.1), sig('d', 0.7), sig('e', 0.3)];
    const round = allocate(signals, DEFAULT_ALLOCATION_TABLE, 0.02);
    expect(allocationRoundSize(DEFAULT_ALLOCATION_TABLE)).toBe(4);
    expect(round.allocated.map((a) => [a.proposal.id, a.weight])).toEqual([
      ['b', 0.4],
      ['d', 0.2],
      ['a', 0.2],
      ['e', 0.2],
    ]);
    expect(round.vetoed).toHaveLength(1);
    const v = round.vetoed[0];
    expect(v?.proposal.id).toBe('c');
    expect(v?.rank).toBe(5);
    expect(v?.veto).toMatchObject({ reason: 'allocation_round_full', capType: 'allocation_round', current: '4', proposed: '5', limit: '4' });
  });

  it('S2-5 equal convictions keep the caller order; an empty round allocates nothing', () => {
    const round = allocate([sig('x', 0.5), sig('y', 0.5)], DEFAULT_ALLOCATION_TABLE, 0.02);
    expect(round.allocated.map((a) => [a.proposal.id, a.weight])).toEqual([
      ['x', 0.6],
      ['y', 0.4],
    ]);
    expect(allocate([], DEFAULT_ALLOCATION_TABLE, 0.02)).toEqual({ allocated: [], vetoed: [] });
  });

  it('S2-5 applyAllocation rewrites notionalFraction only when enabled, and the engine sizes from it', () => {
    const props = [proposal({ proposalId: 'lo', conviction: 0.2 as never }), proposal({ proposalId: 'hi', conviction: 0.8 as never })];
    const off = applyAllocation(props, makeRiskConfig().capital);
    expect(off.proposals).toBe(props);
    const cfg = config({ capital: { useAllocationTable: true } });
    const on = applyAllocation(props, cfg.capital);
    expect(on.vetoed).toEqual([]);
    expect(on.proposals.map((p) => [p.proposalId, p.notionalFraction])).toEqual([
      ['hi', 0.012],
      ['lo', 0.008],
    ]);
    const first = on.proposals[0];
    if (first === undefined) throw new Error('allocated');
    const r = makeRiskEngine(cfg).check(first, portfolio(), market(), NOW);
    // 100 000 × 0.012 = 1 200 at 100 → 12 units.
    expect(r.kind === 'approve' && r.order.quantity.toString()).toBe('12');
  });
});

describe('S2-4 S2-5 capital config validation', () => {
  const ok = (capital: RiskConfigInput['capital']) => Either.isRight(decodeRiskConfig({ capital }));

  it.each([
    [0.019, false],
    [0.02, true],
    [0.025, true],
    ['2.5%', true],
    [0.03, true],
    [0.031, false],
    [null, true],
  ] as const)('S2-4 riskPerTradeFraction %s → valid %s', (value, valid) => {
    expect(ok({ riskPerTradeFraction: value })).toBe(valid);
  });

  it('S2-4 maxOpenRiskFraction accepts the percent forms and defaults to off', () => {
    const r = decodeRiskConfig({ capital: { maxOpenRiskFraction: '5%' } });
    expect(Either.isRight(r) && r.right.capital.maxOpenRiskFraction).toBe(0.05);
    expect(makeRiskConfig().capital.maxOpenRiskFraction).toBeNull();
    expect(makeRiskConfig().capital.riskPerTradeFraction).toBeNull();
  });

  it.each([
    ['a row summing to 0.9', { '1': [1], '2': [0.5, 0.4] }, false],
    ['a row summing to 1 + 2e-9', { '1': [1], '2': [0.6, 0.400000002] }, false],
    ['a row summing to 1 within 1e-9 (float noise)', { '1': [1], '2': [0.1, 0.9], '3': [0.1, 0.2, 0.7] }, true],
    ['row 2 with 3 weights', { '1': [1], '2': [0.4, 0.3, 0.3] }, false],
    ['a gap (rows 1 and 3)', { '1': [1], '3': [0.4, 0.3, 0.3] }, false],
    ['a negative weight', { '1': [1], '2': [1.2, -0.2] }, false],
    ['an empty table', {}, false],
    ['the S2 table', DEFAULT_ALLOCATION_TABLE, true],
  ] as const)('S2-5 allocationTable with %s → valid %s', (_name, table, valid) => {
    expect(ok({ allocationTable: table })).toBe(valid);
  });
});
