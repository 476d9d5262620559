/**
 * One `ws` socket at a time for a connection host: builds the socket's URL and frames with the description's
 * `open(now)`, numbers sockets by generation so events of a replaced socket are ignored, closes (1000) or terminates
 * and lets a caller await every close, sends the chart's frames (auth, subscribe, and the ping of the heartbeat mode:
 * an app frame or a websocket-level ping), and reports opens, text frames, pings, pongs, errors and closes of the
 * current socket. It keeps no timers and reads no inbound frame's meaning.
 */
import WebSocket from 'ws';
import type { Logger } from '../../kernel/logger.ts';
import { scrubText, scrubValue } from '../../kernel/redaction.ts';
import type { StreamDescription, StreamOpening } from '../../venues/streams.ts';

/** What the current socket reports. */
export interface WsTransportHandlers {
  readonly opened: () => void;
  /** A text frame (binary frames arrive as the empty string, which no decoder accepts). */
  readonly message: (text: string) => void;
  /** A websocket pong frame (the answer to `ping()`). */
  readonly pong: () => void;
  /** A websocket ping frame from the server (`ws` answers it by itself). */
  readonly ping: () => void;
  /** A socket error, or an `open(now)` that failed (no socket was opened then). */
  readonly error: (message: string) => void;
  /** The socket closed without an error before (an error already reported the loss). */
  readonly closed: (code: number, reason: string) => void;
}

/** Returns a URL fit for logs: its query (which may carry a listen key or a token) is cut. */
export const loggableUrl = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
};

/** Returns a frame fit for logs: secret fields (a `jwt`, a `signature`) and registered secrets scrubbed. */
const loggableFrame = (frame: string): string => {
  try {
    return JSON.stringify(scrubValue(JSON.parse(frame)));
  } catch {
    return scrubText(frame);
  }
};

const textOf = (data: WebSocket.RawData): string =>
  Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');

/** Options of a WsTransport. */
export interface WsTransportOptions {
  readonly stream: StreamDescription<unknown>;
  readonly logger: Logger;
  /** The `now` handed to `open(now)`: offset-corrected venue time. */
  readonly venueNow: () => number;
  readonly handlers: WsTransportHandlers;
}

/** The socket of one stream. */
export class WsTransport {
  private readonly name: string;
  private readonly stream: StreamDescription<unknown>;
  private readonly logger: Logger;
  private readonly venueNow: () => number;
  private readonly handlers: WsTransportHandlers;
  private socket: WebSocket | undefined;
  private opening: StreamOpening | undefined;
  /** Bumped whenever the socket is replaced or dropped: events of older sockets (and late openings) are ignored. */
  private generation = 0;
  private opened = 0;
  private readonly closing = new Set<Promise<void>>();

  constructor(opts: WsTransportOptions) {
    this.name = opts.stream.name;
    this.stream = opts.stream;
    this.logger = opts.logger;
    this.venueNow = opts.venueNow;
    this.handlers = opts.handlers;
  }

  /** Returns how many sockets were opened so far. */
  connections(): number {
    return this.opened;
  }

  /** Returns whether the current socket is open. */
  isOpen(): boolean {
    return this.socket !== undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Replaces the socket: builds the opening with `open(venueNow())` (at once, or when its promise settles) and
   * connects to its URL. A failed opening is reported as an error; an opening that settles after a newer open or a
   * close is dropped.
   */
  open(attempt: number): void {
    this.close('replaced');
    const gen = this.generation;
    let opening: StreamOpening | Promise<StreamOpening>;
    try {
      opening = this.stream.open(this.venueNow());
    } catch (e) {
      this.openFailed(e);
      return;
    }
    if (!(opening instanceof Promise)) {
      this.connect(opening, attempt);
      return;
    }
    opening.then(
      (o) => gen === this.generation && this.connect(o, attempt),
      (e: unknown) => gen === this.generation && this.openFailed(e),
    );
  }

  private openFailed(e: unknown): void {
    const message = `open failed: ${e instanceof Error ? e.message : String(e)}`;
    this.logger.warn({ stream: this.name, message }, 'ws_error');
    this.handlers.error(message);
  }

  private connect(opening: StreamOpening, attempt: number): void {
    const gen = ++this.generation;
    this.opened += 1;
    this.opening = opening;
    this.logger.info({ stream: this.name, url: loggableUrl(opening.url), attempt, connection: this.opened }, 'ws_connecting');
    const socket = new WebSocket(opening.url);
    this.socket = socket;
    const current = (): boolean => gen === this.generation;
    let errored = false;
    socket.on('open', () => {
      if (current()) this.handlers.opened();
    });
    socket.on('message', (data, isBinary) => {
      if (current()) this.handlers.message(isBinary ? '' : textOf(data));
    });
    socket.on('pong', () => {
      if (current()) this.handlers.pong();
    });
    socket.on('ping', () => {
      if (current()) this.handlers.ping();
    });
    socket.on('error', (e) => {
      errored = true;
      if (!current()) return;
      this.logger.warn({ stream: this.name, message: e.message }, 'ws_error');
      this.handlers.error(e.message);
    });
    socket.on('close', (code, reason) => {
      if (!current() || errored) return;
      this.logger.warn({ stream: this.name, code, reason: reason.toString('utf8') }, 'ws_closed');
      this.handlers.closed(code, reason.toString('utf8'));
    });
  }

  /** Drops the current socket (its later events are ignored): closes it with 1000, or terminates it if not open yet. */
  close(reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    this.opening = undefined;
    this.generation += 1;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
    socket.on('error', () => undefined);
    this.logger.info({ stream: this.name, reason }, 'ws_close');
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, reason.slice(0, 100));
    else socket.terminate();
  }

  /**
   * Sends the chart's frame: every auth or subscribe frame of the opening, or the heartbeat's ping (an app frame, a
   * websocket ping, nothing for a heartbeat channel). Returns how many auth/subscribe frames left (each wants one
   * ack), or undefined when the socket is not open and nothing was sent.
   */
  sendFrame(frame: 'auth' | 'subscribe' | 'ping'): number | undefined {
    const socket = this.socket;
    const opening = this.opening;
    if (socket === undefined || opening === undefined || socket.readyState !== WebSocket.OPEN) {
      this.logger.warn({ stream: this.name, frame }, 'ws_send_skipped_not_open');
      return undefined;
    }
    if (frame === 'auth') {
      // Auth frames carry a key and a signature (or a token): never logged.
      for (const f of opening.authFrames) socket.send(f);
      this.logger.info({ stream: this.name, frames: opening.authFrames.length }, 'ws_auth_sent');
      return opening.authFrames.length;
    }
    if (frame === 'subscribe') {
      for (const f of opening.subscribeFrames) {
        socket.send(f);
        this.logger.info({ stream: this.name, connection: this.opened, frame: loggableFrame(f) }, 'ws_subscribe_sent');
      }
      return opening.subscribeFrames.length;
    }
    const heartbeat = this.stream.heartbeat;
    if (heartbeat.mode === 'app_ping') socket.send(heartbeat.frame());
    else if (heartbeat.mode === 'protocol_ping') socket.ping();
    return 0;
  }

  /** Resolves once every socket closed so far has finished closing. */
  async drained(): Promise<void> {
    await Promise.all([...this.closing]);
  }
}
