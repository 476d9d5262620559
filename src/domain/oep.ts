/**
 * The OEP seal (S0-8): every journal entry of a trade cycle whose opening price is known carries
 * `oepHash` = SHA-256 (hex) of the UTF-8 text `<trade id>|<OEP>`, the trade id being the cycle's intent id and the OEP
 * the first fill's price as the chart holds it (a decimal string). A later entry of the same cycle with another hash
 * means the OEP changed, which must never happen (pyramid, hedge, re-entry and stop moves all derive from it). Pure.
 */
import { createHash } from 'node:crypto';

/** Returns the OEP seal of a trade: SHA-256 hex of `<tradeId>|<oep>`. */
export const oepHash = (tradeId: string, oep: string): string => createHash('sha256').update(`${tradeId}|${oep}`, 'utf8').digest('hex');
