/**
 * Replays real 1-minute bars as ticks: each bar, first put on the instrument's grids (prices to the tick, volume to
 * the quantity step), becomes a deterministic intra-bar price path that starts at the open, visits the high and the
 * low (the extreme nearer the open first), ends at the close and never leaves [low, high], with trade sizes on the
 * step that sum exactly to the bar's volume. Pure apart from the seeded generator; no I/O.
 */
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { Side } from '../../../domain/orders.ts';
import type { SimKline, SimLevel } from '../engine/types.ts';
import type { Bar } from './loadBarsCsv.ts';
import { DEFAULT_DEPTH, drawLevelFactors, inferIncrement, type LiquidityShape, smoothMark, syntheticLevelsFrom } from './liquidity.ts';
import type { MarketFeed, MarketTick, MarketTrade } from './MarketFeed.ts';
import { mixSeed, type SeededRandom, seededRandom } from './random.ts';

/** Options of `barFeed`. */
export interface BarFeedOptions {
  readonly symbol: string;
  readonly bars: ReadonlyArray<Bar>;
  readonly seed: number;
  /** Ticks per bar, at least 4 (default 8). */
  readonly ticksPerBar?: number | undefined;
  /** The instrument's price grid: every replayed price lies on it. Inferred from the bars' decimals when absent. */
  readonly tickSize?: Decimal | undefined;
  /** The instrument's quantity grid: every trade and level size is a multiple. Inferred from the volumes' decimals when absent. */
  readonly quantityStep?: Decimal | undefined;
  /** Synthetic levels per side (default 5). */
  readonly depth?: number | undefined;
  /** Shifts every timestamp so the first bar starts at this epoch ms (e.g. the clock's now). */
  readonly shiftTo?: number | undefined;
  /** The bars' length in ms (default one minute); ticks spread over it and klines carry it. */
  readonly intervalMs?: number | undefined;
  /**
   * The backtester's bar fill model (X-BT-1): the book's best ask sits `slippageBps` above the price (rounded up to the
   * tick; at the price itself for 0) and the best bid as far below (at least one tick under the ask, so the book never
   * locks); the first level of each side holds `volumeFraction` of the tick's share of the bar's volume. Absent: the
   * path model's levels one tick either side of the price.
   */
  readonly barFill?: { readonly slippageBps: number; readonly volumeFraction: number } | undefined;
}

/** Bar length of the bundled data. */
export const BAR_INTERVAL_MS = 60_000;
/** Default ticks per bar. */
export const DEFAULT_TICKS_PER_BAR = 8;

/**
 * Returns the n-point price path of a bar: O at 0, the first extreme at round((n−1)/3), the second at
 * round(2(n−1)/3), C at n−1, straight lines between them rounded to the tick and clamped to [L, H]. The first extreme
 * is the one nearer the open; on a tie, bullish bars (C ≥ O) dip first.
 */
export const intraBarPath = (bar: Bar, n: number, tickSize: Decimal): Decimal[] => {
  if (!Number.isInteger(n) || n < 4) throw new RangeError(`ticksPerBar must be an integer ≥ 4, got ${n}`);
  const toHigh = bar.high.minus(bar.open);
  const toLow = bar.open.minus(bar.low);
  const lowFirst = toLow.lt(toHigh) || (toLow.eq(toHigh) && bar.close.gte(bar.open));
  const anchors: Array<readonly [number, Decimal]> = [
    [0, bar.open],
    [Math.round((n - 1) / 3), lowFirst ? bar.low : bar.high],
    [Math.round((2 * (n - 1)) / 3), lowFirst ? bar.high : bar.low],
    [n - 1, bar.close],
  ];
  const path: Decimal[] = [];
  for (let a = 0; a < anchors.length - 1; a++) {
    const [i0, p0] = anchors[a] as readonly [number, Decimal];
    const [i1, p1] = anchors[a + 1] as readonly [number, Decimal];
    for (let i = i0; i < i1; i++) {
      if (i === i0) {
        path.push(p0);
        continue;
      }
      const raw = p0.plus(p1.minus(p0).times(i - i0).dividedBy(i1 - i0));
      const onGrid = raw.toNearest(tickSize, Decimal.ROUND_HALF_EVEN);
      path.push(Decimal.min(bar.high, Decimal.max(bar.low, onGrid)));
    }
  }
  path.push(bar.close);
  return path;
};

/**
 * Returns the bar on the instrument's grids: O/H/L/C rounded half-even to the tick (never below one tick), the volume
 * floored to the step but at least one step when the bar traded at all. Data already on the grids comes back equal,
 * so replays of on-grid files do not change; off-grid data (a 0.01-priced file on a 0.1 tick, satoshi volumes on a
 * 0.001 step) can no longer put a trade or a fill off the grid.
 */
