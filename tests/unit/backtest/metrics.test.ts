/**
 * Unit and property tests of the backtest report's metrics: hand-computed Sharpe, Sortino, drawdown, CAGR, Calmar,
 * trade and fill figures, finite output on degenerate input, determinism, monthly returns and per-symbol subsets.
 * Pure: no clock, no I/O; fast-check runs with a fixed seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../../src/domain/money.ts';
import { computeMetrics, metricsBy, monthlyReturns, subsetMetrics } from '../../../src/backtest/report/metrics.ts';
import type { BacktestFill, BacktestTrade, EquityPoint, Metrics } from '../../../src/backtest/report/types.ts';

const SEED = 20261124;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
/** 2024-01-01T00:00:00Z. */
const T0 = Date.UTC(2024, 0, 1);

const point = (ts: number, equity: string, exposure: Record<string, string> = {}): EquityPoint => ({ ts, equity, exposure });

const trade = (over: Partial<BacktestTrade>): BacktestTrade => ({
  symbol: 'BTCUSDT', strategyId: 'breakout', side: 'buy', quantity: '1', entryTs: T0, exitTs: T0 + HOUR,
  entryPrice: '100', exitPrice: '101', pnl: '1', fees: '0', reason: 'exit', ...over,
});

const fill = (over: Partial<BacktestFill>): BacktestFill => ({ ts: T0, symbol: 'BTCUSDT', side: 'buy', price: '100', quantity: '1', fee: '0', ...over });

const metricsOf = (equity: ReadonlyArray<EquityPoint>, extra: { trades?: BacktestTrade[]; fills?: BacktestFill[]; startingEquity?: string; periodsPerYear?: number } = {}): Metrics =>
  computeMetrics({ equity, trades: extra.trades ?? [], fills: extra.fills ?? [], startingEquity: extra.startingEquity ?? '100', ...(extra.periodsPerYear === undefined ? {} : { periodsPerYear: extra.periodsPerYear }) });

/** Every number in the metrics is finite, and the JSON round trip gives the same object back. */
const expectSerialisable = (m: Metrics): void => {
  for (const [field, value] of Object.entries(m)) {
    if (typeof value === 'number') expect(Number.isFinite(value), field).toBe(true);
  }
  expect(JSON.parse(JSON.stringify(m))).toEqual(m);
};

/** Sharpe and Sortino from first principles, in floats: an independent check of the Decimal implementation. */
const reference = (returns: ReadonlyArray<number>, periods: number): { sharpe: number; sortino: number } => {
  const n = returns.length;
  const mean = returns.reduce((a, r) => a + r, 0) / n;
  const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
  const down = Math.sqrt(returns.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / n);
  return { sharpe: (mean / sd) * Math.sqrt(periods), sortino: (mean / down) * Math.sqrt(periods) };
};

