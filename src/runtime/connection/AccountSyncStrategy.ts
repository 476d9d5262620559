/**
 * The account-stream sync strategy: account events go straight to the listener, and a sync after a reconnect (or
 * after a per-connection gap) awaits the reconcile hook before the stream counts as live again (X-WS-3, issue 5).
 * A reconcile answered after the socket changed or after stop is ignored (a sync token). Keeps no books.
 */
import type { AccountEvent } from '../../venues/streams.ts';
import type { LocalOrderBook } from '../../market/OrderBook.ts';
import { guardListener, type SyncIntent, type SyncPorts, type SyncStrategy } from './SyncStrategy.ts';

/** What an account stream syncs against. */
export interface AccountSyncHooks {
  readonly onAccount: (e: AccountEvent) => void;
  /** Called after a reconnect, before the stream counts as live again (the runtime reconciles here, issue 5). */
  readonly onReconnect?: (() => void | Promise<void>) | undefined;
}

/** Delivers one account stream and reconciles after reconnects. */
export class AccountSyncStrategy implements SyncStrategy<AccountEvent> {
  readonly requiresAuth = true;
  // A private stream can be silent for hours; its pongs are its proof of life.
  readonly pongIsData = true;
  private readonly ports: SyncPorts;
  private readonly hooks: AccountSyncHooks;
  private token = 0;

  constructor(ports: SyncPorts, hooks: AccountSyncHooks) {
    this.ports = ports;
    this.hooks = hooks;
  }

  book(_symbol: string): LocalOrderBook | undefined {
    return undefined;
  }

  onSocketOpen(): void {}

  invalidate(): void {
    this.token += 1;
  }

  onEvents(events: ReadonlyArray<AccountEvent>): void {
    const onAccount = this.hooks.onAccount;
    for (const e of events) guardListener(this.ports, () => onAccount(e));
  }

  // The chart resyncs after the gap: on an account stream that is a reconcile (`reconcile.request`, reconnect).
  onConnectionGap(): void {}

  sync(intent: SyncIntent): void {
    if (intent.type !== 'reconcile.request') return;
    const { name, logger, journal } = this.ports;
    const token = ++this.token;
    const onReconnect = intent.reason === 'reconnect' ? this.hooks.onReconnect : undefined;
    if (intent.reason === 'reconnect') {
      const connection = this.ports.connectionCount();
      logger.warn({ stream: name, connection }, 'ws_private_reconnected');
      journal?.append(`connection:${name}`, 'STREAM_RECONNECTED', { stream: name, connection });
    }
    void Promise.resolve()
      .then(() => onReconnect?.())
      .then(
        () => {
          if (token === this.token && !this.ports.isStopped()) this.ports.send({ type: 'venue.snapshotApplied', at: this.ports.now() });
        },
        (e: unknown) => {
          if (token !== this.token || this.ports.isStopped()) return;
          const message = e instanceof Error ? e.message : String(e);
          logger.error({ stream: name, reason: message }, 'reconcile_failed');
          this.ports.send({ type: 'venue.snapshotFailed', message, at: this.ports.now() });
        },
      );
  }
}
