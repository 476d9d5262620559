/**
 * A small seeded pseudo-random generator (mulberry32) for the simulator's replay and liquidity model. Same seed, same
 * sequence, on every platform; never used for anything security-related and never reads global randomness.
 */

/** A seeded source of uniform floats in [0, 1) and integers. */
export interface SeededRandom {
  /** Returns the next float in [0, 1). */
  next(): number;
  /** Returns an integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
}

/** Mixes a seed and a stream number into one 32-bit state, so feeds of different symbols do not share a sequence. */
export const mixSeed = (seed: number, stream: string): number => {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < stream.length; i++) {
    h = Math.imul(h ^ stream.charCodeAt(i), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h >>> 0;
};

/** Returns a mulberry32 generator seeded with `seed` (any integer; only the low 32 bits are used). */
export const seededRandom = (seed: number): SeededRandom => {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
  };
};
