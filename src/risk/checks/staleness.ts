/**
 * Rule 5 — staleness breaker (X-RSK-2, S4-2): quote older than 5 s, last 1-minute bar close older than 90 s, or an
 * account/NAV snapshot older than 90 s vetoes with zero size. Missing timestamps count as infinitely old.
 * Pure; performs no I/O.
 */
import { veto, type Check } from './types.ts';

/** Vetoes when the account snapshot, the quote or the bar is older than its limit (age exactly at the limit passes). */
export const staleness: Check = (ctx) => {
  const { config, portfolio, symbolMarket, now, proposal } = ctx;
  const { quoteMaxAgeMs, barMaxAgeMs, accountMaxAgeMs } = config.staleness;
  const accountAge = now - portfolio.accountSnapshotTs;
  if (accountAge > accountMaxAgeMs) {
    return veto('staleness_account', 'account_age_ms', accountAge, accountAge, accountMaxAgeMs, `account snapshot is ${accountAge} ms old; size 0`);
  }
  const quoteTs = symbolMarket?.quoteTs;
  if (quoteTs === undefined || now - quoteTs > quoteMaxAgeMs) {
    const age = quoteTs === undefined ? 'unknown' : String(now - quoteTs);
    return veto('staleness_quote', 'quote_age_ms', age, age, quoteMaxAgeMs, `${proposal.symbol} quote is ${age} ms old`);
  }
  const barTs = symbolMarket?.lastBarCloseTs;
  if (barTs === undefined || now - barTs > barMaxAgeMs) {
    const age = barTs === undefined ? 'unknown' : String(now - barTs);
    return veto('staleness_bar', 'bar_age_ms', age, age, barMaxAgeMs, `${proposal.symbol} last 1m bar closed ${age} ms ago`);
  }
  return undefined;
};
