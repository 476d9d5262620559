/**
 * Hosts one connection actor (machines/connection) for one venue `StreamDescription` and performs its intents: the
 * socket and its frames on a `WsTransport`, inbound frames through `InboundFrames`, the REST keepalive, the chart's
 * deadlines in `Deadlines` (full-jitter reconnects, the stale watchdog), syncs through its `SyncStrategy` (books or
 * account); `ConnectionStates` pauses the stream's symbols in every chart state but `live` (X-WS-1/2/3/5). It decides
 * no trading and never lets a bad frame or a failing listener escape (X-RT-10).
 */
import { createActor, type Actor } from 'xstate';
import { connectionMachine, isTradingAllowed, type ConnectionSnapshot } from '../../../machines/connection/connectionMachine.ts';
import type { ConnectionEmitted, ConnectionEvent, ConnectionTimerName } from '../../../machines/connection/connectionTypes.ts';
import { Deadlines } from '../../kernel/Deadlines.ts';
import { fullJitterDelay } from '../../kernel/random.ts';
import { noTelemetry, type Telemetry } from '../../kernel/telemetry.ts';
import type { LocalOrderBook } from '../../market/OrderBook.ts';
import type { StreamDescription } from '../../venues/streams.ts';
import { AccountSyncStrategy } from './AccountSyncStrategy.ts';
import { BookSyncStrategy } from './BookSyncStrategy.ts';
import { DEFAULT_CONNECTION_TIMING, type ConnectionHostOptions, type ConnectionTiming } from './ConnectionOptions.ts';
import { InboundFrames } from './InboundFrames.ts';
import { KeepaliveRunner } from './KeepaliveRunner.ts';
import { connectionStateLabel, ConnectionStates, type ConnectionStateListener } from './ConnectionStates.ts';
import type { SyncPorts, SyncStrategy } from './SyncStrategy.ts';
import { WsTransport } from './WsTransport.ts';

/** One connection actor on a real websocket. */
export class ConnectionHost {
  /** The stream name (`<venue>:public:BTCUSDT`). */
  readonly name: string;
  private readonly opts: ConnectionHostOptions;
  private readonly timing: ConnectionTiming;
  private readonly actor: Actor<typeof connectionMachine>;
  private readonly deadlines: Deadlines<ConnectionTimerName>;
  // One switch on the stream kind; the sync strategy and the description come from the same branch, so their event types agree.
  private readonly sync: SyncStrategy<unknown>;
  private readonly transport: WsTransport;
  private readonly inbound: InboundFrames;
  private readonly keepalive: KeepaliveRunner;
  private readonly states: ConnectionStates;
  private lastDataAt = 0;
  private stopped = false;
  private readonly telemetry: Telemetry;
  private readonly messageLabels: Readonly<Record<string, string>>;
  /** The first sync of the stream is not a resync; every later one is. */
  private synced = false;

