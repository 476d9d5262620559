/**
 * The seam between the connection host and what a stream is synchronised with: a market stream keeps books
 * (`BookSyncStrategy`), an account stream reconciles after a reconnect (`AccountSyncStrategy`). Types and one
 * listener guard; the host calls a strategy, a strategy answers the chart only through `SyncPorts.send`.
 */
import type { ConnectionEmitted, ConnectionEvent } from '../../../machines/connection/connectionTypes.ts';
import type { Journal } from '../../journal/Journal.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { LocalOrderBook } from '../../market/OrderBook.ts';

/** What the host lends a strategy. */
export interface SyncPorts {
  /** The stream name (logs, `connection:<name>` journal stream). */
  readonly name: string;
  readonly logger: Logger;
  readonly journal: Pick<Journal, 'append'> | undefined;
  readonly now: () => number;
  /** Sends an event to the connection chart (dropped once the host is stopped). */
  readonly send: (event: ConnectionEvent) => void;
  /** Logs, journals (STREAM_GAP) and sends `stream.gap` for a sequence gap. */
  readonly reportGap: (symbol: string, expected: number | 'snapshot', got: number) => void;
  readonly isStopped: () => boolean;
  /** How many sockets the host has opened so far. */
  readonly connectionCount: () => number;
}

/** A sync intent of the chart: `snapshot.fetch` (market) or `reconcile.request` (account). */
export type SyncIntent = Extract<ConnectionEmitted, { readonly type: 'snapshot.fetch' | 'reconcile.request' }>;

/** How one stream's data is kept in sync with the venue. */
export interface SyncStrategy<E> {
  /** Account streams authenticate before subscribing and reconcile where market streams fetch books. */
  readonly requiresAuth: boolean;
  /** Whether pongs count as data for the stale watchdog (an account stream can be quiet for hours). */
  readonly pongIsData: boolean;
  /** A new socket is opening: everything synced on the old one must be synced again. */
  onSocketOpen(): void;
  /** The socket is gone or replaced: answers still in flight belong to the old one and are ignored. */
  invalidate(): void;
  /** Takes the events of one decoded frame. */
  onEvents(events: ReadonlyArray<E>): void;
  /** A per-connection sequence gap: everything on the connection is out of sync until the chart's next sync. */
  onConnectionGap(): void;
  /** Performs the chart's sync intent; answers `venue.snapshotApplied` or `venue.snapshotFailed`. */
  sync(intent: SyncIntent): void;
  /** Returns the local book of a symbol (market streams). */
  book(symbol: string): LocalOrderBook | undefined;
}

/** Runs a listener; a throw is logged (`stream_listener_failed`) and never reaches the socket or the chart. */
export const guardListener = (ports: Pick<SyncPorts, 'name' | 'logger'>, fn: () => void): void => {
  try {
    fn();
  } catch (e) {
    ports.logger.error({ stream: ports.name, err: e }, 'stream_listener_failed');
  }
};
