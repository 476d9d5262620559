/**
 * Rules 7a and 19a — the S2-10 equity filters (`risk.equityFilters`, off by default): an entry's reference price must
 * lie inside [minPrice, maxPrice] and the symbol's traded volume of the current session day must reach minDailyVolume
 * (rule `equityFilters`, a gate); the expected average fill of the sized order, walked through the visible book, must
 * stay within maxSlippageFraction of the reference price (rule `slippage`). Missing data vetoes (fail closed). Pure;
 * performs no I/O and reads no clock (the session day of `now` comes from src/domain/sessionDay.ts).
 */
import { ZERO, decimalOf, gtDec, ltDec, minDec, type Decimal } from '../../domain/money.ts';
import { sessionDayOf } from '../../domain/sessionDay.ts';
import type { Side } from '../../domain/orders.ts';
import { referencePrice } from '../exposure.ts';
import type { BookLevelView, SymbolMarketView, Veto } from '../views.ts';
import { veto, type Check, type SizedCheck } from './types.ts';

/** The veto reasons of the S2-10 equity filters. */
export type EquityFilterReason = 'price_filter' | 'daily_volume' | 'daily_volume_unknown' | 'slippage';

/**
 * What each reason measured: the price below / above the band or no reference price; the volume below the minimum; no
 * volume figure for the session day; the expected fill beyond the limit, a book too thin for the quantity, or no book
 * where a real-money order needs one.
 */
export type EquityFilterCap = 'min_price' | 'max_price' | 'reference_price' | 'min_daily_volume' | 'session_volume' | 'max_slippage' | 'book_depth' | 'no_book';

const filterVeto = (reason: EquityFilterReason, capType: EquityFilterCap, current: Decimal | string, proposed: Decimal | string, limit: Decimal | number | string, message: string): Veto =>
  veto(reason, capType, current, proposed, limit, message);

/** Vetoes an entry priced outside the equity price band or traded too thinly on its session day (rule 7a). */
export const equityFilters: Check = (ctx) => {
  const cfg = ctx.config.equityFilters;
  // Entries only: the filters choose what to buy; a held position must stay exitable on a quiet or cheap day.
  if (!cfg.enabled || ctx.intent !== 'entry') return undefined;
  const s = ctx.proposal.symbol;
  const m = ctx.symbolMarket;
  const ref = referencePrice(m);
  if (ref === undefined) return filterVeto('price_filter', 'reference_price', 'missing', 'entry', `${cfg.minPrice.toString()}..${cfg.maxPrice.toString()}`, `${s} has no reference price (no last trade or two-sided quote) to hold against the price band`);
  if (ltDec(ref, cfg.minPrice)) return filterVeto('price_filter', 'min_price', ref, ref, cfg.minPrice, `${s} price ${ref.toString()} is below the minimum ${cfg.minPrice.toString()}`);
  if (gtDec(ref, cfg.maxPrice)) return filterVeto('price_filter', 'max_price', ref, ref, cfg.maxPrice, `${s} price ${ref.toString()} is above the maximum ${cfg.maxPrice.toString()}`);
  return dailyVolume(s, m, ctx.now, cfg.timeZone, cfg.minDailyVolume);
};

const dailyVolume = (s: string, m: SymbolMarketView | undefined, now: number, timeZone: string, min: Decimal): Veto | undefined => {
  const today = sessionDayOf(now, timeZone);
  const v = m?.sessionVolume;
  // A figure of another day (no bar closed yet today) or counted in another zone says nothing about today: fail closed.
  if (v === undefined || v.timeZone !== timeZone || v.day !== today) {
    const seen = v === undefined ? 'no volume figure' : `only a figure for ${v.day} (${v.timeZone})`;
    return filterVeto('daily_volume_unknown', 'session_volume', 'missing', today, min, `${s} has ${seen}, not the session day ${today} in ${timeZone}`);
  }
  if (ltDec(v.volume, min)) return filterVeto('daily_volume', 'min_daily_volume', v.volume, v.volume, min, `${s} traded ${v.volume.toString()} on ${today} (${String(v.bars)} bars), below ${min.toString()}`);
  return undefined;
};

