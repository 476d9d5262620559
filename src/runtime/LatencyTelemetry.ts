/**
 * Latency telemetry of a session (X-OBS-2, S0-22): place → ack (an order leaves for the venue → the venue's REST
 * acknowledgement), ack → fill (that acknowledgement → the first fill of the order the account stream delivers) and
 * gap → resynced (a stream reports a sequence gap → the stream is live again). The ExecutionEngine and the connection
 * hosts report the moments; this object times them on its own injected clock — the wall clock on a wire session, the
 * virtual clock in a replay, where the figures are as deterministic as the replay — into fixed-bucket histograms
 * that map onto Prometheus histograms. It reads no clock of its own choosing and decides nothing.
 */
import type { Clock } from '../kernel/Clock.ts';
import { Histogram, LATENCY_BUCKETS_MS, type HistogramSummary } from '../kernel/histogram.ts';
import type { OrderLatency } from '../execution/ExecutionEngine.ts';
import type { StreamLatency } from './connection/ConnectionOptions.ts';

/** The latency figures of a run summary (milliseconds of the telemetry's clock). */
export interface LatencySummary {
  readonly placeToAckMs: HistogramSummary;
  readonly ackToFillMs: HistogramSummary;
  readonly gapToResyncedMs: HistogramSummary;
}

/** The histograms by their exported name, for an exporter (`<name>_bucket`, `_sum`, `_count`). */
export type LatencyHistograms = Readonly<Record<'place_to_ack_ms' | 'ack_to_fill_ms' | 'gap_to_resynced_ms', Histogram>>;

/** At most this many orders are followed at once (sent and not acked, or acked and not filled); the oldest go first. */
const MAX_TRACKED = 10_000;

/** An order sent and not yet acknowledged: when it left, and whether a fill already beat the ack. */
interface Sent {
  readonly at: number;
  filledBeforeAck: boolean;
}

const forgetOldest = (m: Map<string, unknown>): void => {
  while (m.size > MAX_TRACKED) {
    const oldest = m.keys().next();
    if (oldest.done === true) return;
    m.delete(oldest.value);
  }
};

/** The session's latency histograms and the moments they are made of. */
export class LatencyTelemetry implements OrderLatency, StreamLatency {
  private readonly clock: Clock;
  private readonly placeToAck = new Histogram(LATENCY_BUCKETS_MS);
  private readonly ackToFill = new Histogram(LATENCY_BUCKETS_MS);
  private readonly gapToResynced = new Histogram(LATENCY_BUCKETS_MS);
  private readonly sent = new Map<string, Sent>();
  private readonly acked = new Map<string, number>();
  private readonly gaps = new Map<string, number>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** An order request leaves for the venue (its write-ahead entry is journaled). */
  orderSent(clientOrderId: string): void {
    this.sent.set(clientOrderId, { at: this.clock.now(), filledBeforeAck: false });
    forgetOldest(this.sent);
  }

  /** The venue acknowledged the order. A fill that arrived before the ack counts as ack → fill 0. */
  orderAcked(clientOrderId: string): void {
    const s = this.sent.get(clientOrderId);
    if (s === undefined) return;
    this.sent.delete(clientOrderId);
    const now = this.clock.now();
    this.placeToAck.observe(now - s.at);
    if (s.filledBeforeAck) {
      this.ackToFill.observe(0);
      return;
    }
    this.acked.set(clientOrderId, now);
    forgetOldest(this.acked);
  }

  /** The request ended without an ack (rejected, or its outcome is unknown): nothing to time. */
  orderFailed(clientOrderId: string): void {
    this.sent.delete(clientOrderId);
  }

  /** A fill of the order was journaled; only the first one after the ack is timed. */
  orderFilled(clientOrderId: string): void {
    const s = this.sent.get(clientOrderId);
    if (s !== undefined) {
      s.filledBeforeAck = true;
      return;
    }
    const ackAt = this.acked.get(clientOrderId);
    if (ackAt === undefined) return;
    this.acked.delete(clientOrderId);
    this.ackToFill.observe(this.clock.now() - ackAt);
  }

  /** The order was closed without a fill (cancelled, expired, rejected by the stream): forgotten. */
  orderClosed(clientOrderId: string): void {
    this.sent.delete(clientOrderId);
    this.acked.delete(clientOrderId);
  }

  /** A stream reported a sequence gap; a gap while one is already being resynced keeps the first one's time. */
  streamGap(stream: string): void {
    if (!this.gaps.has(stream)) this.gaps.set(stream, this.clock.now());
  }

  /** A stream is live (again): ends its pending gap, if any. */
  streamLive(stream: string): void {
    const at = this.gaps.get(stream);
    if (at === undefined) return;
    this.gaps.delete(stream);
    this.gapToResynced.observe(this.clock.now() - at);
  }

  /** A stream stopped: a gap it never resynced is not a latency. */
  streamStopped(stream: string): void {
    this.gaps.delete(stream);
  }

  /** The histograms by exported name. */
  histograms(): LatencyHistograms {
    return { place_to_ack_ms: this.placeToAck, ack_to_fill_ms: this.ackToFill, gap_to_resynced_ms: this.gapToResynced };
  }

  /** The run summary's `latency` section. */
  summary(): LatencySummary {
    return { placeToAckMs: this.placeToAck.summary(), ackToFillMs: this.ackToFill.summary(), gapToResyncedMs: this.gapToResynced.summary() };
  }
}
