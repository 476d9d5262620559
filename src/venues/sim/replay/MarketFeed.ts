/**
 * The replay contract between market-data sources and the matching engine: a feed yields `MarketTick`s for one symbol
 * in time order. A tick carries the new last/mark/index prices, the synthetic trades printed at that instant, the
 * synthetic resting liquidity to show around the price, and the kline state. Pure types; no I/O.
 */
import type { Decimal } from '../../../domain/money.ts';
import type { Side } from '../../../domain/orders.ts';
import type { SimKline, SimLevel } from '../engine/types.ts';

/** One trade printed by the replayed market (not by our own orders). `side` is the taker side. */
export interface MarketTrade {
  readonly price: Decimal;
  readonly size: Decimal;
  readonly side: Side;
}

/** One instant of replayed market data for one symbol. */
export interface MarketTick {
  readonly symbol: string;
  readonly ts: number;
  readonly lastPrice: Decimal;
  readonly markPrice: Decimal;
  readonly indexPrice: Decimal;
  /** Trades printed at this instant (possibly none), in order. */
  readonly trades: ReadonlyArray<MarketTrade>;
  /** Synthetic resting liquidity after this tick: bids best (highest) first, asks best (lowest) first. */
  readonly bids: ReadonlyArray<SimLevel>;
  readonly asks: ReadonlyArray<SimLevel>;
  /** The 1-minute kline as of this tick; `confirm` is true on the bar's last tick. */
  readonly kline: SimKline | undefined;
  /**
   * The bar fill model's intra-bar ticks (between a bar's open and close): the engine may pass over one when
   * nothing of ours is exposed to the symbol — no open order, conditional or position — because then no fill, trigger
   * or mark depends on it (X-BT-5, "a quiet bar costs almost nothing"). Its trades still count and still print, and
   * an API call that needs the symbol's market first processes the last one passed over (`Replay.catchUp`).
   */
  readonly skippable?: boolean | undefined;
}

/** A time-ordered source of ticks for one symbol. */
export interface MarketFeed {
  readonly symbol: string;
  /** Returns the timestamp of the next tick, or undefined once the feed is exhausted. */
  nextAt(): number | undefined;
  /** Returns the next tick and moves past it; throws `RangeError` when the feed is exhausted. */
  next(): MarketTick;
}
