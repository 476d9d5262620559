/**
 * Rule 4 — clock skew (X-CLK-2, C-2): block at |offset| > 250 ms, resume only at ≤ 100 ms. The latch lives in the
 * market view; the runtime advances it with `nextClockSkewBlocked` on every measurement. Pure; performs no I/O.
 */
import type { RiskConfig } from '../RiskConfig.ts';
import { veto, type Check } from './types.ts';

/** Returns the next value of the skew latch for a new offset measurement (hysteresis between resume and block). */
export const nextClockSkewBlocked = (blocked: boolean, offsetMs: number, clock: RiskConfig['clock']): boolean => {
  const abs = Math.abs(offsetMs);
  if (abs > clock.blockAboveMs) return true;
  if (abs <= clock.resumeAtOrBelowMs) return false;
  return blocked;
};

/** Vetoes while the latch is set or the current offset is beyond the block limit. */
export const clockSkew: Check = (ctx) => {
  const { offsetMs, skewBlocked } = ctx.market.clock;
  const { blockAboveMs, resumeAtOrBelowMs } = ctx.config.clock;
  if (Math.abs(offsetMs) > blockAboveMs) {
    return veto('clock_skew_block', 'clock_offset_ms', Math.abs(offsetMs), Math.abs(offsetMs), blockAboveMs, `clock offset ${offsetMs} ms beyond ${blockAboveMs} ms`);
  }
  if (skewBlocked) {
    return veto('clock_skew_block', 'clock_offset_ms', Math.abs(offsetMs), Math.abs(offsetMs), resumeAtOrBelowMs, `clock offset ${offsetMs} ms has not yet come back to ${resumeAtOrBelowMs} ms`);
  }
  return undefined;
};