describe('computeMetrics: risk-adjusted returns', () => {
  // Starting 100, one point at noon on each of four days: returns +10 %, −10 %, +10 %, +10 %.
  const fourDays = [point(T0 + 12 * HOUR, '110'), point(T0 + DAY + 12 * HOUR, '99'), point(T0 + 2 * DAY + 12 * HOUR, '108.9'), point(T0 + 3 * DAY + 12 * HOUR, '119.79')];

  it('[X-BT-3] computes Sharpe and Sortino of per-day returns on a 4-day curve', () => {
    const m = metricsOf(fourDays, { periodsPerYear: 252 });
    const expected = reference([0.1, -0.1, 0.1, 0.1], 252);
    expect(m.sharpe).toBeCloseTo(expected.sharpe, 9);
    expect(m.sortino).toBeCloseTo(expected.sortino, 9);
    // By hand: mean 0.05, sample stdev √(0.03/3) = 0.1, downside √(0.01/4) = 0.05; so 0.5·√252 and 1·√252.
    expect(m.sharpe).toBe(7.93725393319);
    expect(m.sortino).toBe(15.8745078664);
    expect(m.annualisation).toBe('daily returns (UTC days with bars) × √252');
    expect(m.totalPnl).toBe('19.79');
    expect(m.totalReturn).toBe(0.1979);
  });

  it('[X-BT-3] takes the last point of each UTC day and ignores the intraday ones', () => {
    const withIntraday = [point(T0 + HOUR, '130'), ...fourDays.slice(0, 1), point(T0 + DAY + HOUR, '50'), ...fourDays.slice(1)];
    const m = metricsOf(withIntraday, { periodsPerYear: 252 });
    expect(m.sharpe).toBe(7.93725393319);
    expect(m.sortino).toBe(15.8745078664);
  });

  it('[X-BT-3] infers the periods per year from the curve and clamps them to [1, 366]', () => {
    // 4 days over a 3-day span is 487 days a year: clamped to 366.
    const m = metricsOf(fourDays);
    expect(m.annualisation).toContain('× √366');
    expect(m.sharpe).toBeCloseTo(reference([0.1, -0.1, 0.1, 0.1], 366).sharpe, 9);
    // 53 weekly points over 364 days: 53 · 365.25 / 364 = 53.18 → 53.
    const weekly = Array.from({ length: 53 }, (_, i) => point(T0 + i * 7 * DAY, String(100 + (i % 3))));
    expect(metricsOf(weekly).annualisation).toContain('× √53 ');
  });

  it('[X-BT-3] reports Sharpe and Sortino 0 with fewer than 2 days, zero stdev or no downside', () => {
    expect(metricsOf([point(T0, '110'), point(T0 + HOUR, '120')]).sharpe).toBe(0);
    const growth = [point(T0, '110'), point(T0 + DAY, '121'), point(T0 + 2 * DAY, '133.1')];
    const m = metricsOf(growth);
    expect(m.sharpe).toBe(0);
    expect(m.sortino).toBe(0);
  });
});

describe('computeMetrics: drawdown, CAGR and Calmar', () => {
  it('[X-BT-3] measures max drawdown and its duration on a curve that recovers', () => {
    const curve = [point(T0, '100'), point(T0 + DAY, '120'), point(T0 + 2 * DAY, '90'), point(T0 + 3 * DAY, '105'), point(T0 + 5 * DAY, '120'), point(T0 + 6 * DAY, '130')];
    const m = metricsOf(curve);
    expect(m.maxDrawdown).toBe(0.25);
    expect(m.maxDrawdownDurationMs).toBe(4 * DAY);
  });

  it('[X-BT-3] measures the duration until the last point on a curve that never recovers', () => {
    const m = metricsOf([point(T0, '100'), point(T0 + DAY, '80'), point(T0 + 3 * DAY, '90')]);
    expect(m.maxDrawdown).toBe(0.2);
    expect(m.maxDrawdownDurationMs).toBe(3 * DAY);
    // The starting equity is the first peak, placed at the first point's time.
    const belowStart = metricsOf([point(T0, '95'), point(T0 + 2 * DAY, '97')]);
    expect(belowStart.maxDrawdown).toBe(0.05);
    expect(belowStart.maxDrawdownDurationMs).toBe(2 * DAY);
  });

  it('[X-BT-3] computes CAGR on a two-year doubling and Calmar from it', () => {
    const doubling = metricsOf([point(T0, '100'), point(T0 + YEAR, '80'), point(T0 + 2 * YEAR, '200')]);
    expect(doubling.cagr).toBeCloseTo(Math.SQRT2 - 1, 11);
    expect(doubling.cagr).toBe(0.414213562373);
    expect(doubling.maxDrawdown).toBe(0.2);
    expect(doubling.calmar).toBeCloseTo((Math.SQRT2 - 1) / 0.2, 10);
    expect(doubling.calmar).toBe(2.07106781187);
  });

  it('[X-BT-3] reports the total return as CAGR on a span under one day, and Calmar 0 without drawdown', () => {
    const m = metricsOf([point(T0, '100'), point(T0 + 23 * HOUR, '150')]);
    expect(m.cagr).toBe(0.5);
    expect(m.cagr).toBe(m.totalReturn);
    expect(m.calmar).toBe(0);
  });

  it('[X-BT-3] weighs exposure time by the time each point holds a position', () => {
    const curve = [point(T0, '100', { BTCUSDT: '50' }), point(T0 + HOUR, '100'), point(T0 + 4 * HOUR, '100', { ETHUSDT: '1' }), point(T0 + 5 * HOUR, '100')];
    expect(metricsOf(curve).exposureTime).toBe(0.4);
  });
});

