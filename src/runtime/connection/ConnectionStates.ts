/**
 * Follows a connection chart's snapshots for its host: logs state changes (`ws_state`), tells state listeners, and
 * pauses the stream's symbols whenever trading is not allowed (every state but `live`, X-WS-5) with a reason that
 * names the stream and the state. A listener or sink that throws is logged; it cannot stop the chart.
 */
import { isTradingAllowed, type ConnectionSnapshot } from '../../../machines/connection/connectionMachine.ts';
import type { Logger } from '../../kernel/logger.ts';
import { pauseSymbols, type MarketPauseSink } from './PauseBoard.ts';

/** Returns a dotted label of a chart state value (`open.live`). */
export const connectionStateLabel = (value: ConnectionSnapshot['value']): string => {
  if (typeof value === 'string') return value;
  const [parent, child] = Object.entries(value)[0] ?? ['?', '?'];
  return `${parent}.${child}`;
};

/** Returns why trading is paused in this snapshot (`gap on BTCUSDT (expected 104, got 106)`, `stale data`, …). */
export const pauseReason = (s: ConnectionSnapshot, label: string): string => {
  if (label === 'open.resyncing') return `gap on ${s.context.lastGap?.symbol ?? '?'} (expected ${s.context.lastGap?.expected ?? '?'}, got ${s.context.lastGap?.received ?? '?'})`;
  if (label === 'open.stale') return 'stale data';
  if (label === 'failed') return `failed: ${s.context.lastError ?? ''}`;
  return s.context.lastError === null ? label : `${label} (${s.context.lastError})`;
};

/** A state-change listener: the dotted label and the snapshot. */
export type ConnectionStateListener = (label: string, snapshot: ConnectionSnapshot) => void;

/** The state side of one connection host. */
export class ConnectionStates {
  private readonly opts: { readonly name: string; readonly symbols: ReadonlyArray<string>; readonly logger: Logger; readonly pauses: MarketPauseSink };
  private readonly listeners = new Set<ConnectionStateListener>();
  private lastLabel = '';
  private lastAllowed: boolean | undefined;

  constructor(opts: { readonly name: string; readonly symbols: ReadonlyArray<string>; readonly logger: Logger; readonly pauses: MarketPauseSink }) {
    this.opts = opts;
  }

  /** Registers a listener for every chart state change; returns an unsubscribe function. */
  onChange(listener: ConnectionStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once a label satisfies `predicate`: `current` at once, else the first matching change. */
  when(current: string, predicate: (label: string) => boolean): Promise<string> {
    if (predicate(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const off = this.onChange((label) => {
        if (!predicate(label)) return;
        off();
        resolve(label);
      });
    });
  }

  /** Takes one chart snapshot. */
  follow(s: ConnectionSnapshot): void {
    const { name, logger } = this.opts;
    const label = connectionStateLabel(s.value);
    const allowed = isTradingAllowed(s);
    if (label !== this.lastLabel) {
      logger.info({ stream: name, from: this.lastLabel, to: label }, 'ws_state');
      this.lastLabel = label;
      for (const l of [...this.listeners]) {
        try {
          l(label, s);
        } catch (e) {
          logger.error({ stream: name, err: e }, 'ws_state_listener_failed');
        }
      }
    }
    if (allowed !== this.lastAllowed) {
      this.lastAllowed = allowed;
      const reason = allowed ? `${name}: live` : `${name}: ${pauseReason(s, label)}`;
      pauseSymbols(this.opts.pauses, this.opts.symbols, !allowed, reason, { logger, stream: name });
    }
  }
}
