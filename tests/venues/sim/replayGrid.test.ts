/**
 * Specs of the bar feed's grids: replayed prices lie on the instrument's tick and sizes on its quantity step for
 * every bundled crypto file — its own instrument, a coarser one, and the Bybit BTCUSDT grid a mismatched file would
 * be replayed on (the Coinbase 2018 file has 0.01 prices and satoshi volumes) — and so do the fills they cause.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO } from '../../../src/domain/money.ts';
import type { Instrument } from '../../../src/domain/Instrument.ts';
import type { Side } from '../../../src/domain/orders.ts';
import { isMultipleOf } from '../../../src/domain/rounding.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { BYBIT_LINEAR_PROFILE, bybitLinearInstrument } from '../../../src/venues/sim/bybit/profile.ts';
import { simInstrument } from '../../../src/venues/sim/catalogue.ts';
import { createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import { instrumentFrom, notionalStep, priceScaleTick, SPOT_PROFILE, type SimVenueProfile } from '../../../src/venues/sim/engine/profiles.ts';
import { type Bar, barFeed, loadBarsCsv, type MarketTick, quantizeBar, seededRandom } from '../../../src/venues/sim/replay/index.ts';

const DIR = 'data/crypto-1m';
/** Every bundled crypto file with the profile and symbol that list it. */
const FILES: ReadonlyArray<readonly [string, SimVenueProfile, string]> = [
  ['coinbase_BTCUSD_spot_1m_2016-10-07_2016-10-09.csv', SPOT_PROFILE, 'BTC-USD'],
  ['coinbase_BTCUSD_spot_1m_2018-04-04_2018-04-06.csv', SPOT_PROFILE, 'BTC-USD'],
  ['coinbase_ETHUSD_spot_1m_2018-04-04_2018-04-05.csv', SPOT_PROFILE, 'ETH-USD'],
  ['binance_BTCBUSD_spot_1m_2022-12-13.csv', SPOT_PROFILE, 'BTC-BUSD'],
  ['binance_BTCUSD_perp_coinm_1m_2022-12-13.csv', BYBIT_LINEAR_PROFILE, 'BTCUSDT'],
  ['binance_ADAUSDT_perp_1m_2022-12-13.csv', BYBIT_LINEAR_PROFILE, 'ADAUSDT'],
  ['bybit_BTCUSDT_perp_1m_2022-12-13.csv', BYBIT_LINEAR_PROFILE, 'BTCUSDT'],
];
const COINBASE_2018 = `${DIR}/coinbase_BTCUSD_spot_1m_2018-04-04_2018-04-06.csv`;

const bars = new Map(FILES.map(([file]) => [file, loadBarsCsv(`${DIR}/${file}`)] as const));
const barsOf = (file: string): ReadonlyArray<Bar> => bars.get(file) ?? [];

/** The instruments each file is replayed on: its own, a coarse one (3-digit tick, ~100-quote step), and Bybit BTCUSDT. */
const gridsOf = (file: string, profile: SimVenueProfile, symbol: string): ReadonlyArray<Instrument> => {
  const first = (barsOf(file)[0] as Bar).close;
  const own = simInstrument(symbol, profile, barsOf(file));
  if (own === undefined) throw new Error(`${profile.id} does not list ${symbol}`);
  const coarse = instrumentFrom('sim', 'spot', 'COARSE', { baseAsset: 'X', quoteAsset: 'Y', tickSize: priceScaleTick(first, 3), quantityStep: notionalStep(first, new Decimal(100)), minNotional: ZERO, maxLeverage: new Decimal(1) });
  return [own, coarse, bybitLinearInstrument('BTCUSDT')];
};

const offGrid = (tick: MarketTick, inst: Instrument): string | undefined => {
  const p = (x: Decimal): boolean => x.gt(0) && isMultipleOf(x, inst.tickSize);
  const q = (x: Decimal): boolean => isMultipleOf(x, inst.quantityStep);
  if (!p(tick.lastPrice) || !p(tick.markPrice) || !p(tick.indexPrice)) return `price ${tick.lastPrice.toString()}/${tick.markPrice.toString()}`;
  for (const t of tick.trades) if (!p(t.price) || !q(t.size) || t.size.lte(0)) return `trade ${t.price.toString()} × ${t.size.toString()}`;
  for (const [price, size] of [...tick.bids, ...tick.asks]) if (!p(price) || !q(size) || size.lte(0)) return `level ${price.toString()} × ${size.toString()}`;
  const k = tick.kline;
  if (k !== undefined && (![k.open, k.high, k.low, k.close].every(p) || !q(k.volume))) return `kline ${k.open.toString()} … ${k.volume.toString()}`;
  return undefined;
};

