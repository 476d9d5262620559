/**
 * Rule 8 — per-symbol cooldowns after a fill and after a stop-out (X-RSK-7, S3-10); they apply to entries only and
 * are persisted by the runtime (the view carries `until`). Pure; performs no I/O.
 */
import type { RiskConfig } from '../RiskConfig.ts';
import { veto, type Check } from './types.ts';

/** Returns the instant a cooldown started at `ts` ends, for the given kind. */
export const cooldownUntil = (config: RiskConfig, kind: 'fill' | 'stop', ts: number): number =>
  ts + (kind === 'fill' ? config.cooldowns.afterFillMs : config.cooldowns.afterStopMs);

/** Vetoes an entry while the symbol's cooldown has not run out (`now >= until` passes). */
export const cooldown: Check = (ctx) => {
  if (ctx.intent !== 'entry') return undefined;
  const c = ctx.portfolio.cooldowns[ctx.proposal.symbol];
  if (c !== undefined && ctx.now < c.until) {
    return veto('cooldown', `cooldown_${c.kind}`, c.until - ctx.now, ctx.now, c.until, `${ctx.proposal.symbol} cools down after a ${c.kind} for ${c.until - ctx.now} ms more`);
  }
  return undefined;
};
