/**
 * Rule 6 — product and venue health (X-RSK-5): a symbol without full metadata or a two-sided quote, a venue status
 * other than trading, or a product status other than online (post-only, limit-only, cancel-only, offline, degraded,
 * unknown) blocks with `product_disabled`. Pure; performs no I/O.
 */
import { ZERO, gtDec, ltDec } from '../../domain/money.ts';
import { veto, type Check } from './types.ts';

/** Vetoes when the product is not fully known and online. */
export const productHealth: Check = (ctx) => {
  const { symbolMarket: m, proposal } = ctx;
  const s = proposal.symbol;
  if (m === undefined) return veto('product_disabled', 'metadata', 'missing', 'online', 'online', `${s} has no market data`);
  const i = m.instrument;
  if (i === undefined || i.symbol !== s || !gtDec(i.tickSize, ZERO) || !gtDec(i.quantityStep, ZERO)) {
    return veto('product_disabled', 'metadata', 'missing', 'online', 'online', `${s} lacks full instrument metadata`);
  }
  if (i.status !== 'trading') return veto('product_disabled', 'venue_status', i.status, 'trading', 'trading', `${s} venue status is ${i.status}`);
  if (m.productStatus !== 'online') {
    return veto('product_disabled', 'product_status', m.productStatus, 'online', 'online', `${s} product status is ${m.productStatus}`);
  }
  if (m.bid === undefined || m.ask === undefined || !gtDec(m.bid, ZERO) || !gtDec(m.ask, ZERO) || ltDec(m.ask, m.bid)) {
    return veto('product_disabled', 'quote', 'one_sided', 'two_sided', 'two_sided', `${s} has no valid two-sided quote`);
  }
  return undefined;
};
