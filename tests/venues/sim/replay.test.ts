/**
 * Specs of the simulator's market-data replay: CSV loading and validation, the intra-bar path over every real bar
 * (O first, C last, inside [L, H], sizes summing to the volume), klines, time shifting and the seeded random walk.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO } from '../../../src/domain/money.ts';
import {
  type Bar,
  BarsCsvError,
  barFeed,
  intraBarPath,
  loadBarsCsv,
  type MarketFeed,
  type MarketTick,
  parseBarsCsv,
  syntheticFeed,
} from '../../../src/venues/sim/replay/index.ts';

const BTC = 'data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv';
const ADA = 'data/crypto-1m/binance_ADAUSDT_perp_1m_2022-12-13.csv';

const drain = (feed: MarketFeed): MarketTick[] => {
  const out: MarketTick[] = [];
  while (feed.nextAt() !== undefined) out.push(feed.next());
  return out;
};

const errorOf = (f: () => unknown): BarsCsvError => {
  try {
    f();
  } catch (e) {
    if (e instanceof BarsCsvError) return e;
    throw e;
  }
  throw new Error('expected a BarsCsvError');
};

describe('loadBarsCsv', () => {
  it('loads the bundled BTCUSDT and ADAUSDT days with Decimal prices', () => {
    const btc = loadBarsCsv(BTC);
    expect(btc).toHaveLength(721);
    expect(btc[0]).toMatchObject({ start: 1_670_889_600_000 });
    expect(btc[0]?.high.toString()).toBe('17199.5');
    expect(btc[0]?.volume.toString()).toBe('78.677');
    const ada = loadBarsCsv(ADA);
    expect(ada).toHaveLength(1440);
    expect(ada[1]?.close.toString()).toBe('0.3071');
  });

  it('rejects bad headers, columns, times, numbers, OHLC and ordering with a typed error naming the line', () => {
    const header = 'time_utc,unix_ms,open,high,low,close,volume';
    const ok = '2022-12-13T00:00:00Z,1670889600000,10,11,9,10.5,3';
    expect(errorOf(() => parseBarsCsv('a,b,c\n' + ok)).reason).toBe('bad_header');
    expect(errorOf(() => parseBarsCsv(`${header}\n${ok},7`))).toMatchObject({ reason: 'bad_columns', line: 2 });
    expect(errorOf(() => parseBarsCsv(`${header}\n2022-12-13T00:00:01Z,1670889600000,10,11,9,10.5,3`)).reason).toBe('bad_time');
    expect(errorOf(() => parseBarsCsv(`${header}\n2022-12-13T00:00:00Z,1670889600000,10,11,9,abc,3`)).reason).toBe('bad_number');
    expect(errorOf(() => parseBarsCsv(`${header}\n2022-12-13T00:00:00Z,1670889600000,10,11,9,12,3`)).reason).toBe('inconsistent_ohlc');
    expect(errorOf(() => parseBarsCsv(`${header}\n${ok}\n${ok}`))).toMatchObject({ reason: 'out_of_order', line: 3 });
    expect(errorOf(() => parseBarsCsv(`${header}\n`)).reason).toBe('empty');
    expect(errorOf(() => loadBarsCsv('/nonexistent/bars.csv')).reason).toBe('unreadable');
  });

  it('loads the bundled US equity minute bars (New York time with offset) with their session column', () => {
    const spy = loadBarsCsv('data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv');
    expect(spy).toHaveLength(4839);
    expect(spy[0]).toMatchObject({ start: 1_380_873_960_000, session: 'pre' });
    const open = spy.find((b) => b.session === 'rth');
    expect([open?.start, open?.open.toString()]).toEqual([1_380_893_400_000, '167.74']);
    const header = 'time_et,unix_ms,open,high,low,close,volume,session';
    expect(errorOf(() => parseBarsCsv(`${header}\n2013-10-04T09:30:00-04:00,1380893400000,1,2,0.5,1.5,10,lunch`))).toMatchObject({ reason: 'bad_columns', line: 2 });
    expect(errorOf(() => parseBarsCsv(`${header}\n2013-10-04T09:30:00-05:00,1380893400000,1,2,0.5,1.5,10,rth`))).toMatchObject({ reason: 'bad_time', line: 2 });
    expect(errorOf(() => parseBarsCsv(`${header}\n2013-10-04T09:30:00-04:00,1380893400000,1,2,0.5,1.5,10`))).toMatchObject({ reason: 'bad_columns', line: 2 });
  });

  it('reads a file written to disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bars-'));
    const file = join(dir, 'x.csv');
    writeFileSync(file, 'time_utc,unix_ms,open,high,low,close,volume\n2022-12-13T00:00:00Z,1670889600000,1,2,0.5,1.5,10\n');
    expect(loadBarsCsv(file).map((b) => b.close.toString())).toEqual(['1.5']);
  });
});

describe('barFeed', () => {
  const checkBars = (bars: ReadonlyArray<Bar>, ticks: ReadonlyArray<MarketTick>, n: number): void => {
    expect(ticks).toHaveLength(bars.length * n);
    bars.forEach((bar, b) => {
      const own = ticks.slice(b * n, (b + 1) * n);
      const prices = own.map((t) => t.lastPrice);
      if (!prices[0]?.eq(bar.open) || !prices[n - 1]?.eq(bar.close)) throw new Error(`bar ${b}: path does not run O→C`);
      if (!prices.some((p) => p.eq(bar.high)) || !prices.some((p) => p.eq(bar.low))) throw new Error(`bar ${b}: path misses H or L`);
      for (const p of prices) if (p.gt(bar.high) || p.lt(bar.low)) throw new Error(`bar ${b}: ${p.toString()} outside [L, H]`);
      const volume = own.flatMap((t) => t.trades).reduce((acc, t) => acc.plus(t.size), ZERO);
      if (!volume.eq(bar.volume)) throw new Error(`bar ${b}: sizes sum to ${volume.toString()}, not ${bar.volume.toString()}`);
      for (const t of own) if (t.ts < bar.start || t.ts >= bar.start + 60_000) throw new Error(`bar ${b}: tick outside the minute`);
      const confirmed = own.filter((t) => t.kline?.confirm === true);
      if (confirmed.length !== 1 || confirmed[0] !== own[n - 1]) throw new Error(`bar ${b}: confirm must be on the last tick only`);
      const k = confirmed[0]?.kline;
      if (!(k?.high.eq(bar.high) && k.low.eq(bar.low) && k.volume.eq(bar.volume) && k.open.eq(bar.open) && k.close.eq(bar.close))) {
        throw new Error(`bar ${b}: confirmed kline differs from the bar`);
      }
      for (const t of own) {
        const bestBid = t.bids[0]?.[0];
        const bestAsk = t.asks[0]?.[0];
        if (bestBid !== undefined && bestAsk !== undefined && bestBid.gte(bestAsk)) throw new Error(`bar ${b}: synthetic book crossed`);
      }
    });
  };

  it('X-BT-5 replays every BTCUSDT bar along a path that respects O/H/L/C and sums trade sizes to the volume', () => {
    const bars = loadBarsCsv(BTC);
    checkBars(bars, drain(barFeed({ symbol: 'BTCUSDT', bars, seed: 7, tickSize: new Decimal('0.1'), quantityStep: new Decimal('0.001') })), 8);
  });

  it('X-BT-5 replays every ADAUSDT bar the same way with inferred grids and 5 ticks per bar', () => {
    const bars = loadBarsCsv(ADA);
    checkBars(bars, drain(barFeed({ symbol: 'ADAUSDT', bars, seed: 3, ticksPerBar: 5 })), 5);
  });

  it('keeps the path inside [L, H] and through O, H, L, C for arbitrary bars', () => {
    const barArb = fc
      .tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 4, max: 20 }))
      .map(([low, span, vol, o, c, n]) => {
        const lo = new Decimal(low).dividedBy(10);
        const hi = lo.plus(new Decimal(span).dividedBy(10));
        const at = (x: number): Decimal => lo.plus(hi.minus(lo).times(x).dividedBy(1000).toNearest('0.1', Decimal.ROUND_FLOOR));
        return { bar: { start: 0, open: at(o), high: hi, low: lo, close: at(c), volume: new Decimal(vol) }, n };
      });
    fc.assert(
      fc.property(barArb, ({ bar, n }) => {
        const path = intraBarPath(bar, n, new Decimal('0.1'));
        return (
          path.length === n &&
          path[0]?.eq(bar.open) === true &&
          path[n - 1]?.eq(bar.close) === true &&
          path.some((p) => p.eq(bar.high)) &&
          path.some((p) => p.eq(bar.low)) &&
          path.every((p) => p.gte(bar.low) && p.lte(bar.high))
        );
      }),
      { seed: 20_221_213, numRuns: 300 },
    );
  });

  it('shifts timestamps so the replay starts at a chosen epoch', () => {
    const bars = loadBarsCsv(BTC).slice(0, 3);
    const ticks = drain(barFeed({ symbol: 'BTCUSDT', bars, seed: 1, shiftTo: 2_000_000_000_000 }));
    expect(ticks[0]?.ts).toBe(2_000_000_000_000);
    expect(ticks.at(-1)?.kline?.start).toBe(2_000_000_000_000 + 2 * 60_000);
    expect(ticks.every((t, i) => i === 0 || t.ts > (ticks[i - 1]?.ts ?? 0))).toBe(true);
  });

  it('gives identical ticks for the same seed and different sizes for another seed', () => {
    const bars = loadBarsCsv(BTC).slice(0, 20);
    const run = (seed: number): string => JSON.stringify(drain(barFeed({ symbol: 'BTCUSDT', bars, seed })));
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });
});

describe('syntheticFeed', () => {
  it('walks on the tick grid with positive prices, one trade per tick and confirmed minute klines', () => {
    const ticks = drain(syntheticFeed({ symbol: 'BTCUSDT', start: 1_000_040_000, startPrice: new Decimal(17000), ticks: 500, seed: 9, volatility: 0.0005 }));
    expect(ticks).toHaveLength(500);
    expect(ticks.every((t) => t.lastPrice.gt(0) && t.lastPrice.mod('0.1').isZero() && t.trades.length === 1)).toBe(true);
    expect(new Set(ticks.map((t) => t.lastPrice.toString())).size).toBeGreaterThan(10);
    const confirmed = ticks.filter((t) => t.kline?.confirm === true);
    // 500 one-second ticks from 20 s into a minute span nine minutes: nine klines, each confirmed once on its last tick.
    expect(confirmed.map((t) => t.kline?.start)).toEqual(Array.from({ length: 9 }, (_, i) => 1_000_020_000 + i * 60_000));
  });
});
