/**
 * The bar the indicators read: one closed OHLCV bar as floats, and the price a single-input indicator takes from it
 * (close, typical price, …). Floats are allowed here because indicator values never become orders; a market bar's
 * Decimals are converted once, at the edge, by `priceBarOf`. Pure.
 */
import type { BarView } from '../../market/MarketState.ts';

/** One closed bar as floats; `start` is the bar's open time in epoch ms. */
export interface PriceBar {
  readonly start: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Which price of a bar a single-input indicator reads: one field, `hl2`, `hlc3` (typical price) or `ohlc4`. */
export type PriceSource = 'open' | 'high' | 'low' | 'close' | 'hl2' | 'hlc3' | 'ohlc4';

/** Every price source, in the order the docs list them. */
export const PRICE_SOURCES: ReadonlyArray<PriceSource> = ['open', 'high', 'low', 'close', 'hl2', 'hlc3', 'ohlc4'];

/** Returns the price `source` names of `bar`. */
export const priceOf = (bar: PriceBar, source: PriceSource): number => {
  switch (source) {
    case 'open':
      return bar.open;
    case 'high':
      return bar.high;
    case 'low':
      return bar.low;
    case 'close':
      return bar.close;
    case 'hl2':
      return (bar.high + bar.low) / 2;
    case 'hlc3':
      return (bar.high + bar.low + bar.close) / 3;
    case 'ohlc4':
      return (bar.open + bar.high + bar.low + bar.close) / 4;
  }
};

/** Returns the float view of a market bar (the Decimal bar of MarketState, the backtester and the OHLCV reader). */
export const priceBarOf = (bar: BarView): PriceBar => ({
  start: bar.start,
  open: bar.open.toNumber(),
  high: bar.high.toNumber(),
  low: bar.low.toNumber(),
  close: bar.close.toNumber(),
  volume: bar.volume.toNumber(),
});