describe('computeMetrics: trades and fills', () => {
  const trades = [
    trade({ pnl: '10.5', entryTs: T0, exitTs: T0 + HOUR }),
    trade({ pnl: '-4', entryTs: T0, exitTs: T0 + 3 * HOUR }),
    trade({ pnl: '2', entryTs: T0 + HOUR, exitTs: T0 + 2 * HOUR }),
    trade({ pnl: '-1.5', entryTs: T0 + 2 * HOUR, exitTs: T0 + 6 * HOUR }),
    trade({ pnl: '100', entryTs: T0 + 3 * HOUR, exitTs: null, exitPrice: null, reason: 'open' }),
  ];

  it('[X-BT-3] computes win rate, profit factor, expectancy and durations of closed trades only', () => {
    const m = metricsOf([], { trades });
    expect(m.trades).toBe(4);
    expect(m.winRate).toBe(0.5);
    expect(m.profitFactor).toBe(Number((12.5 / 5.5).toPrecision(12)));
    expect(m.expectancy).toBe('1.75');
    expect(m.averageTradeDurationMs).toBe(2.25 * HOUR);
    expect(m.medianTradeDurationMs).toBe(2 * HOUR);
  });

  it('[X-BT-3] rounds a non-terminating expectancy to 20 significant digits, half-even', () => {
    const m = metricsOf([], { trades: [trade({ pnl: '1' }), trade({ pnl: '1' }), trade({ pnl: '0' })] });
    expect(m.expectancy).toBe('0.66666666666666666667');
    expect(m.medianTradeDurationMs).toBe(HOUR);
  });

  it('[X-BT-3] reports profit factor null without losses and 0 without wins', () => {
    expect(metricsOf([], { trades: [trade({ pnl: '1' }), trade({ pnl: '2' })] }).profitFactor).toBeNull();
    expect(metricsOf([], { trades: [trade({ pnl: '-1' }), trade({ pnl: '0' })] }).profitFactor).toBe(0);
  });

  it('[X-BT-3] sums fees and turnover exactly in decimals', () => {
    const fills = [fill({ price: '0.1', quantity: '3', fee: '0.1' }), fill({ side: 'sell', price: '0.2', quantity: '-3', fee: '0.2' }), fill({ price: '17199.123456789', quantity: '123.456789123', fee: '0' })];
    const m = metricsOf([], { fills });
    expect(m.fees).toBe('0.3');
    expect(m.turnover).toBe(dec('0.9').plus(dec('2123348.557705242375706047')).toString());
    expect(m.turnover).toBe('2123349.457705242375706047');
  });
});

describe('computeMetrics: degenerate input', () => {
  it('[X-BT-2] stays finite and serialisable on empty input', () => {
    const m = metricsOf([]);
    expectSerialisable(m);
    expect(m).toMatchObject({ endingEquity: '100', totalPnl: '0', totalReturn: 0, cagr: 0, sharpe: 0, sortino: 0, maxDrawdown: 0, trades: 0, winRate: 0, profitFactor: null, expectancy: '0', exposureTime: 0, fees: '0', turnover: '0' });
  });

  it('[X-BT-2] stays finite on a flat curve, a single point and all-winning trades', () => {
    const flat = metricsOf(Array.from({ length: 10 }, (_, i) => point(T0 + i * DAY, '100')));
    expectSerialisable(flat);
    expect(flat).toMatchObject({ sharpe: 0, sortino: 0, maxDrawdown: 0, maxDrawdownDurationMs: 0, calmar: 0, cagr: 0 });
    const single = metricsOf([point(T0, '90', { BTCUSDT: '10' })]);
    expectSerialisable(single);
    expect(single).toMatchObject({ totalReturn: -0.1, cagr: -0.1, maxDrawdown: 0.1, maxDrawdownDurationMs: 0, exposureTime: 0, sharpe: 0 });
    const winners = metricsOf([point(T0, '101'), point(T0 + DAY, '103')], { trades: [trade({ pnl: '1' }), trade({ pnl: '2' })] });
    expectSerialisable(winners);
    expect(winners.profitFactor).toBeNull();
    expect(winners.winRate).toBe(1);
  });

  it('[X-BT-2] stays finite on a zero starting equity and a wiped-out account', () => {
    expectSerialisable(metricsOf([point(T0, '10'), point(T0 + DAY, '0'), point(T0 + 2 * DAY, '5')], { startingEquity: '0' }));
    const wiped = metricsOf([point(T0, '50'), point(T0 + 2 * DAY, '0'), point(T0 + 3 * DAY, '-10')]);
    expectSerialisable(wiped);
    expect(wiped.cagr).toBe(-1);
  });

  it('[X-BT-3] refuses a periodsPerYear that is not a positive finite number', () => {
    expect(() => metricsOf([], { periodsPerYear: 0 })).toThrow(RangeError);
    expect(() => metricsOf([], { periodsPerYear: Number.NaN })).toThrow(RangeError);
  });
});

