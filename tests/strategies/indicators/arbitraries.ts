/**
 * fast-check generators of bar series for the indicator properties: a random walk of closes on a cent grid with
 * flat stretches (no movement at all, the degenerate case of RSI, ADX and MFI), highs and lows around open and close,
 * volumes that are often 0, and time steps from one minute to two days so sessions change within a series. Test
 * support.
 */
import fc from 'fast-check';
import type { PriceBar } from '../../../src/strategies/indicators/index.ts';

const MINUTE_MS = 60_000;
/** 2023-03-10T00:00Z: three days before the New York clocks go forward, so some series cross the change. */
const T0 = Date.UTC(2023, 2, 10);

const step = fc.record({
  move: fc.oneof(fc.constant(0), fc.integer({ min: -400, max: 400 })),
  gap: fc.oneof(fc.constant(0), fc.integer({ min: -100, max: 100 })),
  up: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 })),
  down: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 })),
  volume: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000_000 })),
  minutes: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 2 * 1440 })),
});

const cents = (x: number): number => Math.max(0.01, Math.round(x * 100) / 100);

/** Bar series of 0 to `maxLength` bars in time order. */
export const barSeries = (maxLength = 120): fc.Arbitrary<PriceBar[]> =>
  fc.tuple(fc.integer({ min: 100, max: 5_000_000 }), fc.array(step, { maxLength })).map(([startCents, steps]) => {
    const bars: PriceBar[] = [];
    let close = startCents / 100;
    let start = T0;
    for (const s of steps) {
      // Moves are in basis points of the previous close; prices stay on a cent grid, as venue prices do.
      const open = cents(close * (1 + s.gap / 10_000));
      close = cents(close * (1 + s.move / 10_000));
      const high = cents(Math.max(open, close) * (1 + s.up / 10_000));
      const low = Math.min(cents(Math.min(open, close) * (1 - s.down / 10_000)), open, close);
      start += s.minutes * MINUTE_MS;
      bars.push({ start, open, high, low, close, volume: s.volume });
    }
    return bars;
  });

/** A period of `min` to 30 bars. */
export const period = (min = 1): fc.Arbitrary<number> => fc.integer({ min, max: 30 });

/** The committed seed and run count of every indicator property. */
export const PROPERTY_RUNS = { seed: 1337, numRuns: 200 } as const;