describe('bar feed grids', () => {
  it('puts every replayed price on the tick and every size on the step, for each bundled crypto file on three grids', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 4, max: 12 }), fc.nat(), (seed, ticksPerBar, at) => {
        for (const [file, profile, symbol] of FILES) {
          const all = barsOf(file);
          const from = at % Math.max(1, all.length - 90);
          const slice = all.slice(from, from + 90);
          for (const inst of gridsOf(file, profile, symbol)) {
            const feed = barFeed({ symbol: inst.symbol, bars: slice, seed, ticksPerBar, tickSize: inst.tickSize, quantityStep: inst.quantityStep });
            while (feed.nextAt() !== undefined) {
              const why = offGrid(feed.next(), inst);
              if (why !== undefined) throw new Error(`${file} on ${inst.tickSize.toString()}/${inst.quantityStep.toString()}: ${why}`);
            }
          }
        }
      }),
      { seed: 11_2022, numRuns: 4 },
    );
  });

  it('replays the whole Coinbase 2018 file on the BTCUSDT grid with sizes summing to the floored volume', () => {
    const btc = bybitLinearInstrument('BTCUSDT');
    const all = loadBarsCsv(COINBASE_2018);
    // The file itself is off this grid (0.01 prices, 8-decimal volumes): the property is not trivially true.
    expect(all.some((b) => !isMultipleOf(b.close, btc.tickSize))).toBe(true);
    expect(all.some((b) => !isMultipleOf(b.volume, btc.quantityStep))).toBe(true);
    const feed = barFeed({ symbol: 'BTCUSDT', bars: all, seed: 42, ticksPerBar: 8, tickSize: btc.tickSize, quantityStep: btc.quantityStep });
    let volume = ZERO;
    let ticks = 0;
    while (feed.nextAt() !== undefined) {
      const tick = feed.next();
      const why = offGrid(tick, btc);
      if (why !== undefined) throw new Error(`tick ${ticks}: ${why}`);
      volume = tick.trades.reduce((acc, t) => acc.plus(t.size), volume);
      ticks++;
    }
    expect(ticks).toBe(all.length * 8);
    expect(volume.toString()).toBe(all.reduce((acc, b) => acc.plus(quantizeBar(b, btc.tickSize, btc.quantityStep).volume), ZERO).toString());
  });

  it('floors a bar volume to the step but never to zero, and leaves an on-grid bar unchanged', () => {
    const tick = new Decimal('0.1');
    const step = new Decimal('0.001');
    const bar: Bar = { start: 0, open: new Decimal('7424.91'), high: new Decimal('7424.96'), low: new Decimal('7422.04'), close: new Decimal('7422'), volume: new Decimal('0.00031') };
    const q = quantizeBar(bar, tick, step);
    expect([q.open, q.high, q.low, q.close, q.volume].map((x) => x.toString())).toEqual(['7424.9', '7425', '7422', '7422', '0.001']);
    expect(quantizeBar({ ...bar, volume: new Decimal('7.14319709') }, tick, step).volume.toString()).toBe('7.143');
    expect(quantizeBar({ ...bar, volume: ZERO }, tick, step).volume.isZero()).toBe(true);
    const onGrid: Bar = { start: 0, open: new Decimal('17194'), high: new Decimal('17199.5'), low: new Decimal('17193.5'), close: new Decimal('17199'), volume: new Decimal('78.677') };
    expect(quantizeBar(onGrid, tick, step)).toEqual(onGrid);
  });

  it('fills orders on the grid when the Coinbase 2018 file is replayed on BTCUSDT (paper passes tick and step)', () => {
    const btc = bybitLinearInstrument('BTCUSDT');
    const slice = loadBarsCsv(COINBASE_2018).slice(0, 240);
    const clock = new VirtualClock((slice[0] as Bar).start);
    const ex = createSimExchange({ clock, instruments: [btc], feeds: [barFeed({ symbol: 'BTCUSDT', bars: slice, seed: 5, ticksPerBar: 16, tickSize: btc.tickSize, quantityStep: btc.quantityStep })], seed: 5 });
    ex.fundAccount('bot', 'USDT', new Decimal(1_000_000));
    const rng = seededRandom(5);
    for (let at = ex.nextEventAt(); at !== undefined; at = ex.nextEventAt()) {
      clock.advanceTo(at);
      ex.advanceTo(at);
      const last = ex.ticker('BTCUSDT').lastPrice;
      const side: Side = rng.next() < 0.5 ? 'buy' : 'sell';
      const quantity = btc.quantityStep.times(rng.int(1, 500));
      const roll = rng.next();
      if (roll < 0.15) {
        const offset = btc.tickSize.times(rng.int(0, 30));
        ex.placeOrder({ account: 'bot', symbol: 'BTCUSDT', side, type: 'limit', quantity, price: side === 'buy' ? last.minus(offset) : last.plus(offset), timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false });
      } else if (roll < 0.2) {
        ex.placeOrder({ account: 'bot', symbol: 'BTCUSDT', side, type: 'market', quantity, timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false });
      }
    }
    const fills = ex.executions('bot');
    expect(fills.filter((e) => e.isMaker).length).toBeGreaterThan(20);
    expect(fills.filter((e) => !e.isMaker).length).toBeGreaterThan(20);
    const off = fills.filter((e) => !isMultipleOf(e.price, btc.tickSize) || !isMultipleOf(e.quantity, btc.quantityStep));
    expect(off.map((e) => `${e.price.toString()} × ${e.quantity.toString()}`)).toEqual([]);
  });
});