export const quantizeBar = (bar: Bar, tickSize: Decimal, quantityStep: Decimal): Bar => {
  const price = (p: Decimal): Decimal => Decimal.max(tickSize, p.toNearest(tickSize, Decimal.ROUND_HALF_EVEN));
  const floored = bar.volume.toNearest(quantityStep, Decimal.ROUND_FLOOR);
  const volume = floored.isZero() && bar.volume.gt(ZERO) ? quantityStep : floored;
  return { ...bar, open: price(bar.open), high: price(bar.high), low: price(bar.low), close: price(bar.close), volume };
};

/** Splits `volume` into n seeded parts on the step that sum exactly to it (the last part takes the remainder). */
export const splitVolume = (volume: Decimal, n: number, step: Decimal, rng: SeededRandom): Decimal[] => {
  const weights = Array.from({ length: n }, () => new Decimal((0.5 + rng.next()).toFixed(4)));
  const total = weights.reduce((acc, w) => acc.plus(w), ZERO);
  const parts: Decimal[] = [];
  let used = ZERO;
  for (let i = 0; i < n - 1; i++) {
    const part = volume.times(weights[i] as Decimal).dividedBy(total).toNearest(step, Decimal.ROUND_FLOOR);
    parts.push(part);
    used = used.plus(part);
  }
  parts.push(volume.minus(used));
  return parts;
};

/**
 * Returns the bar fill model's book (see `BarFeedOptions.barFill`): the path model's deeper levels shifted so the
 * best ask is the price plus the slippage (rounded up to the tick) and the best bid the price minus it (rounded down,
 * at least one tick under the ask), each first level holding `firstLevel`.
 */
export const barFillLevels = (
  price: Decimal,
  firstLevel: Decimal,
  slippageBps: number,
  shape: LiquidityShape,
  path: { readonly bids: ReadonlyArray<readonly [Decimal, Decimal]>; readonly asks: ReadonlyArray<readonly [Decimal, Decimal]> },
): { readonly bids: ReadonlyArray<[Decimal, Decimal]>; readonly asks: ReadonlyArray<[Decimal, Decimal]> } => {
  const slip = price.times(slippageBps).dividedBy(10_000);
  const bestAsk = price.plus(slip).toNearest(shape.tickSize, Decimal.ROUND_UP);
  const bestBid = Decimal.min(price.minus(slip).toNearest(shape.tickSize, Decimal.ROUND_DOWN), bestAsk.minus(shape.tickSize));
  const asks: Array<[Decimal, Decimal]> = path.asks.map(([, size], i) => [bestAsk.plus(shape.tickSize.times(i)), i === 0 ? firstLevel : size]);
  const bids: Array<[Decimal, Decimal]> = [];
  path.bids.forEach(([, size], i) => {
    const p = bestBid.minus(shape.tickSize.times(i));
    if (p.gt(ZERO)) bids.push([p, i === 0 ? firstLevel : size]);
  });
  return { bids, asks };
};

type Levels = { readonly bids: ReadonlyArray<SimLevel>; readonly asks: ReadonlyArray<SimLevel> };

/**
 * A replayed tick whose book is built on first read: the seeded factors are drawn when the bar is expanded (so the
 * sequence never depends on what the engine reads), the Decimal levels only when the engine installs them — a tick
 * the engine passes over (`skippable`) never pays for its book.
 */
class ReplayedTick implements MarketTick {
  readonly symbol: string;
  readonly ts: number;
  readonly lastPrice: Decimal;
  readonly markPrice: Decimal;
  readonly indexPrice: Decimal;
  readonly trades: ReadonlyArray<MarketTrade>;
  readonly kline: SimKline;
  readonly skippable: boolean;
  private readonly build: () => Levels;
  private built: Levels | undefined;

  constructor(f: Omit<MarketTick, 'bids' | 'asks' | 'kline' | 'skippable'> & { readonly kline: SimKline; readonly skippable: boolean; readonly build: () => Levels }) {
    this.symbol = f.symbol;
    this.ts = f.ts;
    this.lastPrice = f.lastPrice;
    this.markPrice = f.markPrice;
    this.indexPrice = f.indexPrice;
    this.trades = f.trades;
    this.kline = f.kline;
    this.skippable = f.skippable;
    this.build = f.build;
  }

  get bids(): ReadonlyArray<SimLevel> {
    return (this.built ??= this.build()).bids;
  }

  get asks(): ReadonlyArray<SimLevel> {
    return (this.built ??= this.build()).asks;
  }

