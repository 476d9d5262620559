/**
 * A small seeded pseudo-random generator (mulberry32) for the simulator's replay and liquidity model. Same seed, same
 * sequence, on every platform; never used for anything security-related and never reads global randomness.
 */
import { seededRandom as kernelRandom } from '../../../kernel/random.ts';

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

/** Returns the kernel's mulberry32 generator seeded with `seed` (low 32 bits), with an integer helper. */
export const seededRandom = (seed: number): SeededRandom => {
  const next = kernelRandom(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
  };
};
