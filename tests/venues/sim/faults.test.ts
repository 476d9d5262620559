/**
 * The fault plan: the compact `--faults` grammar, the JSON schema of the control endpoint, and the seeded dice.
 */
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { createRng, decodeFaultPlan, NO_FAULTS, parseFaultSpec } from '../../../src/venues/sim/faults.ts';

const parsed = (spec: string) => {
  const r = parseFaultSpec(spec);
  if (Either.isLeft(r)) throw new Error(r.left);
  return r.right;
};
const error = (spec: string) => {
  const r = parseFaultSpec(spec);
  if (Either.isRight(r)) throw new Error(`expected ${spec} to be refused`);
  return r.left;
};

describe('fault spec grammar', () => {
  it('parses the documented example into a plan', () => {
    const plan = parsed('ws-drop@30s,gap:0.01,dup:0.01,reorder:0.01,delay:50ms,http429:0.05,http5xx:0.02,timeout-after-accept:0.2,skew:300ms,reject:110007@0.1');
    expect(plan).toEqual({
      ...NO_FAULTS,
      wsDropEveryMs: 30_000,
      gapRate: 0.01,
      dupRate: 0.01,
      reorderRate: 0.01,
      delayMs: 50,
      http429Rate: 0.05,
      http5xxRate: 0.02,
      timeoutAfterAcceptRate: 0.2,
      clockSkewMs: 300,
      rejects: [{ retCode: 110007, rate: 0.1 }],
    });
  });

  it('parses options, negative skew, repeated rejects, minutes and never-answering timeouts', () => {
    const plan = parsed(' http429:1@2500ms , timeout-after-accept:0.5@never, skew:-1500ms, reject:110007@0.1, reject:10016@1, ws-drop:0.001, ws-drop@2m, no-pong:1, ratelimit:0.3, seed:99 ');
    expect(plan.http429Rate).toBe(1);
    expect(plan.retryAfterSeconds).toBe(3);
    expect(plan.timeoutAfterAcceptRate).toBe(0.5);
    expect(plan.timeoutHoldMs).toBeNull();
    expect(plan.clockSkewMs).toBe(-1500);
    expect(plan.rejects).toEqual([
      { retCode: 110007, rate: 0.1 },
      { retCode: 10016, rate: 1 },
    ]);
    expect(plan.wsDropRate).toBe(0.001);
    expect(plan.wsDropEveryMs).toBe(120_000);
    expect(plan.pongDropRate).toBe(1);
    expect(plan.rateLimitRate).toBe(0.3);
    expect(plan.seed).toBe(99);
    expect(parsed('timeout-after-accept:1@5s').timeoutHoldMs).toBe(5000);
    expect(parsed('')).toEqual(NO_FAULTS);
  });

  it('refuses bad items and names each of them', () => {
    const msg = error('gap:1.5,frobnicate:1,delay:-5ms,reject:abc@0.1,skew,ws-drop@0s');
    for (const bad of ['"gap:1.5"', '"frobnicate:1"', '"delay:-5ms"', '"reject:abc@0.1"', '"skew"', '"ws-drop@0s"']) expect(msg).toContain(bad);
  });
});

describe('fault plan JSON (control endpoint body)', () => {
  it('fills defaults and refuses out-of-range or unknown fields with their paths', () => {
    const ok = decodeFaultPlan({ gapRate: 0.5 });
    expect(Either.isRight(ok) && ok.right).toEqual({ ...NO_FAULTS, gapRate: 0.5 });
    const bad = decodeFaultPlan({ gapRate: 2, delayMs: -1, surprise: true });
    expect(Either.isLeft(bad)).toBe(true);
    const text = Either.isLeft(bad) ? bad.left : '';
    expect(text).toContain('gapRate');
    expect(text).toContain('delayMs');
    expect(text).toContain('surprise');
  });
});

describe('seeded dice', () => {
  it('repeat the same draws for the same seed and differ across seeds', () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: 20 }, () => r.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    for (const x of draw(123)) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draw nothing for certain outcomes, so an unused fault does not shift the sequence', () => {
    const a = createRng(5);
    const b = createRng(5);
    expect(a.chance(0)).toBe(false);
    expect(a.chance(1)).toBe(true);
    expect(a.next()).toBe(b.next());
    const c = createRng(11);
    const hits = Array.from({ length: 2000 }, () => c.chance(0.25)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(400);
    expect(hits).toBeLessThan(600);
  });
});