describe('computeMetrics: properties', () => {
  const cents = fc.integer({ min: 1, max: 100_000_000 }).map((c) => new Decimal(c).div(100).toString());
  const curveArb = fc.record({
    startingEquity: cents,
    steps: fc.array(fc.record({ dt: fc.integer({ min: 0, max: 3 * DAY }), equity: cents, exposed: fc.boolean() }), { maxLength: 40 }),
    pnls: fc.array(fc.integer({ min: -10_000, max: 10_000 }), { maxLength: 10 }),
  });

  it('[X-BT-2] keeps max drawdown in [0, 1), totalPnl exact, and the output identical on two calls', () => {
    fc.assert(
      fc.property(curveArb, ({ startingEquity, steps, pnls }) => {
        let ts = T0;
        const equity = steps.map((s) => {
          ts += s.dt;
          return point(ts, s.equity, s.exposed ? { BTCUSDT: '1' } : {});
        });
        const trades = pnls.map((p, i) => trade({ pnl: new Decimal(p).div(100).toString(), entryTs: T0 + i * HOUR, exitTs: i % 4 === 3 ? null : T0 + (i + 2) * HOUR }));
        const input = { equity, trades, fills: [], startingEquity };
        const a = computeMetrics(input);
        const b = computeMetrics(input);
        expect(a.maxDrawdown).toBeGreaterThanOrEqual(0);
        expect(a.maxDrawdown).toBeLessThan(1);
        const ending = equity[equity.length - 1]?.equity ?? startingEquity;
        expect(a.totalPnl).toBe(dec(ending).minus(dec(startingEquity)).toString());
        expect(b).toEqual(a);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        expectSerialisable(a);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('monthlyReturns', () => {
  it('[X-BT-3] returns month-end over previous month-end across a year boundary', () => {
    const equity = [
      point(Date.UTC(2023, 10, 15), '105'),
      point(Date.UTC(2023, 10, 30, 23, 59), '110'),
      point(Date.UTC(2023, 11, 31, 23, 59, 59, 999), '99'),
      point(Date.UTC(2024, 0, 1), '100'),
      point(Date.UTC(2024, 1, 10), '120'),
    ];
    const table = monthlyReturns(equity, '100');
    expect(table).toEqual({ '2023': { '11': 0.1, '12': -0.1 }, '2024': { '01': 0.010101010101, '02': 0.2 } });
    expect(JSON.stringify(table)).toBe('{"2023":{"11":0.1,"12":-0.1},"2024":{"01":0.010101010101,"02":0.2}}');
    expect(monthlyReturns([], '100')).toEqual({});
  });
});

describe('subsetMetrics and metricsBy', () => {
  const curveTimes = Array.from({ length: 5 }, (_, i) => T0 + i * DAY);
  const trades = [
    trade({ symbol: 'ETHUSDT', strategyId: 'meanrev', pnl: '-2.5', entryTs: T0 + DAY, exitTs: T0 + 2 * DAY }),
    trade({ symbol: 'BTCUSDT', strategyId: 'breakout', pnl: '10', entryTs: T0, exitTs: T0 + DAY }),
    trade({ symbol: 'BTCUSDT', strategyId: 'breakout', pnl: '-3', entryTs: T0 + 12 * HOUR, exitTs: T0 + 2 * DAY }),
    trade({ symbol: 'ETHUSDT', strategyId: 'breakout', pnl: '4.25', entryTs: T0 + 2 * DAY, exitTs: T0 + 3 * DAY + HOUR }),
    trade({ symbol: 'ETHUSDT', strategyId: 'meanrev', pnl: '7', entryTs: T0 + 3 * DAY + 12 * HOUR, exitTs: null, exitPrice: null, reason: 'open' }),
  ];
  const fills = [
    fill({ ts: T0, symbol: 'BTCUSDT', price: '100', quantity: '0.1', fee: '0.1' }),
    fill({ ts: T0 + DAY, symbol: 'BTCUSDT', side: 'sell', price: '200', quantity: '0.1', fee: '0.2' }),
    fill({ ts: T0 + DAY + HOUR, symbol: 'ETHUSDT', price: '10', quantity: '1.5', fee: '0.05' }),
    fill({ ts: T0 + 2 * DAY + HOUR, symbol: 'ETHUSDT', side: 'sell', price: '11', quantity: '1.5', fee: '0.05' }),
  ];
  const input = { trades, fills, startingEquity: '1000', curveTimes };

  it('[X-BT-3] steps a subset curve at the run times by the realized PnL of its closed trades', () => {
    const btc = subsetMetrics({ ...input, trades: trades.filter((t) => t.symbol === 'BTCUSDT'), fills: fills.filter((f) => f.symbol === 'BTCUSDT') });
    expect(btc).toMatchObject({ startingEquity: '1000', endingEquity: '1007', totalPnl: '7', trades: 2, fees: '0.3', turnover: '30' });
    // Curve 1000, 1010, 1007, 1007, 1007: the 3 fall from the 1010 peak never recovers (3 days to the last point).
    expect(btc.maxDrawdown).toBe(Number((3 / 1010).toPrecision(12)));
    expect(btc.maxDrawdownDurationMs).toBe(3 * DAY);
    // [T0, T0+2d) of a 4-day span.
    expect(btc.exposureTime).toBe(0.5);
  });

  it('[X-BT-3] gives per-symbol figures that sum to the run’s realized figures', () => {
    const bySymbol = metricsBy('symbol', input);
    expect(Object.keys(bySymbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const parts = Object.values(bySymbol);
    const sum = (f: (m: Metrics) => string): string => parts.reduce((acc, m) => acc.plus(dec(f(m))), new Decimal(0)).toString();
    const whole = subsetMetrics(input);
    expect(sum((m) => m.totalPnl)).toBe(whole.totalPnl);
    expect(whole.totalPnl).toBe('8.75');
    expect(sum((m) => m.fees)).toBe(computeMetrics({ equity: [], trades, fills, startingEquity: '1000' }).fees);
    expect(sum((m) => m.turnover)).toBe(whole.turnover);
    expect(parts.reduce((acc, m) => acc + m.trades, 0)).toBe(whole.trades);
    // ETH: the open trade keeps it exposed from T0+3.5d to the end; [T0+1d, T0+3d+1h) ∪ [T0+3.5d, T0+4d).
    expect(bySymbol['ETHUSDT']!.exposureTime).toBe(Number(((2 * DAY + HOUR + 12 * HOUR) / (4 * DAY)).toPrecision(12)));
  });

  it('[X-BT-3] keys strategies in order and gives each the fills of its trade cycles', () => {
    const byStrategy = metricsBy('strategyId', input);
    expect(Object.keys(byStrategy)).toEqual(['breakout', 'meanrev']);
    expect(byStrategy['breakout']).toMatchObject({ totalPnl: '11.25', trades: 3, fees: '0.35', turnover: '46.5' });
    expect(byStrategy['meanrev']).toMatchObject({ totalPnl: '-2.5', trades: 1, fees: '0.05', turnover: '15' });
    expect(JSON.stringify(metricsBy('strategyId', input))).toBe(JSON.stringify(byStrategy));
  });
});
