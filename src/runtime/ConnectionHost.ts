/**
 * Hosts one connection actor (machines/connection) for one venue `StreamDescription` on a real `ws` socket: performs
 * the chart's intents (socket, frames, REST snapshot, timers with full-jitter reconnects), keeps a `LocalOrderBook`
 * per symbol on public streams (gap → resync from REST, buffering deltas meanwhile), and pauses the stream's symbols
 * in every chart state but `live` (X-WS-2/3/5). It decides no trading and never lets a bad frame or a failing
 * listener escape: malformed frames are logged (`payload_decode_failed`) with the payload scrubbed and truncated.
 */
import { Effect } from 'effect';
import WebSocket from 'ws';
import { createActor, type Actor } from 'xstate';
import { connectionMachine, isTradingAllowed, type ConnectionSnapshot } from '../../machines/connection/connectionMachine.ts';
import type { ConnectionEmitted, ConnectionEvent, ConnectionTimerName } from '../../machines/connection/connectionTypes.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import { fullJitterDelay } from '../kernel/random.ts';
import { scrubText } from '../kernel/redaction.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { LocalOrderBook, type BookEvent } from '../market/OrderBook.ts';
import type { AccountEvent, MarketEvent, StreamDescription, StreamFrame } from '../venues/streams.ts';
import type { BookSnapshot, VenueError } from '../venues/Venue.ts';

/** Where pause decisions go: the runtime (its `setMarketPaused` journals MARKET_PAUSED/RESUMED) or a pause board. */
export interface MarketPauseSink {
  setMarketPaused(symbol: string, paused: boolean, reason: string): void;
}

/** Timing of one connection (all in the host scheduler's ms); every field has a default. */
export interface ConnectionTiming {
  /** Bybit answers a ping at once; no pong within this → reconnect. Default 10 s. */
  readonly pongTimeoutMs: number;
  /** No data while live for this long → stale (paused); twice → reconnect. Default 60 s. */
  readonly staleAfterMs: number;
  readonly connectTimeoutMs: number;
  /** Full-jitter reconnect backoff: random(0, min(cap, base·2^(attempt−1))). Defaults 200 ms / 5 s (DESIGN §6). */
  readonly reconnectBaseMs: number;
  readonly reconnectCapMs: number;
}

/** Default connection timing. */
export const DEFAULT_CONNECTION_TIMING: ConnectionTiming = {
  pongTimeoutMs: 10_000,
  staleAfterMs: 60_000,
  connectTimeoutMs: 10_000,
  reconnectBaseMs: 200,
  reconnectCapMs: 5_000,
};

interface CommonOptions {
  readonly symbols: ReadonlyArray<string>;
  /** Runs the chart's deadlines; network liveness is wall time even when the market replays faster. */
  readonly scheduler: Scheduler;
  /** Seeded uniform [0, 1) source for the reconnect jitter. */
  readonly random: () => number;
  readonly logger: Logger;
  readonly pauses: MarketPauseSink;
  /** When given, gaps, resyncs and reconnects are journaled under `connection:<stream name>`. */
  readonly journal?: Pick<Journal, 'append'> | undefined;
  readonly timing?: Partial<ConnectionTiming> | undefined;
}

/** Options of a public (market data) connection. */
export interface PublicConnectionOptions extends CommonOptions {
  readonly kind: 'public';
  readonly stream: StreamDescription<MarketEvent>;
  /** REST book snapshot (the Venue port's `orderBook`). */
  readonly orderBook: (symbol: string, depth: number) => Effect.Effect<BookSnapshot, VenueError>;
  readonly depth: number;
  /** Receives every decoded market event; book events only once applied in sequence to the local book. */
  readonly onMarket: (e: MarketEvent) => void;
}

/** Options of a private (account) connection. */
export interface PrivateConnectionOptions extends CommonOptions {
  readonly kind: 'private';
  readonly stream: StreamDescription<AccountEvent>;
  readonly onAccount: (e: AccountEvent) => void;
  /** Called after a reconnect, before the stream counts as live again (the runtime reconciles here, issue 5). */
  readonly onReconnect?: (() => void | Promise<void>) | undefined;
  /** Offset-corrected venue time for the auth frame's `expires` (default: the scheduler's clock). */
  readonly venueNow?: (() => number) | undefined;
}

/** Options of a ConnectionHost. */
export type ConnectionHostOptions = PublicConnectionOptions | PrivateConnectionOptions;

const PAYLOAD_PREVIEW_CHARS = 160;

