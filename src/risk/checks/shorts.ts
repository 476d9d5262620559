/**
 * Rule 14 — shorts (S3-8, C-7): a sell that does not reduce a long is a short entry; it is refused with
 * `shorting_disallowed` unless the profile allows shorts, and always on spot and equities and on a venue that cannot
 * hold a short (its capabilities say so). Pure; performs no I/O.
 */
import { veto, type SizedCheck } from './types.ts';

/** Vetoes a short entry where shorts are not allowed. */
export const shorts: SizedCheck = (ctx) => {
  const { proposal, intent, config } = ctx;
  if (intent !== 'entry' || proposal.side !== 'sell') return undefined;
  const kind = ctx.symbolMarket?.instrument?.kind;
  const cashProduct = kind === 'spot' || kind === 'equity' || proposal.instrumentKind === 'spot' || proposal.instrumentKind === 'equity';
  if (!config.allowShorts || cashProduct || ctx.market.venueShorting === false) {
    const held = ctx.position === undefined ? '0' : `${ctx.position.side}:${ctx.position.quantity.toString()}`;
    return veto('shorting_disallowed', 'shorts', held, `sell:${ctx.sizing.quantity.toString()}`, 'no_shorts', `${proposal.symbol} sell without a long position would open a short`);
  }
  return undefined;
};
