/** Clock-offset estimation (midpoint, min-RTT), the X-CLK-2 hysteresis gate, and the client-side token buckets. */
import { describe, expect, it } from 'vitest';
import { ClockGate, ClockOffsetEstimator, sampleOffset } from '../../../src/venues/shared/ClockGate.ts';
import { TokenBucket } from '../../../src/venues/shared/TokenBucket.ts';

describe('clock offset', () => {
  it('uses the midpoint of the round trip', () => {
    expect(sampleOffset({ localBefore: 1000, localAfter: 1100, server: 1300 })).toBe(250);
  });

  it('prefers the sample with the smallest round trip among the last N', () => {
    const est = new ClockOffsetEstimator(3);
    est.add({ localBefore: 0, localAfter: 400, server: 500 }); // rtt 400, offset 300
    expect(est.add({ localBefore: 1000, localAfter: 1010, server: 1105 })).toBe(100); // rtt 10 wins
    est.add({ localBefore: 2000, localAfter: 2200, server: 2400 });
    est.add({ localBefore: 3000, localAfter: 3300, server: 3500 });
    // The rtt-10 sample left the window of 3: best is now rtt 200 (offset 300).
    est.add({ localBefore: 4000, localAfter: 4250, server: 4500 });
    expect(est.offsetMs()).toBe(300);
  });
});

describe('clock gate', () => {
  it('X-CLK-2 blocks above 250 ms and resumes only at or below 100 ms', () => {
    const gate = new ClockGate();
    expect(gate.update(200)).toBe('open');
    expect(gate.update(-300)).toBe('blocked');
    expect(gate.update(200)).toBe('blocked');
    expect(gate.update(101)).toBe('blocked');
    expect(gate.update(80)).toBe('open');
    expect(gate.update(250)).toBe('open');
    expect(gate.update(251)).toBe('blocked');
  });

  it('takes configurable thresholds and refuses inverted ones', () => {
    const gate = new ClockGate({ blockAboveMs: 50, resumeAtOrBelowMs: 10 });
    expect(gate.update(60)).toBe('blocked');
    expect(gate.update(10)).toBe('open');
    expect(() => new ClockGate({ blockAboveMs: 10, resumeAtOrBelowMs: 10 })).toThrow(RangeError);
  });
});

describe('token bucket', () => {
  it('allows a burst, then paces at the configured rate on the injected clock', () => {
    let t = 0;
    const bucket = new TokenBucket({ burst: 2, perSecond: 4 }, { now: () => t });
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(250);
    t = 100;
    expect(bucket.tryTake()).toBe(150);
    t = 250;
    expect(bucket.tryTake()).toBe(0);
    t = 10_000;
    expect(bucket.available()).toBe(2);
  });
});

describe('clock offset ties', () => {
  it('prefers the newest sample among equal round trips', () => {
    const est = new ClockOffsetEstimator(8);
    est.add({ localBefore: 0, localAfter: 10, server: 305 });
    expect(est.add({ localBefore: 100, localAfter: 110, server: 185 })).toBe(80);
  });
});
