/**
 * The inbound side of one connection: decodes every text frame with the description's decoder, counts and logs
 * malformed ones (scrubbed, truncated; X-RT-10), checks a per-connection sequence (a gap resyncs everything on the
 * connection; a repeated number is ignored), counts auth and subscribe acks, turns pongs and heartbeat-channel
 * messages into the chart's `stream.pong`, and hands events to the sync strategy. Nothing a frame does escapes.
 */
import type { ConnectionEvent } from '../../../machines/connection/connectionTypes.ts';
import type { Logger } from '../../kernel/logger.ts';
import { scrubText } from '../../kernel/redaction.ts';
import type { StreamDescription, StreamFrame } from '../../venues/streams.ts';
import type { SyncStrategy } from './SyncStrategy.ts';

const PAYLOAD_PREVIEW_CHARS = 160;

/** Returns a log-safe preview of a raw frame: secrets scrubbed, truncated. */
const preview = (raw: string): string => {
  const clean = scrubText(raw);
  return clean.length > PAYLOAD_PREVIEW_CHARS ? `${clean.slice(0, PAYLOAD_PREVIEW_CHARS)}…(${clean.length} chars)` : clean;
};

/** What the inbound side needs from its host. */
export interface InboundFramesOptions {
  readonly stream: StreamDescription<unknown>;
  readonly symbols: ReadonlyArray<string>;
  readonly sync: SyncStrategy<unknown>;
  readonly logger: Logger;
  readonly now: () => number;
  readonly send: (event: ConnectionEvent) => void;
  /** Data arrived at `at` (the stale watchdog). */
  readonly markData: (at: number) => void;
  readonly reportGap: (symbol: string, expected: number | 'snapshot', got: number) => void;
}

/** Inbound frames of one connection. */
export class InboundFrames {
  private readonly opts: InboundFramesOptions;
  private readonly name: string;
  private pendingAuthAcks = 0;
  private pendingSubscribeAcks = 0;
  /** Heartbeat channel: the chart's ping asked for proof of life; the next heartbeat message answers it. */
  private awaitingBeat = false;
  private lastSequence: number | undefined;
  private invalid = 0;

  constructor(opts: InboundFramesOptions) {
    this.opts = opts;
    this.name = opts.stream.name;
  }

  /** Returns how many malformed frames were dropped. */
  invalidFrames(): number {
    return this.invalid;
  }

  /** A new socket: acks, the outstanding heartbeat and the connection sequence start over. */
  reset(): void {
    this.pendingAuthAcks = 0;
    this.pendingSubscribeAcks = 0;
    this.awaitingBeat = false;
    this.lastSequence = undefined;
  }

  /** The host sent the chart's frame (`sent` auth/subscribe frames); with none to ack, the step is done at once. */
  sent(frame: 'auth' | 'subscribe' | 'ping', sent: number): void {
    const at = this.opts.now();
    if (frame === 'auth') {
      this.pendingAuthAcks = sent;
      // No auth frames: the stream authenticates inside its subscribe frames (a JWT signed per frame) or not at all.
      if (sent === 0) this.opts.send({ type: 'stream.authenticated', at });
    } else if (frame === 'subscribe') {
      this.pendingSubscribeAcks = sent;
      // No subscribe frames: the URL names the streams (a combined-stream URL).
      if (sent === 0) this.opts.send({ type: 'stream.subscribed', at });
    } else if (this.opts.stream.heartbeat.mode === 'heartbeat_channel') this.awaitingBeat = true;
  }

  /** A websocket pong frame (protocol ping mode). */
  protocolPong(): void {
    this.pong(this.opts.now());
  }

  /** A websocket ping from the server: proof of life for a quiet account stream. */
  protocolPing(): void {
    if (this.opts.sync.pongIsData) this.opts.markData(this.opts.now());
  }

  /** Handles one text frame. Never throws. */
  receive(raw: string): void {
    try {
      this.handle(raw, this.opts.stream.decode(raw));
    } catch (e) {
      // Nothing a frame or a listener does may take the connection down (X-RT-10).
      this.opts.logger.error({ stream: this.name, err: e, payload: preview(raw) }, 'ws_frame_handler_failed');
    }
  }

  private pong(at: number): void {
    if (this.opts.sync.pongIsData) this.opts.markData(at);
    this.opts.send({ type: 'stream.pong', at });
  }

  private handle(raw: string, frame: StreamFrame<unknown>): void {
    const at = this.opts.now();
    if (frame.kind === 'invalid') {
      this.invalid += 1;
      this.opts.logger.warn({ stream: this.name, reason: frame.message.slice(0, 300), payload: preview(raw) }, 'payload_decode_failed');
      return;
    }
    if (!this.inSequence(frame)) return;
    switch (frame.kind) {
      case 'ignored':
        return;
      case 'pong':
        this.pong(at);
        return;
      case 'heartbeat':
        if (this.opts.sync.pongIsData) this.opts.markData(at);
        if (this.awaitingBeat) {
          this.awaitingBeat = false;
          this.opts.send({ type: 'stream.pong', at });
        }
        return;
      case 'auth':
        if (!frame.ok) {
          this.opts.logger.error({ stream: this.name, message: frame.message }, 'ws_auth_rejected');
          this.opts.send({ type: 'stream.authRejected', message: frame.message, at });
          return;
        }
        if (this.pendingAuthAcks > 0) this.pendingAuthAcks -= 1;
        if (this.pendingAuthAcks === 0) this.opts.send({ type: 'stream.authenticated', at });
        return;
      case 'subscribed':
        if (!frame.ok) {
          this.opts.logger.error({ stream: this.name, message: frame.message }, 'ws_subscribe_rejected');
          this.opts.send({ type: 'stream.subscribeRejected', message: frame.message, at });
          return;
        }
        if (this.pendingSubscribeAcks <= 0) return;
        this.pendingSubscribeAcks -= 1;
        if (this.pendingSubscribeAcks === 0) this.opts.send({ type: 'stream.subscribed', at });
        return;
      case 'events':
        this.opts.markData(at);
        this.opts.sync.onEvents(frame.events);
        return;
    }
  }

  /**
   * Per-connection scope: a number already seen is a repeat and is ignored (venues document repeats as ignorable); a jump
   * past the next number is a gap on every book of the connection, reported before this frame's events are taken
   * (they wait for the resync in the buffers).
   */
  private inSequence(frame: StreamFrame<unknown>): boolean {
    const seq = frame.connectionSequence;
    if (this.opts.stream.sequence.scope !== 'per_connection' || seq === undefined) return true;
    const last = this.lastSequence;
    if (last !== undefined && seq <= last) {
      this.opts.logger.warn({ stream: this.name, last, received: seq }, 'ws_sequence_repeated');
      return false;
    }
    this.lastSequence = seq;
    if (last !== undefined && seq > last + 1) {
      this.opts.sync.onConnectionGap();
      this.opts.reportGap(this.opts.symbols.join(','), last + 1, seq);
    }
    return true;
  }
}
