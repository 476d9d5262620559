/**
 * The journaled, alerted changes of a symbol's entry gates (reconcile blocks, supervisor quarantines, market-stream
 * pauses). The gates themselves live in TradingState and are read by the RiskEngine; a pause is also told to the
 * symbol's actor (its entries region). Performs no venue I/O.
 */
import type { TradingState } from '../risk/TradingState.ts';
import type { HostRegistry, RuntimeContext } from './ports.ts';

/** Quarantines a symbol: no new entries; its protections stay at the venue. */
export const gateQuarantine = (ctx: RuntimeContext, state: TradingState, symbol: string, reason: string): void => {
  if (!state.quarantine(symbol, reason)) return;
  ctx.journal.append(`trade:${ctx.venueId}:${symbol}`, 'SYMBOL_QUARANTINED', { reason });
  ctx.logger.error({ symbol, reason, alert: 'symbol_quarantined' }, 'symbol_quarantined');
  ctx.alerts?.raise({ key: `symbol_quarantined:${symbol}`, severity: 'CRITICAL', message: `${symbol} quarantined: ${reason}`, fields: { symbol } });
};

/** Blocks new entries on a symbol (exits and protection continue). */
export const gateBlock = (ctx: RuntimeContext, state: TradingState, symbol: string, reason: string): void => {
  if (!state.block(symbol, reason)) return;
  ctx.journal.append(`trade:${ctx.venueId}:${symbol}`, 'SYMBOL_BLOCKED', { reason });
  ctx.logger.error({ symbol, reason, alert: 'symbol_blocked' }, 'symbol_blocked');
  ctx.alerts?.raise({ key: `symbol_blocked:${symbol}`, severity: 'CRITICAL', message: `${symbol} entries blocked: ${reason}`, fields: { symbol } });
};

/** Pauses or resumes a symbol's entries for its market stream (X-WS-2/5). */
export const gatePause = (ctx: RuntimeContext, state: TradingState, hosts: HostRegistry, symbol: string, paused: boolean, reason: string): void => {
  if (!state.setPaused(symbol, paused, reason)) return;
  ctx.journal.append(`market:${symbol}`, paused ? 'MARKET_PAUSED' : 'MARKET_RESUMED', { symbol, reason });
  hosts.host(symbol)?.send(paused ? { type: 'stream.paused', reason, at: ctx.now() } : { type: 'stream.resumed', at: ctx.now() });
};
