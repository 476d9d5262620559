/**
 * Deterministic identifiers for the simulator: UUID-shaped order, execution, trade and conditional ids (Bybit's
 * orderIds are UUIDs), derived from the engine seed and a counter. Never random: the same seed and inputs give the same
 * ids, which keeps backtests byte-identical.
 */

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

// A 32-bit finaliser (murmur3 fmix32): cheap and well spread, enough to make ids look unrelated.
const fmix = (input: number): number => {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
};

/** Returns a UUID-shaped (version 4 layout) string derived from (seed, stream, n); distinct n give distinct strings. */
export const deterministicUuid = (seed: number, stream: number, n: number): string => {
  const a = fmix(seed ^ Math.imul(stream, 0x27d4eb2d));
  const b = fmix(a ^ n);
  const c = fmix(b ^ 0x165667b1);
  const d = fmix(c ^ a);
  // The last 12 hex digits carry the counter itself, so two ids can never collide whatever the hash does.
  const counter = n.toString(16).padStart(12, '0').slice(-12);
  const h = hex8(b) + hex8(c) + hex8(d);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[c & 3] ?? '8'}${h.slice(17, 20)}-${counter}`;
};

/** Hands out the engine's ids in sequence. */
export class SimIds {
  private readonly seed: number;
  private orders = 0;
  private executions = 0;
  private trades = 0;
  private conditionals = 0;

  constructor(seed: number) {
    this.seed = seed >>> 0;
  }

  /** Returns the next order id. */
  orderId(): string {
    return deterministicUuid(this.seed, 1, ++this.orders);
  }

  /** Returns the next execution id. */
  execId(): string {
    return deterministicUuid(this.seed, 2, ++this.executions);
  }

  /** Returns the next public trade id. */
  tradeId(): string {
    return deterministicUuid(this.seed, 3, ++this.trades);
  }

  /** Returns the next conditional-order id (its own stream, so conditionals never shift order ids). */
  conditionalId(): string {
    return deterministicUuid(this.seed, 4, ++this.conditionals);
  }
}
