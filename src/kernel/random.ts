/**
 * A small seeded pseudo-random generator (mulberry32) for every random choice of the runtime — cycle jitter, backoff
 * draws — so that a run with the same seed makes the same choices. Not for cryptography.
 */

/** Returns a function yielding uniform numbers in [0, 1) from the seed. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Full jitter (AWS): a delay drawn uniformly from [0, min(cap, base·2^attempt)). `attempt` counts retries from 0. */
export const fullJitterDelay = (attempt: number, baseMs: number, capMs: number, random: () => number): number =>
  random() * Math.min(capMs, baseMs * 2 ** attempt);
