/**
 * Benchmark of the simulator's matching engine and replay (not a test): orders placed and cancelled against a deep
 * book, orders matched against each other and against synthetic liquidity, and ticks replayed per second. Prints
 * nothing itself; `npm run bench` reports the figures it returns.
 */
import { Decimal } from '../../src/domain/money.ts';
import type { Side } from '../../src/domain/orders.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { bybitLinearInstrument, createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../../src/venues/sim/engine/types.ts';
import { barFeed, loadBarsCsv, seededRandom, syntheticFeed } from '../../src/venues/sim/replay/index.ts';

const ORDERS = 50_000;
const START = 1_700_000_000_000;

const freshExchange = (): { ex: SimExchange; clock: VirtualClock } => {
  const clock = new VirtualClock(START);
  const feed = syntheticFeed({ symbol: 'BTCUSDT', start: START, startPrice: new Decimal(17000), ticks: 10_000, seed: 1, volatility: 0.0003 });
  const ex = createSimExchange({ clock, instruments: [bybitLinearInstrument('BTCUSDT')], feeds: [feed], seed: 1, maxOpenOrdersPerSymbol: ORDERS + 10 });
  for (const account of ['maker', 'taker']) ex.fundAccount(account, 'USDT', new Decimal(1e12));
  ex.advanceTo(START);
  return { ex, clock };
};

const limit = (account: string, side: Side, price: Decimal, quantity: Decimal, tif: 'gtc' | 'ioc' = 'gtc') => ({
  account,
  symbol: 'BTCUSDT',
  side,
  type: 'limit' as const,
  quantity,
  price,
  timeInForce: tif,
  reduceOnly: false,
  closeOnTrigger: false,
});

/** Returns engine throughput figures. */
export async function benchSimEngine(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const out: Array<{ name: string; value: number; unit: string }> = [];
  const tick = new Decimal('0.1');
  const qty = new Decimal('0.001');

  {
    // 50k resting limit orders over 1000 price levels, then each cancelled by id.
    const { ex } = freshExchange();
    const rng = seededRandom(2);
    const ids: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < ORDERS; i++) {
      const side: Side = i % 2 === 0 ? 'buy' : 'sell';
      const offset = tick.times(rng.int(10, 1010));
      const r = ex.placeOrder(limit('maker', side, side === 'buy' ? new Decimal(17000).minus(offset) : new Decimal(17000).plus(offset), qty));
      if (r.ok) ids.push(r.value.orderId);
    }
    const t1 = performance.now();
    for (const orderId of ids) ex.cancelOrder('maker', 'BTCUSDT', { orderId });
    const t2 = performance.now();
    out.push({ name: 'sim engine: limit orders placed (resting, deep book)', value: Math.round((ids.length / (t1 - t0)) * 1000), unit: 'orders/s' });
    out.push({ name: 'sim engine: orders cancelled', value: Math.round((ids.length / (t2 - t1)) * 1000), unit: 'orders/s' });
  }

  {
    // 25k resting makers crossed by 25k takers one level away: every taker fills a maker or synthetic size.
    const { ex } = freshExchange();
    const t0 = performance.now();
    let fills = 0;
    for (let i = 0; i < ORDERS / 2; i++) {
      const price = new Decimal(16_900).minus(tick.times(i % 50));
      ex.placeOrder(limit('maker', 'buy', price, qty));
      const r = ex.placeOrder(limit('taker', 'sell', price, qty, 'ioc'));
      if (r.ok && r.value.status === 'filled') fills++;
    }
    const t1 = performance.now();
    out.push({ name: 'sim engine: orders matched (maker + taker pairs)', value: Math.round((ORDERS / (t1 - t0)) * 1000), unit: 'orders/s' });
    out.push({ name: 'sim engine: taker orders fully filled', value: fills, unit: 'orders' });
  }

  {
    // Replay of the bundled BTCUSDT half day (721 bars × 8 ticks) with no orders.
    const bars = loadBarsCsv('data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv');
    const btc = bybitLinearInstrument('BTCUSDT');
    const clock = new VirtualClock(bars[0]?.start ?? 0);
    const ex = createSimExchange({ clock, instruments: [btc], feeds: [barFeed({ symbol: 'BTCUSDT', bars, seed: 1, tickSize: btc.tickSize, quantityStep: btc.quantityStep })], seed: 1 });
    let ticks = 0;
    ex.subscribe((e) => {
      if (e.type === 'ticker') ticks++;
    });
    const t0 = performance.now();
    ex.advanceTo(Number.MAX_SAFE_INTEGER);
    const t1 = performance.now();
    out.push({ name: 'sim replay: BTCUSDT bar ticks processed', value: Math.round((ticks / (t1 - t0)) * 1000), unit: 'ticks/s' });
  }
  return Promise.resolve(out);
}