  constructor(opts: ConnectionHostOptions) {
    this.opts = opts;
    this.name = opts.stream.name;
    this.timing = { ...DEFAULT_CONNECTION_TIMING, ...opts.timing };
    this.telemetry = opts.telemetry ?? noTelemetry;
    this.messageLabels = { account: opts.account ?? '', stream: opts.kind };
    this.deadlines = new Deadlines(opts.scheduler);
    this.states = new ConnectionStates({ name: this.name, symbols: opts.symbols, logger: opts.logger, pauses: opts.pauses });
    const ports: SyncPorts = {
      name: this.name, logger: opts.logger, journal: opts.journal,
      now: () => this.now(),
      send: (e) => this.send(e),
      reportGap: (symbol, expected, got) => this.reportGap(symbol, expected, got),
      isStopped: () => this.stopped,
      connectionCount: () => this.transport.connections(),
    };
    const stream: StreamDescription<unknown> = opts.stream;
    this.sync =
      opts.kind === 'public'
        ? new BookSyncStrategy(ports, { symbols: opts.symbols, rule: opts.stream.sequence.rule, orderBook: opts.orderBook, depth: opts.depth, onMarket: opts.onMarket })
        : new AccountSyncStrategy(ports, { onAccount: opts.onAccount, onReconnect: opts.onReconnect });
    this.inbound = new InboundFrames({
      stream, symbols: opts.symbols, sync: this.sync, logger: opts.logger, now: ports.now, send: ports.send, reportGap: ports.reportGap,
      markData: (at) => this.markData(at),
    });
    this.keepalive = new KeepaliveRunner({
      name: this.name, keepalive: stream.keepalive, scheduler: opts.scheduler, logger: opts.logger,
      onFailed: (message) => this.send({ type: 'stream.error', message, at: this.now() }),
    });
    this.transport = new WsTransport({
      stream,
      logger: opts.logger,
      venueNow: () => (opts.venueNow === undefined ? this.now() : opts.venueNow()),
      handlers: {
        opened: () => {
          this.keepalive.start();
          this.send({ type: 'stream.opened', at: this.now() });
        },
        message: (text) => {
          this.telemetry.count('ws_messages', 1, this.messageLabels);
          this.inbound.receive(text);
        },
        pong: () => this.inbound.protocolPong(),
        ping: () => this.inbound.protocolPing(),
        error: (message) => this.send({ type: 'stream.error', message, at: this.now() }),
        closed: (code) => this.send({ type: 'stream.closed', reason: String(code), at: this.now() }),
      },
    });
    this.actor = createActor(connectionMachine, {
      input: {
        name: this.name, symbols: opts.symbols, requiresAuth: this.sync.requiresAuth, pingIntervalMs: opts.stream.heartbeat.everyMs,
        pongTimeoutMs: this.timing.pongTimeoutMs, staleAfterMs: this.timing.staleAfterMs, connectTimeoutMs: this.timing.connectTimeoutMs,
      },
    });
    this.actor.on('*', (intent) => this.perform(intent));
    this.actor.subscribe({
      next: (s) => {
        this.states.follow(s);
        if (isTradingAllowed(s)) this.opts.latency?.streamLive(this.name);
      },
      error: (e) => this.opts.logger.error({ stream: this.name, err: e }, 'connection_actor_failed'),
    });
  }

  private now(): number {
    return this.opts.scheduler.clock.now();
  }

  private send(event: ConnectionEvent): void {
    if (this.stopped && event.type !== 'command.disconnect') return;
    this.actor.send(event);
  }

  /** Starts the actor: the symbols are paused until the stream is live. */
  start(): void {
    for (const s of this.opts.symbols) this.opts.pauses.setMarketPaused(s, true, `${this.name}: connecting`);
    this.actor.start();
    this.send({ type: 'command.connect', at: this.now() });
  }

  /** Disconnects, clears every timer and stops the actor; resolves once the socket is closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    if (this.actor.getSnapshot().status === 'active') this.send({ type: 'command.disconnect', at: this.now() });
    this.stopped = true;
    this.opts.latency?.streamStopped(this.name);
    this.deadlines.clear();
    this.closeSocket('stopped');
    this.actor.stop();
    await this.transport.drained();
  }

  /** Returns the chart state as a dotted label (`open.live`). */
  state(): string {
    return connectionStateLabel(this.actor.getSnapshot().value);
  }

  /** Returns the chart snapshot. */
  snapshot(): ConnectionSnapshot {
    return this.actor.getSnapshot();
  }

  /** Returns whether the stream is live (the only state in which its symbols may trade). */
  isLive(): boolean {
    return isTradingAllowed(this.actor.getSnapshot());
  }

  /** Returns the local book of a symbol (public streams). */
  book(symbol: string): LocalOrderBook | undefined {
    return this.sync.book(symbol);
  }

  /** Returns how many malformed frames were dropped. */
  invalidFrames(): number {
    return this.inbound.invalidFrames();
  }

  /** Returns how many sockets were opened so far. */
  connectionCount(): number {
    return this.transport.connections();
  }

  /** Registers a listener for every chart state change; returns an unsubscribe function. */
  onStateChange(listener: ConnectionStateListener): () => void {
    return this.states.onChange(listener);
  }