/** Returns a log-safe preview of a raw frame: secrets scrubbed, truncated. */
const preview = (raw: string): string => {
  const clean = scrubText(raw);
  return clean.length > PAYLOAD_PREVIEW_CHARS ? `${clean.slice(0, PAYLOAD_PREVIEW_CHARS)}…(${clean.length} chars)` : clean;
};

/** Returns a dotted label of a chart state value (`open.live`). */
export const connectionStateLabel = (value: ConnectionSnapshot['value']): string => {
  if (typeof value === 'string') return value;
  const [parent, child] = Object.entries(value)[0] ?? ['?', '?'];
  return `${parent}.${child}`;
};

const textOf = (data: WebSocket.RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');

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

/** One connection actor on a real websocket. */
export class ConnectionHost {
  /** The stream name (`bybit:public:BTCUSDT`). */
  readonly name: string;
  private readonly opts: ConnectionHostOptions;
  private readonly timing: ConnectionTiming;
  private readonly actor: Actor<typeof connectionMachine>;
  private readonly books = new Map<string, LocalOrderBook>();
  /** Book events held while a symbol syncs (REST snapshot in flight); null when the symbol's book is live. */
  private readonly buffers = new Map<string, BookEvent[]>();
  private readonly timers = new Map<ConnectionTimerName, () => void>();
  private readonly closing = new Set<Promise<void>>();
  private readonly stateListeners = new Set<(label: string, snapshot: ConnectionSnapshot) => void>();
  private socket: WebSocket | undefined;
  /** Bumped whenever the socket is replaced or dropped: events of older sockets are ignored. */
  private generation = 0;
  private connections = 0;
  private syncToken = 0;
  private pendingSubscribeAcks = 0;
  private lastDataAt = 0;
  private lastLabel = '';
  private lastAllowed: boolean | undefined;
  private invalid = 0;
  private stopped = false;

  constructor(opts: ConnectionHostOptions) {
    this.opts = opts;
    this.name = opts.stream.name;
    this.timing = { ...DEFAULT_CONNECTION_TIMING, ...opts.timing };
    if (opts.kind === 'public') for (const s of opts.symbols) this.books.set(s, new LocalOrderBook(s));
    this.actor = createActor(connectionMachine, {
      input: {
        name: opts.stream.name,
        symbols: opts.symbols,
        requiresAuth: opts.kind === 'private',
        pingIntervalMs: opts.stream.pingIntervalMs,
        pongTimeoutMs: this.timing.pongTimeoutMs,
        staleAfterMs: this.timing.staleAfterMs,
        connectTimeoutMs: this.timing.connectTimeoutMs,
      },
    });
    this.actor.on('*', (intent) => this.perform(intent));
    this.actor.subscribe({
      next: (s) => this.onSnapshot(s),
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
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.closeSocket('stopped');
    this.actor.stop();
    await Promise.all([...this.closing]);
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
    return this.books.get(symbol);
  }

  /** Returns how many malformed frames were dropped. */
  invalidFrames(): number {
    return this.invalid;
  }

  /** Returns how many sockets were opened so far. */
  connectionCount(): number {
    return this.connections;
  }

  /** Registers a listener for every chart state change; returns an unsubscribe function. */
  onStateChange(listener: (label: string, snapshot: ConnectionSnapshot) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Resolves once the chart is in a state whose label satisfies `predicate` (checked now, then on every change). */
  whenState(predicate: (label: string) => boolean): Promise<string> {
    const now = this.state();
    if (predicate(now)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const off = this.onStateChange((label) => {
        if (!predicate(label)) return;
        off();
        resolve(label);
      });
    });
  }

  // ---- chart → world --------------------------------------------------------------------------------------------

  private onSnapshot(s: ConnectionSnapshot): void {
    const label = connectionStateLabel(s.value);
    const allowed = isTradingAllowed(s);
    if (label !== this.lastLabel) {
      this.opts.logger.info({ stream: this.name, from: this.lastLabel, to: label }, 'ws_state');
      this.lastLabel = label;
      for (const l of [...this.stateListeners]) {
        try {
          l(label, s);
        } catch (e) {
          this.opts.logger.error({ stream: this.name, err: e }, 'ws_state_listener_failed');
        }
      }
    }
    if (allowed !== this.lastAllowed) {
      this.lastAllowed = allowed;
      const reason = allowed ? `${this.name}: live` : `${this.name}: ${this.pauseReason(s, label)}`;
      for (const symbol of this.opts.symbols) {
        try {
          this.opts.pauses.setMarketPaused(symbol, !allowed, reason);
        } catch (e) {
          // A throw here would error the actor (and, unobserved, the process); the sink's owner must see it in the log.
          this.opts.logger.error({ stream: this.name, symbol, paused: !allowed, err: e }, 'market_pause_update_failed');
        }
      }
    }
  }

  private pauseReason(s: ConnectionSnapshot, label: string): string {
    if (label === 'open.resyncing') return `gap on ${s.context.lastGap?.symbol ?? '?'} (expected ${s.context.lastGap?.expected ?? '?'}, got ${s.context.lastGap?.received ?? '?'})`;
    if (label === 'open.stale') return 'stale data';
    if (label === 'failed') return `failed: ${s.context.lastError ?? ''}`;
    return s.context.lastError === null ? label : `${label} (${s.context.lastError})`;
  }

  private perform(intent: ConnectionEmitted): void {
    try {
      switch (intent.type) {
        case 'socket.open':
          this.openSocket(intent.attempt);
          return;
        case 'socket.close':
          this.closeSocket(intent.reason);
          return;
        case 'socket.send':
          this.sendFrame(intent.frame);
          return;
        case 'snapshot.fetch':
          this.fetchSnapshots(intent.symbols);
          return;
        case 'reconcile.request':
          this.reconcile(intent.reason);
          return;
        case 'market.paused':
        case 'market.resumed':
          // The pause itself follows the chart state (onSnapshot), so every non-live state pauses (X-WS-5).
          return;
        case 'timer.set':
          this.setTimer(intent.name, intent.at, intent.attempt);
          return;
        case 'timer.clear':
          this.clearTimer(intent.name);
          return;
      }
    } catch (e) {
      this.opts.logger.error({ stream: this.name, intent: intent.type, err: e }, 'ws_intent_failed');
    }
  }

  private setTimer(name: ConnectionTimerName, at: number | undefined, attempt: number | undefined): void {
    this.clearTimer(name);
    if (this.stopped) return;
    let due: number;
    if (name === 'reconnect') {
      const delayMs = Math.round(fullJitterDelay(Math.max(0, (attempt ?? 1) - 1), this.timing.reconnectBaseMs, this.timing.reconnectCapMs, this.opts.random));
      this.opts.logger.info({ stream: this.name, attempt, delayMs, capMs: Math.min(this.timing.reconnectCapMs, this.timing.reconnectBaseMs * 2 ** Math.max(0, (attempt ?? 1) - 1)) }, 'ws_reconnect_scheduled');
      due = this.now() + delayMs;
    } else {
      due = at ?? this.now();
    }
    const cancel = this.opts.scheduler.schedule(due, () => {
      this.timers.delete(name);
      this.onTimer(name);
    });
    this.timers.set(name, cancel);
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

  private clearTimer(name: ConnectionTimerName): void {
    this.timers.get(name)?.();
    this.timers.delete(name);
  }

  // ---- socket -------------------------------------------------------------------------------------------------

  private openSocket(attempt: number): void {
    this.closeSocket('replaced');
    const gen = ++this.generation;
    this.connections += 1;
    this.pendingSubscribeAcks = 0;
    this.lastDataAt = this.now();
    // A new socket starts from nothing: every book waits for a fresh snapshot, buffering deltas until then.
    for (const [symbol, book] of this.books) {
      book.reset();
      this.buffers.set(symbol, []);
    }
    this.opts.logger.info({ stream: this.name, url: this.opts.stream.url, attempt, connection: this.connections }, 'ws_connecting');
    const socket = new WebSocket(this.opts.stream.url);
    this.socket = socket;
    let errored = false;
    socket.on('open', () => {
      if (gen === this.generation) this.send({ type: 'stream.opened', at: this.now() });
    });
    socket.on('message', (data, isBinary) => {
      if (gen !== this.generation) return;
      this.onMessage(isBinary ? '' : textOf(data));
    });
    socket.on('error', (e) => {
      errored = true;
      if (gen !== this.generation) return;
      this.opts.logger.warn({ stream: this.name, message: e.message }, 'ws_error');
      this.send({ type: 'stream.error', message: e.message, at: this.now() });
    });
    socket.on('close', (code, reason) => {
      if (gen !== this.generation || errored) return;
      this.opts.logger.warn({ stream: this.name, code, reason: reason.toString('utf8') }, 'ws_closed');
      this.send({ type: 'stream.closed', reason: String(code), at: this.now() });
    });
  }

  private closeSocket(reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    this.generation += 1;
    this.syncToken += 1;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
    socket.on('error', () => undefined);
    this.opts.logger.info({ stream: this.name, reason }, 'ws_close');
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, reason.slice(0, 100));
    else socket.terminate();
  }

  private sendFrame(frame: 'auth' | 'subscribe' | 'ping'): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      this.opts.logger.warn({ stream: this.name, frame }, 'ws_send_skipped_not_open');
      return;
    }
    const desc = this.opts.stream;
    if (frame === 'auth') {
      if (desc.authFrame === undefined) throw new Error(`stream ${this.name} has no auth frame`);
      const now = this.opts.kind === 'private' && this.opts.venueNow !== undefined ? this.opts.venueNow() : this.now();
      // The auth frame carries the key and a signature: never logged.
      socket.send(desc.authFrame(now));
      this.opts.logger.info({ stream: this.name }, 'ws_auth_sent');
    } else if (frame === 'subscribe') {
      const frames = desc.subscribeFrames();
      this.pendingSubscribeAcks = frames.length;
      for (const f of frames) {
        socket.send(f);
        this.opts.logger.info({ stream: this.name, connection: this.connections, frame: f }, 'ws_subscribe_sent');
      }
    } else {
      socket.send(desc.pingFrame());
    }
  }

  // ---- inbound ------------------------------------------------------------------------------------------------

  private onMessage(raw: string): void {
    try {
      const frame: StreamFrame<MarketEvent> | StreamFrame<AccountEvent> = this.opts.stream.decode(raw);
      const at = this.now();
      switch (frame.kind) {
        case 'invalid':
          this.invalid += 1;
          this.opts.logger.warn({ stream: this.name, reason: frame.message.slice(0, 300), payload: preview(raw) }, 'payload_decode_failed');
          return;
        case 'ignored':
          return;
        case 'pong':
          // A private stream can be silent for hours; its pongs are its proof of life.
          if (this.opts.kind === 'private') this.markData(at);
          this.send({ type: 'stream.pong', at });
          return;
        case 'auth':
          if (frame.ok) this.send({ type: 'stream.authenticated', at });
          else {
            this.opts.logger.error({ stream: this.name, message: frame.message }, 'ws_auth_rejected');
            this.send({ type: 'stream.authRejected', message: frame.message, at });
          }
          return;
        case 'subscribed':
          if (!frame.ok) {
            this.opts.logger.error({ stream: this.name, message: frame.message }, 'ws_subscribe_rejected');
            this.send({ type: 'stream.subscribeRejected', message: frame.message, at });
            return;
          }
          this.pendingSubscribeAcks -= 1;
          if (this.pendingSubscribeAcks === 0) this.send({ type: 'stream.subscribed', at });
          return;
        case 'events':
          this.markData(at);
          if (this.opts.kind === 'public') for (const e of frame.events as ReadonlyArray<MarketEvent>) this.onMarketEvent(e);
          else for (const e of frame.events as ReadonlyArray<AccountEvent>) this.deliver(() => (this.opts as PrivateConnectionOptions).onAccount(e));
          return;
      }
    } catch (e) {
      // Nothing a frame or a listener does may take the connection down (X-RT-10).
      this.opts.logger.error({ stream: this.name, err: e, payload: preview(raw) }, 'ws_frame_handler_failed');
    }
  }

  private markData(at: number): void {
    this.lastDataAt = at;
    if (this.state() === 'open.stale') this.send({ type: 'stream.data', at });
  }

  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.opts.logger.error({ stream: this.name, err: e }, 'stream_listener_failed');
    }
  }

  private forward(e: MarketEvent): void {
    if (this.opts.kind === 'public') {
      const onMarket = this.opts.onMarket;
      this.deliver(() => onMarket(e));
    }
  }

  private onMarketEvent(e: MarketEvent): void {
    if (e.type !== 'book') {
      this.forward(e);
      return;
    }
    const book = this.books.get(e.symbol);
    if (book === undefined) return;
    const buffer = this.buffers.get(e.symbol);
    if (buffer !== undefined) {
      buffer.push(e);
      return;
    }
    const r = book.apply(e);
    if (r.ok) {
      if (r.stale !== true) this.forward(e);
      return;
    }
    // The gap event itself is newer than the snapshot to come; it waits in the buffer with everything after it.
    this.buffers.set(e.symbol, [e]);
    this.reportGap(e.symbol, r.gap.expected, r.gap.got);
  }

  private reportGap(symbol: string, expected: number | 'snapshot', got: number): void {
    const payload = { stream: this.name, symbol, expected: String(expected), received: String(got) };
    this.opts.logger.warn(payload, 'ws_gap_detected');
    this.opts.journal?.append(`connection:${this.name}`, 'STREAM_GAP', payload);
    this.send({ type: 'stream.gap', symbol, expected: String(expected), received: String(got), at: this.now() });
  }

  // ---- sync -----------------------------------------------------------------------------------------------------

  private fetchSnapshots(symbols: ReadonlyArray<string>): void {
    if (this.opts.kind !== 'public') return;
    const { orderBook, depth } = this.opts;
    const token = ++this.syncToken;
    for (const s of symbols) if (!this.buffers.has(s)) this.buffers.set(s, []);
    this.opts.logger.info({ stream: this.name, symbols }, 'book_snapshot_requested');
    const fetches = symbols.map((s) => Effect.runPromise(Effect.either(orderBook(s, depth))).then((r) => ({ symbol: s, r })));
    void Promise.all(fetches).then((results) => {
      if (token !== this.syncToken || this.stopped) return;
      const failed = results.find((x) => x.r._tag === 'Left');
      if (failed !== undefined && failed.r._tag === 'Left') {
        this.opts.logger.warn({ stream: this.name, symbol: failed.symbol, reason: failed.r.left.message }, 'book_snapshot_failed');
        this.send({ type: 'venue.snapshotFailed', message: failed.r.left.message, at: this.now() });
        return;
      }
      let gap: { symbol: string; expected: number | 'snapshot'; got: number } | undefined;
      for (const { symbol, r } of results) {
        if (r._tag === 'Left') continue;
        const g = this.applySnapshot(symbol, r.right);
        if (g !== undefined && gap === undefined) gap = { symbol, ...g };
      }
      if (gap !== undefined) {
        this.reportGap(gap.symbol, gap.expected, gap.got);
        return;
      }
      this.send({ type: 'venue.snapshotApplied', at: this.now() });
    });
  }

  /**
   * Loads a REST snapshot, drops buffered events not newer than it, applies the rest in order; returns the gap if
   * the buffer does not continue the snapshot (the symbol then keeps buffering for the next attempt).
   */
  private applySnapshot(symbol: string, snapshot: BookSnapshot): { expected: number | 'snapshot'; got: number } | undefined {
    const book = this.books.get(symbol);
    if (book === undefined) return undefined;
    const buffered = this.buffers.get(symbol) ?? [];
    this.buffers.delete(symbol);
    book.applySnapshot(snapshot);
    let dropped = 0;
    let replayed = 0;
    for (let i = 0; i < buffered.length; i++) {
      const e = buffered[i]!;
      if (e.updateId <= snapshot.updateId) {
        dropped += 1;
        continue;
      }
      const r = book.apply(e);
      if (!r.ok) {
        this.buffers.set(symbol, buffered.slice(i));
        return r.gap;
      }
      if (r.stale !== true) {
        replayed += 1;
        this.forward(e);
      }
    }
    const payload = { stream: this.name, symbol, snapshotUpdateId: snapshot.updateId, bookUpdateId: book.lastUpdateId() ?? null, dropped, replayed };
    this.opts.logger.info(payload, 'book_resynced');
    this.opts.journal?.append(`connection:${this.name}`, 'BOOK_RESYNCED', payload);
    return undefined;
  }

  private reconcile(reason: 'start' | 'reconnect'): void {
    if (this.opts.kind !== 'private') return;
    const token = ++this.syncToken;
    const onReconnect = reason === 'reconnect' ? this.opts.onReconnect : undefined;
    if (reason === 'reconnect') {
      this.opts.logger.warn({ stream: this.name, connection: this.connections }, 'ws_private_reconnected');
      this.opts.journal?.append(`connection:${this.name}`, 'STREAM_RECONNECTED', { stream: this.name, connection: this.connections });
    }
    void Promise.resolve()
      .then(() => onReconnect?.())
      .then(
        () => {
          if (token === this.syncToken && !this.stopped) this.send({ type: 'venue.snapshotApplied', at: this.now() });
        },
        (e: unknown) => {
          if (token !== this.syncToken || this.stopped) return;
          const message = e instanceof Error ? e.message : String(e);
          this.opts.logger.error({ stream: this.name, reason: message }, 'reconcile_failed');
          this.send({ type: 'venue.snapshotFailed', message, at: this.now() });
        },
      );
  }
}
