/**
 * Where a connection's pause decisions go (X-WS-5): the sink port (the runtime journals MARKET_PAUSED/RESUMED), a
 * board combining several streams over the same symbols, and the fan-out of one stream's decision to its symbols
 * that no throwing sink can break. Decides nothing about when to pause; the connection chart's state does.
 */
import type { Logger } from '../../kernel/logger.ts';

/** Where pause decisions go: the runtime (its `setMarketPaused` journals MARKET_PAUSED/RESUMED) or a pause board. */
export interface MarketPauseSink {
  setMarketPaused(symbol: string, paused: boolean, reason: string): void;
}

/**
 * Combines the pause decisions of several streams over the same symbols: a symbol trades only while no stream pauses
 * it. Returns a sink per stream name.
 */
export const createPauseBoard = (sink: MarketPauseSink): ((stream: string) => MarketPauseSink) => {
  const pausedBy = new Map<string, Map<string, string>>();
  return (stream) => ({
    setMarketPaused: (symbol, paused, reason) => {
      const reasons = pausedBy.get(symbol) ?? new Map<string, string>();
      pausedBy.set(symbol, reasons);
      if (paused) reasons.set(stream, reason);
      else reasons.delete(stream);
      const first = reasons.values().next();
      sink.setMarketPaused(symbol, reasons.size > 0, first.done === true ? reason : first.value);
    },
  });
};

/** Tells the sink one decision for every symbol of a stream; a sink that throws is logged, and the next symbol still hears it. */
export const pauseSymbols = (
  sink: MarketPauseSink,
  symbols: ReadonlyArray<string>,
  paused: boolean,
  reason: string,
  log: { readonly logger: Logger; readonly stream: string },
): void => {
  for (const symbol of symbols) {
    try {
      sink.setMarketPaused(symbol, paused, reason);
    } catch (e) {
      // A throw here would error the actor (and, unobserved, the process); the sink's owner must see it in the log.
      log.logger.error({ stream: log.stream, symbol, paused, err: e }, 'market_pause_update_failed');
    }
  }
};
