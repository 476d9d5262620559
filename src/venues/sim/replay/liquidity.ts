/**
 * The simulator's synthetic liquidity and mark-price model, shared by every feed: a few seeded levels each side of the
 * last price with sizes scaled from the replayed volume, and a mark price smoothed from the last price. Pure apart
 * from the seeded generator passed in; no I/O.
 */
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { SimLevel } from '../engine/types.ts';
import type { SeededRandom } from './random.ts';

/** How synthetic liquidity is shaped around a price. */
export interface LiquidityShape {
  readonly tickSize: Decimal;
  readonly quantityStep: Decimal;
  /** Levels per side (default 5). */
  readonly depth: number;
}

/** Default number of synthetic levels per side. */
export const DEFAULT_DEPTH = 5;

/**
 * Returns synthetic levels around `price`: bids at price − i·tick and asks at price + i·tick for i = 1…depth, with
 * level i sized baseSize × (1 + (i − 1)/2) × a seeded factor in [0.5, 1.5), floored to the step and at least one
 * step. Bids at or below zero are left out. The float arithmetic only chooses a whole number of steps; sizes and
 * prices themselves are Decimals on their grids.
 */
export const syntheticLevels = (
  price: Decimal,
  baseSize: Decimal,
  shape: LiquidityShape,
  rng: SeededRandom,
): { readonly bids: ReadonlyArray<SimLevel>; readonly asks: ReadonlyArray<SimLevel> } => syntheticLevelsFrom(price, baseSize, shape, drawLevelFactors(shape, rng));

/** Draws the seeded factors `syntheticLevels` uses (two per level, bid then ask), so a feed can draw now and build later. */
export const drawLevelFactors = (shape: LiquidityShape, rng: SeededRandom): Float64Array => {
  const factors = new Float64Array(shape.depth * 2);
  for (let i = 0; i < factors.length; i++) factors[i] = rng.next();
  return factors;
};

/** `syntheticLevels` from factors drawn beforehand (`drawLevelFactors`): equal factors give equal levels. */
export const syntheticLevelsFrom = (
  price: Decimal,
  baseSize: Decimal,
  shape: LiquidityShape,
  factors: Float64Array,
): { readonly bids: ReadonlyArray<SimLevel>; readonly asks: ReadonlyArray<SimLevel> } => {
  const bids: SimLevel[] = [];
  const asks: SimLevel[] = [];
  const baseUnits = baseSize.dividedBy(shape.quantityStep).toNumber();
  let k = 0;
  const size = (scale: number): Decimal => shape.quantityStep.times(Math.max(1, Math.floor(baseUnits * scale * (0.5 + (factors[k++] ?? 0)))));
  for (let i = 1; i <= shape.depth; i++) {
    const scale = 1 + (i - 1) / 2;
    const bidSize = size(scale);
    const askSize = size(scale);
    const offset = shape.tickSize.times(i);
    const bidPrice = price.minus(offset);
    if (bidPrice.gt(ZERO)) bids.push([bidPrice, bidSize]);
    asks.push([price.plus(offset), askSize]);
  }
  return { bids, asks };
};

/**
 * Returns the next mark price: the midpoint of the previous mark and the new last price, rounded to the tick. The
 * mark therefore lags the last price by about one tick of the path, like an exchange's smoothed fair price.
 */
export const smoothMark = (previousMark: Decimal | undefined, last: Decimal, tickSize: Decimal): Decimal =>
  previousMark === undefined ? last : previousMark.plus(last).dividedBy(2).toNearest(tickSize, Decimal.ROUND_HALF_EVEN);

/** Returns 10^-d where d is the largest number of decimals among the values (1 for integers). */
export const inferIncrement = (values: ReadonlyArray<Decimal>): Decimal => {
  let places = 0;
  for (const v of values) places = Math.max(places, v.decimalPlaces());
  return new Decimal(1).dividedBy(new Decimal(10).pow(places));
};
