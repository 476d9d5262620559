/**
 * X-BT-5 "a bar in which no order rests and no strategy acts must cost almost nothing": with the bar fill model the
 * engine passes over a bar's intra-bar ticks while nothing of ours is exposed to the symbol, and processes the last
 * one passed over the moment an API call needs the market. These specs run the same bars through two engines — one
 * that may skip, one whose feed forbids it — and require every observable outcome to be equal: fills, fees, wallets,
 * positions, the ticker, the tape's volume; only the number of book and ticker events may differ.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { bybitLinearInstrument, createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import type { SimEvent, SimExchange, SimOrderInput } from '../../../src/venues/sim/engine/types.ts';
import { barFeed, loadBarsCsv, type MarketFeed } from '../../../src/venues/sim/replay/index.ts';

const BTC = 'data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv';
const bars = loadBarsCsv(BTC).slice(0, 30);
const T0 = bars[0]!.start;

/** The feed the backtester uses; `forbidSkips` copies every tick with `skippable: false`. */
const feedOf = (forbidSkips: boolean): MarketFeed => {
  const inner = barFeed({ symbol: 'BTCUSDT', bars, seed: 7, ticksPerBar: 4, tickSize: new Decimal('0.1'), quantityStep: new Decimal('0.001'), barFill: { slippageBps: 1, volumeFraction: 0.5 } });
  if (!forbidSkips) return inner;
  return {
    symbol: inner.symbol,
    nextAt: () => inner.nextAt(),
    next: () => {
      const t = inner.next();
      return { symbol: t.symbol, ts: t.ts, lastPrice: t.lastPrice, markPrice: t.markPrice, indexPrice: t.indexPrice, trades: t.trades, bids: t.bids, asks: t.asks, kline: t.kline, skippable: false };
    },
  };
};

interface World {
  readonly ex: SimExchange;
  readonly events: SimEvent[];
  readonly runTo: (t: number) => void;
}

const world = (forbidSkips: boolean): World => {
  const clock = new VirtualClock(T0);
  const ex = createSimExchange({ clock, instruments: [bybitLinearInstrument('BTCUSDT')], feeds: [feedOf(forbidSkips)], seed: 42 });
  ex.fundAccount('a', 'USDT', new Decimal(100_000));
  const events: SimEvent[] = [];
  ex.subscribe((e) => events.push(e));
  const runTo = (t: number): void => {
    for (let at = ex.nextEventAt(); at !== undefined && at <= t; at = ex.nextEventAt()) {
      clock.advanceTo(at);
      ex.advanceTo(at);
    }
    if (clock.now() < t) clock.advanceTo(t);
  };
  return { ex, events, runTo };
};

const market = (side: 'buy' | 'sell', quantity: string): SimOrderInput => ({ account: 'a', symbol: 'BTCUSDT', side, type: 'market', quantity: new Decimal(quantity), timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false });
const limit = (side: 'buy' | 'sell', quantity: string, price: Decimal): SimOrderInput => ({ ...market(side, quantity), type: 'limit', price, timeInForce: 'gtc' });

const count = (events: ReadonlyArray<SimEvent>, type: SimEvent['type']): number => events.filter((e) => e.type === type).length;
const tape = (events: ReadonlyArray<SimEvent>): string => events.reduce((acc, e) => (e.type === 'trade' ? acc.plus(e.size) : acc), new Decimal(0)).toString();
const state = (w: World): string => JSON.stringify({ ticker: w.ex.ticker('BTCUSDT'), wallet: w.ex.wallet('a'), positions: w.ex.positions('a'), executions: w.ex.executions('a'), open: w.ex.openOrders('a') });
const END = bars[bars.length - 1]!.start + 60_000;

describe('X-BT-5 quiet intra-bar ticks', () => {
  it('X-BT-5 with nothing exposed the engine skips intra-bar ticks yet prints the same tape and ends in the same state', () => {
    const skipping = world(false);
    const full = world(true);
    skipping.runTo(END);
    full.runTo(END);
    expect(state(skipping)).toBe(state(full));
    expect(tape(skipping.events)).toBe(tape(full.events));
    expect(count(skipping.events, 'trade')).toBe(count(full.events, 'trade'));
    // Two of the four ticks of every bar were passed over: half the tickers, and the confirmed klines all there.
    expect(count(full.events, 'ticker')).toBe(bars.length * 4);
    expect(count(skipping.events, 'ticker')).toBe(bars.length * 2);
    expect(skipping.events.filter((e) => e.type === 'kline' && e.kline.confirm).length).toBe(bars.length);
  });

  it('X-BT-5 an order arriving mid-bar meets the market of the tick passed over (same fill, fee and position)', () => {
    const skipping = world(false);
    const full = world(true);
    // Bar 5's ticks sit at +0, +19999, +39998, +59999 ms: arrive after the second one, which the skipping engine passed over.
    const at = bars[5]!.start + 30_000;
    skipping.runTo(at);
    full.runTo(at);
    expect(skipping.ex.ticker('BTCUSDT')).toEqual(full.ex.ticker('BTCUSDT'));
    expect(skipping.ex.placeOrder(market('buy', '0.5'))).toEqual(full.ex.placeOrder(market('buy', '0.5')));
    skipping.runTo(END);
    full.runTo(END);
    expect(state(skipping)).toBe(state(full));
  });

  it('X-BT-5 a resting limit order keeps every tick of its bars, so it fills on the same intra-bar print', () => {
    const skipping = world(false);
    const full = world(true);
    const at = bars[2]!.start + 1;
    skipping.runTo(at);
    full.runTo(at);
    // A buy a little under the market: some later bar trades down through it on an intra-bar tick.
    const price = Decimal.min(...bars.slice(3).map((b) => b.low)).plus(new Decimal('0.1'));
    expect(skipping.ex.placeOrder(limit('buy', '0.2', price)).ok).toBe(true);
    expect(full.ex.placeOrder(limit('buy', '0.2', price)).ok).toBe(true);
    skipping.runTo(END);
    full.runTo(END);
    expect(full.ex.executions('a').length).toBeGreaterThan(0);
    expect(state(skipping)).toBe(state(full));
  });
});