/** The expected fill of a quantity taken from one side of a book, best level first. */
export interface ExpectedFill {
  /** How much the levels hold up to the quantity. */
  readonly filled: Decimal;
  /** Σ price × size taken ÷ filled; undefined when nothing could be taken. */
  readonly averagePrice: Decimal | undefined;
}

/** Returns the average price of taking `quantity` from `levels` (best first), and how much of it the levels hold. */
export const expectedFill = (levels: ReadonlyArray<BookLevelView>, quantity: Decimal): ExpectedFill => {
  let remaining = quantity;
  let cost = ZERO;
  for (const level of levels) {
    if (!gtDec(remaining, ZERO)) break;
    const take = minDec(level.size, remaining);
    if (!gtDec(take, ZERO)) continue;
    cost = cost.plus(take.times(level.price));
    remaining = remaining.minus(take);
  }
  const filled = quantity.minus(remaining);
  return { filled, averagePrice: gtDec(filled, ZERO) ? cost.div(filled) : undefined };
};

/** Returns the adverse move of an average fill from the reference: up for a buy, down for a sell, as a fraction. */
export const slippageFraction = (side: Side, averagePrice: Decimal, reference: Decimal): Decimal =>
  (side === 'buy' ? averagePrice.minus(reference) : reference.minus(averagePrice)).div(reference);

// The side of the book an order takes from: the visible depth when the view has a synced book; without one, only PAPER
// may fall back to the quote's best level (a one-level book). LIVE is real money and DRY_RUN rehearses it on live data
// (X-MOD-1, S2-12): without the venue's depth their fill cannot be estimated, so they refuse (undefined).
const takenLevels = (m: SymbolMarketView, side: Side, paper: boolean): ReadonlyArray<BookLevelView> | undefined => {
  if (m.book !== undefined) return side === 'buy' ? m.book.asks : m.book.bids;
  if (!paper) return undefined;
  const price = side === 'buy' ? m.ask : m.bid;
  const size = side === 'buy' ? m.askSize : m.bidSize;
  return price === undefined || size === undefined ? [] : [{ price, size }];
};

/** Vetoes an entry whose expected average fill from the visible book slips beyond the limit, or cannot be estimated (rule 19a). */
export const slippage: SizedCheck = (ctx) => {
  const cfg = ctx.config.equityFilters;
  // Entries only, like rule 7a: an exit lowers risk, and its limit price bounds its own fill.
  if (!cfg.enabled || ctx.intent !== 'entry') return undefined;
  const s = ctx.proposal.symbol;
  const m = ctx.symbolMarket;
  const ref = referencePrice(m);
  const { quantity, side } = ctx.sizing;
  const limit = cfg.maxSlippageFraction;
  if (m === undefined || ref === undefined || !gtDec(ref, ZERO)) return filterVeto('slippage', 'reference_price', 'missing', quantity, limit, `${s} has no reference price to measure slippage against`);
  const levels = takenLevels(m, side, ctx.config.mode === 'PAPER');
  if (levels === undefined) {
    return filterVeto('slippage', 'no_book', 'missing', quantity, 'synced book', `${s} has no synced order book: a ${ctx.config.mode} entry is not judged on the quote alone`);
  }
  const fill = expectedFill(levels, quantity);
  if (fill.averagePrice === undefined || ltDec(fill.filled, quantity)) {
    return filterVeto('slippage', 'book_depth', fill.filled, quantity, quantity, `${s} visible ${side === 'buy' ? 'asks' : 'bids'} hold ${fill.filled.toString()} of the ${quantity.toString()} to ${side}`);
  }
  const slip = slippageFraction(side, fill.averagePrice, ref);
  if (gtDec(slip, decimalOf(limit))) {
    return filterVeto('slippage', 'max_slippage', slip, slip, limit, `${s} ${side} of ${quantity.toString()} expects an average fill of ${fill.averagePrice.toString()}, ${slip.toString()} from the reference ${ref.toString()}`);
  }
  return undefined;
};
