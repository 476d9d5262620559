/**
 * What a venue says about a tradable instrument: its increments and limits. Quantities are in the instrument's own
 * unit (contracts or base units) everywhere. Pure; performs no I/O.
 */
import type { Decimal } from './money.ts';

/** The venues tradewarden knows. `sim` is the built-in simulator when it speaks no particular venue's protocol. */
export type VenueId = string;

/** The kind of contract; drives margin, shorting rules and PnL math. */
export type InstrumentKind = 'spot' | 'linear_perp' | 'inverse_perp' | 'equity' | 'option';

/** An instrument's trading rules as reported by its venue. */
export interface Instrument {
  readonly venue: VenueId;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly settleAsset: string;
  /** Smallest price increment. */
  readonly tickSize: Decimal;
  /** Smallest quantity increment. */
  readonly quantityStep: Decimal;
  readonly minQuantity: Decimal;
  /** Largest quantity of one limit order; larger orders are split. */
  readonly maxQuantity: Decimal;
  /** Largest quantity of one market order. */
  readonly maxMarketQuantity: Decimal;
  /** Smallest order notional (price × quantity) in the quote asset. */
  readonly minNotional: Decimal;
  readonly minPrice: Decimal;
  readonly maxPrice: Decimal;
  readonly maxLeverage: Decimal;
  /**
   * The venue's dynamic order-price band around the mark, when it publishes one (its adapter fills it): a buy may
   * rest up to mark × (1 + x) and a sell down to mark × (1 − x) in every market; up to y the venue decides by index
   * and premium. Fractions (0.01 = 1 %). Absent: the venue publishes none.
   */
  readonly priceLimitRatio?: { readonly x: Decimal; readonly y: Decimal } | undefined;
  /** Whether the venue currently accepts new orders for it. */
  readonly status: 'trading' | 'halted' | 'unknown';
}
