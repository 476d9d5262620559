/**
 * The S2 trading day (S2-11, S2-18): src/strategies/us/sessionPlan.ts on weekdays either side of New York's March
 * and November clock changes, against instants written out by hand from each day's offset (EST = UTC−5, EDT =
 * UTC−4); the strategies' own windows are the plan's (they derive from it); the S2 profile's loop sleeps 1 s.
 */
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.ts';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import { newYorkDay } from '../../src/strategies/eodMomentum/EodMomentum.ts';
import { OPENING_RANGE_WINDOW } from '../../src/strategies/openingRange/OpeningRange.ts';
import { DEFAULT_SEQUENCE } from '../../src/strategies/us/allocation.ts';
import { sessionPlanOf, US_SESSION } from '../../src/strategies/us/sessionPlan.ts';
import { VWAP_REVERSION_WINDOW } from '../../src/strategies/vwapReversion/VwapReversion.ts';

/** The instant of New York wall time `hhmm` on `date`, at the given UTC offset in hours (hand-written, not computed by the code under test). */
const at = (date: string, hhmm: string, offset: -4 | -5): number => Date.parse(`${date}T${hhmm}:00.000${offset === -4 ? '-04:00' : '-05:00'}`);

const DAYS = [
  { date: '2025-03-07', offset: -5 as const, what: 'Friday before the March change (EST)' },
  { date: '2025-03-10', offset: -4 as const, what: 'Monday after it (EDT)' },
  { date: '2025-10-31', offset: -4 as const, what: 'Friday before the November change (EDT)' },
  { date: '2025-11-03', offset: -5 as const, what: 'Monday after it (EST)' },
];

describe('S2-11 S2-18 the session plan across both New York clock changes', () => {
  for (const d of DAYS) {
    it(`S2-11 S2-18 ${d.date}, ${d.what}: open 09:30 (analysis 20 min, monitoring 30 min), mid 10:30–14:30, close 14:30–16:00, shown in ET and PT`, () => {
      // Any instant of that New York day gives that day's plan: 08:00 and 19:00 local.
      for (const probe of [at(d.date, '08:00', d.offset), at(d.date, '19:00', d.offset)]) {
        const plan = sessionPlanOf(probe)!;
        expect(plan.date).toBe(d.date);
        expect(plan.slots.map((s) => [s.name, s.fromTs, s.toTs])).toEqual([
          ['open', at(d.date, '09:30', d.offset), at(d.date, '10:20', d.offset)],
          ['mid', at(d.date, '10:30', d.offset), at(d.date, '14:30', d.offset)],
          ['close', at(d.date, '14:30', d.offset), at(d.date, '16:00', d.offset)],
        ]);
        expect(plan.phases.map((p) => [p.name, p.fromTs, p.toTs])).toEqual([
          ['analysis', at(d.date, '09:30', d.offset), at(d.date, '09:50', d.offset)],
          ['monitoring', at(d.date, '09:50', d.offset), at(d.date, '10:20', d.offset)],
        ]);
        expect(plan.slots.map((s) => s.shown)).toEqual([
          '09:30 ET / 06:30 PT – 10:20 ET / 07:20 PT',
          '10:30 ET / 07:30 PT – 14:30 ET / 11:30 PT',
          '14:30 ET / 11:30 PT – 16:00 ET / 13:00 PT',
        ]);
        expect(plan.loopSleepMs).toBe(1_000);
      }
    });
  }

  it('S2-11 no plan on a Saturday or a Sunday; the slots come in the default sequence open → mid → close', () => {
    expect(sessionPlanOf(at('2025-03-08', '10:00', -5))).toBeUndefined();
    expect(sessionPlanOf(at('2025-11-02', '10:00', -5))).toBeUndefined();
    expect(sessionPlanOf(at('2025-03-10', '10:00', -4))!.slots.map((s) => s.name)).toEqual([...DEFAULT_SEQUENCE]);
  });

  it('S2-11 S2-6 S2-7 S2-8 the strategies trade the plan\'s windows: ORB in the open slot (its range = the analysis), VWAP in the mid slot, end-of-day in the close slot', () => {
    const plan = sessionPlanOf(at('2025-03-10', '12:00', -4))!;
    const [open, mid, close] = plan.slots;
    expect([OPENING_RANGE_WINDOW.open, OPENING_RANGE_WINDOW.exit]).toEqual([open!.from, open!.to]);
    expect(decodeDefaults(AppConfig).strategies['opening-range'].rangeMinutes).toBe(US_SESSION.analysisMinutes);
    expect([VWAP_REVERSION_WINDOW.from, VWAP_REVERSION_WINDOW.to]).toEqual([mid!.from, mid!.to]);
    const eod = newYorkDay(at('2025-03-10', '12:00', -4));
    expect([eod.windowStart, eod.sessionClose]).toEqual([close!.fromTs, close!.toTs]);
    expect(eod.hardClose).toBe(at('2025-03-10', '15:55', -4));
  });

  it('S2-11 the S2 profile\'s decision loop sleeps the plan\'s 1 s between cycles', () => {
    const loaded = loadConfigFile('config/profiles/s2-us-stock.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    expect(loaded.right.config.decision.cycleMs).toBe(US_SESSION.loopSleepMs);
  });
});
