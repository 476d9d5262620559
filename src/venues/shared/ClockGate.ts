/**
 * Venue clock-offset tracking (X-CLK-2), for any adapter: an estimator fed with server-time samples (midpoint method,
 * keeping the sample with the smallest round trip of the last N) and a hysteresis gate that blocks new orders above
 * one offset and resumes only at or below a lower one. Pure state; reads no clock itself.
 */

/** One server-time measurement. */
export interface ClockSample {
  /** Local time just before the request was sent (ms). */
  readonly localBefore: number;
  /** Local time just after the response arrived (ms). */
  readonly localAfter: number;
  /** The venue's time in the response (ms, may be fractional). */
  readonly server: number;
}

/** Returns offset = server − midpoint(localBefore, localAfter): add it to local time to get venue time. */
export const sampleOffset = (s: ClockSample): number => s.server - (s.localBefore + s.localAfter) / 2;

/**
 * Keeps the last `window` samples and estimates the offset from the one with the smallest round trip (the least
 * network noise); among equal round trips the newest wins, so a drifting venue clock is followed.
 */
export class ClockOffsetEstimator {
  private readonly samples: ClockSample[] = [];
  private readonly window: number;

  constructor(window = 8) {
    this.window = Math.max(1, window);
  }

  /** Adds a sample and returns the new estimate. */
  add(sample: ClockSample): number {
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
    return this.offsetMs();
  }

  /** Returns the current estimate in ms (0 before any sample). */
  offsetMs(): number {
    let best: ClockSample | undefined;
    for (const s of this.samples) {
      if (best === undefined || s.localAfter - s.localBefore <= best.localAfter - best.localBefore) best = s;
    }
    return best === undefined ? 0 : sampleOffset(best);
  }

  /** Returns the number of samples held. */
  size(): number {
    return this.samples.length;
  }

  /** Forgets every sample (after a venue clock jump, old samples only mislead). */
  reset(): void {
    this.samples.length = 0;
  }
}

/** The gate's state. */
export type ClockGateState = 'open' | 'blocked';

/** Hysteresis gate: `blocked` once |offset| > blockAboveMs; `open` again only when |offset| ≤ resumeAtOrBelowMs. */
export class ClockGate {
  private state: ClockGateState = 'open';
  private readonly blockAboveMs: number;
  private readonly resumeAtOrBelowMs: number;

  constructor(thresholds: { readonly blockAboveMs: number; readonly resumeAtOrBelowMs: number } = { blockAboveMs: 250, resumeAtOrBelowMs: 100 }) {
    if (!(thresholds.resumeAtOrBelowMs < thresholds.blockAboveMs)) throw new RangeError('resume threshold must be below the block threshold');
    this.blockAboveMs = thresholds.blockAboveMs;
    this.resumeAtOrBelowMs = thresholds.resumeAtOrBelowMs;
  }

  /** Feeds a new offset estimate and returns the resulting state. */
  update(offsetMs: number): ClockGateState {
    const abs = Math.abs(offsetMs);
    if (this.state === 'open' && abs > this.blockAboveMs) this.state = 'blocked';
    else if (this.state === 'blocked' && abs <= this.resumeAtOrBelowMs) this.state = 'open';
    return this.state;
  }

  /** Returns the state. */
  current(): ClockGateState {
    return this.state;
  }

  /** Returns whether new orders may be sent. */
  isOpen(): boolean {
    return this.state === 'open';
  }
}
