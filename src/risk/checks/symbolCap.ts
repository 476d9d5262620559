/**
 * Rule 11a — per-symbol cap (S3-9 max position 5 %, S4-3 tier caps), counting the open position and working entry
 * orders at worst-case notional (X-RSK-4). Pure; performs no I/O.
 */
import { capVeto } from './capRule.ts';
import type { SizedCheck } from './types.ts';

/** Vetoes with `symbol_cap` when the symbol's exposure would exceed its cap. */
export const symbolCap: SizedCheck = (ctx) => capVeto(ctx, ctx.sizing.symbol, 'symbol_cap', 'symbol', `${ctx.proposal.symbol} exposure`);