  /** Resolves once the chart is in a state whose label satisfies `predicate` (checked now, then on every change). */
  whenState(predicate: (label: string) => boolean): Promise<string> {
    return this.states.when(this.state(), predicate);
  }

  // ---- chart → world --------------------------------------------------------------------------------------------

  private perform(intent: ConnectionEmitted): void {
    try {
      switch (intent.type) {
        case 'socket.open':
          this.openSocket(intent.attempt);
          return;
        case 'socket.close':
          this.closeSocket(intent.reason);
          return;
        case 'socket.send': {
          const sent = this.transport.sendFrame(intent.frame);
          if (sent !== undefined) this.inbound.sent(intent.frame, sent);
          return;
        }
        case 'snapshot.fetch':
        case 'reconcile.request':
          if (this.synced) this.telemetry.count('ws_resyncs');
          this.synced = true;
          this.sync.sync(intent);
          return;
        case 'market.paused':
        case 'market.resumed':
          // The pause itself follows the chart state (onSnapshot), so every non-live state pauses (X-WS-5).
          return;
        case 'timer.set':
          this.setTimer(intent.name, intent.at, intent.attempt);
          return;
        case 'timer.clear':
          this.deadlines.disarm(intent.name);
          return;
      }
    } catch (e) {
      this.opts.logger.error({ stream: this.name, intent: intent.type, err: e }, 'ws_intent_failed');
    }
  }

  // ---- socket -------------------------------------------------------------------------------------------------

  private openSocket(attempt: number): void {
    this.closeSocket('replaced');
    this.lastDataAt = this.now();
    // A new socket starts from nothing: acks and the connection sequence start over, every book waits for a snapshot.
    this.inbound.reset();
    this.sync.onSocketOpen();
    this.transport.open(attempt);
  }

  private closeSocket(reason: string): void {
    this.keepalive.stop();
    this.sync.invalidate();
    this.transport.close(reason);
  }

  // ---- deadlines ------------------------------------------------------------------------------------------------

  private setTimer(name: ConnectionTimerName, at: number | undefined, attempt: number | undefined): void {
    this.deadlines.disarm(name);
    if (this.stopped) return;
    let due = at ?? this.now();
    if (name === 'reconnect') {
      // Full jitter (X-RTY-1): random(0, min(cap, base·2^(attempt−1))), drawn from the seeded source.
      const exponent = Math.max(0, (attempt ?? 1) - 1);
      const { reconnectBaseMs: base, reconnectCapMs: cap } = this.timing;
      const delayMs = Math.round(fullJitterDelay(exponent, base, cap, this.opts.random));
      this.opts.logger.info({ stream: this.name, attempt, delayMs, capMs: Math.min(cap, base * 2 ** exponent) }, 'ws_reconnect_scheduled');
      due = this.now() + delayMs;
    }
    this.deadlines.arm(name, due, () => this.onTimer(name));
  }

  private onTimer(name: ConnectionTimerName): void {
    const now = this.now();
    if (name === 'stale') {
      // Freshness is tracked here, not in the chart (raw ticks never go through it): re-arm while data flows.
      const freshUntil = this.lastDataAt + this.timing.staleAfterMs;
      if (freshUntil > now) {
        this.setTimer('stale', freshUntil, undefined);
        return;
      }
    }
    this.send({ type: `timer.${name}`, at: now });
  }

  // ---- data and gaps --------------------------------------------------------------------------------------------

  private markData(at: number): void {
    this.lastDataAt = at;
    if (this.state() === 'open.stale') this.send({ type: 'stream.data', at });
  }

  private reportGap(symbol: string, expected: number | 'snapshot', got: number): void {
    const payload = { stream: this.name, symbol, expected: String(expected), received: String(got) };
    this.opts.logger.warn(payload, 'ws_gap_detected');
    this.opts.journal?.append(`connection:${this.name}`, 'STREAM_GAP', payload);
    this.opts.latency?.streamGap(this.name);
    this.telemetry.count('ws_gaps');
    this.send({ type: 'stream.gap', symbol, expected: String(expected), received: String(got), at: this.now() });
  }
}
