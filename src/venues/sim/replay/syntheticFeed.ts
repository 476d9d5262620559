/**
 * A seeded random-walk feed for load tests and benchmarks: one tick per interval, one trade per tick, synthetic
 * liquidity and 1-minute klines built from the walk. Pure apart from the seeded generator; no I/O.
 */
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { Side } from '../../../domain/orders.ts';
import type { SimKline } from '../engine/types.ts';
import { BAR_INTERVAL_MS } from './barFeed.ts';
import { DEFAULT_DEPTH, type LiquidityShape, smoothMark, syntheticLevels } from './liquidity.ts';
import type { MarketFeed, MarketTick } from './MarketFeed.ts';
import { mixSeed, seededRandom } from './random.ts';

/** Options of `syntheticFeed`. */
export interface SyntheticFeedOptions {
  readonly symbol: string;
  /** Epoch ms of the first tick. */
  readonly start: number;
  readonly startPrice: Decimal;
  /** Number of ticks to produce. */
  readonly ticks: number;
  readonly seed: number;
  /** Standard deviation of one step as a fraction of the price (e.g. 0.0005); a float because it only shapes noise. */
  readonly volatility: number;
  readonly tickSize?: Decimal | undefined;
  readonly quantityStep?: Decimal | undefined;
  /** Milliseconds between ticks (default 1000). */
  readonly intervalMs?: number | undefined;
  readonly depth?: number | undefined;
  /** Share of ticks that move the price without printing a trade (default 0), to exercise quiet markets. */
  readonly quietShare?: number | undefined;
}

/** Creates a seeded random-walk feed; the price moves by whole ticks and never goes below one tick. */
export const syntheticFeed = (opts: SyntheticFeedOptions): MarketFeed => {
  const tickSize = opts.tickSize ?? new Decimal('0.1');
  const quantityStep = opts.quantityStep ?? new Decimal('0.001');
  const interval = opts.intervalMs ?? 1000;
  const shape: LiquidityShape = { tickSize, quantityStep, depth: opts.depth ?? DEFAULT_DEPTH };
  const rng = seededRandom(mixSeed(opts.seed, opts.symbol));
  const baseSize = quantityStep.times(50);
  let produced = 0;
  let price = opts.startPrice.toNearest(tickSize, Decimal.ROUND_HALF_EVEN);
  let mark: Decimal | undefined;
  let side: Side = 'buy';
  let bucket = -1;
  let open = price;
  let high = price;
  let low = price;
  let volume = ZERO;
  let turnover = ZERO;

  const gaussian = (): number => {
    const u = Math.max(rng.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  };

  return {
    symbol: opts.symbol,
    nextAt: () => (produced < opts.ticks ? opts.start + produced * interval : undefined),
    next: (): MarketTick => {
      if (produced >= opts.ticks) throw new RangeError(`feed ${opts.symbol} is exhausted`);
      const ts = opts.start + produced * interval;
      if (produced > 0) {
        // The float picks a whole number of ticks; the price itself stays a Decimal on the grid.
        const steps = Math.round((gaussian() * opts.volatility * price.toNumber()) / tickSize.toNumber());
        if (steps !== 0) side = steps > 0 ? 'buy' : 'sell';
        price = Decimal.max(tickSize, price.plus(tickSize.times(steps)));
      }
      produced++;
      mark = smoothMark(mark, price, tickSize);
      const size = quantityStep.times(rng.int(1, 100));
      const quiet = rng.next() < (opts.quietShare ?? 0);
      const barStart = Math.floor(ts / BAR_INTERVAL_MS) * BAR_INTERVAL_MS;
      if (barStart !== bucket) {
        bucket = barStart;
        open = price;
        high = price;
        low = price;
        volume = ZERO;
        turnover = ZERO;
      }
      high = Decimal.max(high, price);
      low = Decimal.min(low, price);
      if (!quiet) {
        volume = volume.plus(size);
        turnover = turnover.plus(size.times(price));
      }
      const nextTs = ts + interval;
      const confirm = produced >= opts.ticks || Math.floor(nextTs / BAR_INTERVAL_MS) * BAR_INTERVAL_MS !== barStart;
      const kline: SimKline = {
        symbol: opts.symbol,
        intervalMinutes: 1,
        start: barStart,
        end: barStart + BAR_INTERVAL_MS - 1,
        open,
        high,
        low,
        close: price,
        volume,
        turnover,
        confirm,
        ts,
      };
      const { bids, asks } = syntheticLevels(price, baseSize, shape, rng);
      return { symbol: opts.symbol, ts, lastPrice: price, markPrice: mark, indexPrice: price, trades: quiet ? [] : [{ price, size, side }], bids, asks, kline };
    },
  };
};
