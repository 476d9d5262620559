/**
 * Rule 19 — price band (S0-15): an entry's limit price must lie inside the venue's price limits for the symbol — the
 * instrument's [minPrice, maxPrice] and, when the instrument carries the venue's band around the mark
 * (`Instrument.priceLimitRatio`, filled by the venue's adapter), a buy at most mid × (1 + x) and a sell at least
 * mid × (1 − x): the band the venue accepts in every market (beyond it the venue caps or refuses the price). The risk
 * view holds no mark, so the mid of the quote stands for it. Exits are not held back here (venueFilters still checks
 * their price range). Pure; performs no I/O.
 */
import { ONE, gtDec, ltDec } from '../../domain/money.ts';
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `price_band` an entry priced outside the instrument's range or the venue's band around the mark. */
export const priceBand: SizedCheck = (ctx) => {
  const m = ctx.symbolMarket;
  const instrument = m?.instrument;
  if (ctx.intent !== 'entry' || m === undefined || instrument === undefined) return undefined; // productHealth covers it
  const { limitPrice: price, side } = ctx.sizing;
  const s = ctx.proposal.symbol;
  if (ltDec(price, instrument.minPrice) || gtDec(price, instrument.maxPrice)) {
    const range = `${instrument.minPrice.toString()}..${instrument.maxPrice.toString()}`;
    return veto('price_band', 'venue_price_limits', price, price, range, `${s} limit ${price.toString()} is outside the venue's price limits ${range}`);
  }
  const x = instrument.priceLimitRatio?.x;
  if (x === undefined || m.bid === undefined || m.ask === undefined) return undefined;
  const mid = m.bid.plus(m.ask).div(2);
  const limit = side === 'buy' ? mid.times(ONE.plus(x)) : mid.times(ONE.minus(x));
  const outside = side === 'buy' ? gtDec(price, limit) : ltDec(price, limit);
  if (!outside) return undefined;
  const bound = side === 'buy' ? 'above the highest buy price' : 'below the lowest sell price';
  return veto('price_band', 'mark_band', price, price, limit, `${s} ${side} limit ${price.toString()} is ${bound} ${limit.toString()} (mid ${mid.toString()} ${side === 'buy' ? '+' : '−'} ${x.toString()})`);
};