  /** The tick as plain data (its book included), as a feed of plain objects would serialise it. */
  toJSON(): MarketTick {
    return { symbol: this.symbol, ts: this.ts, lastPrice: this.lastPrice, markPrice: this.markPrice, indexPrice: this.indexPrice, trades: this.trades, bids: this.bids, asks: this.asks, kline: this.kline, skippable: this.skippable };
  }
}

/** Creates a feed that replays the bars as ticks (see `intraBarPath`), with synthetic liquidity and klines. */
export const barFeed = (opts: BarFeedOptions): MarketFeed => {
  const n = opts.ticksPerBar ?? DEFAULT_TICKS_PER_BAR;
  if (!Number.isInteger(n) || n < 4) throw new RangeError(`ticksPerBar must be an integer ≥ 4, got ${n}`);
  const bars = opts.bars;
  const tickSize = opts.tickSize ?? inferIncrement(bars.flatMap((b) => [b.open, b.high, b.low, b.close]));
  const quantityStep = opts.quantityStep ?? inferIncrement(bars.map((b) => b.volume));
  const shape: LiquidityShape = { tickSize, quantityStep, depth: opts.depth ?? DEFAULT_DEPTH };
  const offset = opts.shiftTo === undefined || bars[0] === undefined ? 0 : opts.shiftTo - bars[0].start;
  const rng = seededRandom(mixSeed(opts.seed, opts.symbol));
  const interval = opts.intervalMs ?? BAR_INTERVAL_MS;
  if (!Number.isInteger(interval) || interval < n) throw new RangeError(`intervalMs must be an integer ≥ ticksPerBar, got ${interval}`);
  const intervalMinutes = interval / 60_000;

  let barIndex = 0;
  let pending: MarketTick[] = [];
  let mark: Decimal | undefined;
  let lastSide: Side = 'buy';
  let lastPrice: Decimal | undefined;

  const expand = (raw: Bar): MarketTick[] => {
    const bar = quantizeBar(raw, tickSize, quantityStep);
    const start = bar.start + offset;
    const path = intraBarPath(bar, n, tickSize);
    const sizes = splitVolume(bar.volume, n, quantityStep, rng);
    const baseSize = Decimal.max(bar.volume.dividedBy(n).toNearest(quantityStep, Decimal.ROUND_FLOOR), quantityStep);
    const firstLevel = opts.barFill === undefined ? undefined : Decimal.max(baseSize.times(opts.barFill.volumeFraction).toNearest(quantityStep, Decimal.ROUND_FLOOR), quantityStep);
    const ticks: MarketTick[] = [];
    let high = bar.open;
    let low = bar.open;
    let volume = ZERO;
    let turnover = ZERO;
    for (let i = 0; i < n; i++) {
      const price = path[i] as Decimal;
      const size = sizes[i] as Decimal;
      const ts = start + Math.floor((i * (interval - 1)) / (n - 1));
      if (lastPrice !== undefined && !price.eq(lastPrice)) lastSide = price.gt(lastPrice) ? 'buy' : 'sell';
      lastPrice = price;
      mark = smoothMark(mark, price, tickSize);
      high = Decimal.max(high, price);
      low = Decimal.min(low, price);
      volume = volume.plus(size);
      turnover = turnover.plus(price.times(size));
      const trades: MarketTrade[] = size.gt(ZERO) ? [{ price, size, side: lastSide }] : [];
      const kline: SimKline = {
        symbol: opts.symbol,
        intervalMinutes,
        start,
        end: start + interval - 1,
        open: bar.open,
        high,
        low,
        close: price,
        volume,
        turnover,
        confirm: i === n - 1,
        ts,
      };
      const factors = drawLevelFactors(shape, rng);
      const build = (): Levels => {
        const levels = syntheticLevelsFrom(price, baseSize, shape, factors);
        return opts.barFill === undefined || firstLevel === undefined ? levels : barFillLevels(price, firstLevel, opts.barFill.slippageBps, shape, levels);
      };
      ticks.push(new ReplayedTick({ symbol: opts.symbol, ts, lastPrice: price, markPrice: mark, indexPrice: price, trades, kline, skippable: opts.barFill !== undefined && i > 0 && i < n - 1, build }));
    }
    return ticks;
  };

  const fill = (): void => {
    while (pending.length === 0 && barIndex < bars.length) pending = expand(bars[barIndex++] as Bar);
  };

  return {
    symbol: opts.symbol,
    nextAt: () => {
      fill();
      return pending[0]?.ts;
    },
    next: () => {
      fill();
      const tick = pending.shift();
      if (tick === undefined) throw new RangeError(`feed ${opts.symbol} is exhausted`);
      return tick;
    },
  };
};
