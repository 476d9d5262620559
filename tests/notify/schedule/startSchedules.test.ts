/**
 * The scheduled reports on the virtual clock (X-RPT-1, S0-19, S2-18): fire times across both DST changes of
 * Europe/Stockholm and America/New_York, exactly one post per period with a restart at the scheduled minute, the
 * catch-up within the grace window, and a refused send leaving no marker. Real journal, real croner, real scheduler.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { localTime } from '../../../src/notify/schedule/displayTime.ts';
import { sentMarkerKey } from '../../../src/notify/schedule/startSchedules.ts';
import { at, entry, postsOf, scheduleHarness, type ScheduleHarness } from './scheduleFixture.ts';

const STOCKHOLM = 'Europe/Stockholm';
const NEW_YORK = 'America/New_York';
const LOS_ANGELES = 'America/Los_Angeles';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let open: ScheduleHarness[] = [];
const harness = (opts: Parameters<typeof scheduleHarness>[0]): ScheduleHarness => {
  const h = scheduleHarness(opts);
  open.push(h);
  return h;
};
afterEach(async () => {
  for (const h of open) await h.close();
  open = [];
});

const iso = (t: number): string => new Date(t).toISOString();
const local = (t: number, zone: string): string => {
  const l = localTime(t, zone);
  return `${l.date} ${l.time}`;
};

/** A daily at 08:00 local in New York, shown in ET and PT. */
const NY_DAILY = entry({ id: 'ny-daily', cron: '0 8 * * *', timezone: NEW_YORK, report: 'daily', displayZones: [NEW_YORK, LOS_ANGELES] });

describe('scheduled reports across DST changes', () => {
  it('S0-19 X-RPT-1 posts the daily report at exactly 08:00 Stockholm time on each side of the March and October changes', async () => {
    for (const [from, expected] of [
      ['2025-03-27T12:00:00Z', ['2025-03-28T07:00:00.000Z', '2025-03-29T07:00:00.000Z', '2025-03-30T06:00:00.000Z', '2025-03-31T06:00:00.000Z']],
      ['2025-10-23T12:00:00Z', ['2025-10-24T06:00:00.000Z', '2025-10-25T06:00:00.000Z', '2025-10-26T07:00:00.000Z', '2025-10-27T07:00:00.000Z']],
    ] as const) {
      const h = harness({ start: at(from) });
      await h.advanceTo(at(from) + 4 * DAY);
      const daily = postsOf(h, 's0-daily');
      expect(daily.map((m) => iso(m.firedAt))).toEqual(expected);
      for (const m of daily) {
        expect(m.receivedAt).toBe(m.firedAt);
        expect(local(m.firedAt, STOCKHOLM).endsWith(' 08:00')).toBe(true);
        // DAILY_REPORT is dated by the Stockholm day it covers: the one that began at the previous 08:00.
        expect(m.text.split('\n')[0]).toBe(`📊 DAILY REPORT ${local(m.firedAt - 20 * HOUR, STOCKHOLM).slice(0, 10)} (Europe/Stockholm)`);
        expect(m.template).toBe('DAILY_REPORT');
        expect(m.catchUp).toBe(false);
      }
      // The two sides of the change: CET then CEST in March, CEST then CET in October.
      expect(daily.map((m) => localTime(m.firedAt, STOCKHOLM).label)).toEqual(from.startsWith('2025-03') ? ['CET', 'CET', 'CEST', 'CEST'] : ['CEST', 'CEST', 'CET', 'CET']);
    }
  });

  it('S0-19 X-RPT-1 posts the weekly report on Saturday 22:00 Stockholm time before and after each change', async () => {
    const h = harness({ start: at('2025-03-20T00:00:00Z') });
    await h.advanceTo(at('2025-04-07T00:00:00Z'));
    expect(postsOf(h, 's0-weekly').map((m) => iso(m.firedAt))).toEqual(['2025-03-22T21:00:00.000Z', '2025-03-29T21:00:00.000Z', '2025-04-05T20:00:00.000Z']);
    const o = harness({ start: at('2025-10-20T00:00:00Z') });
    await o.advanceTo(at('2025-11-03T00:00:00Z'));
    expect(postsOf(o, 's0-weekly').map((m) => iso(m.firedAt))).toEqual(['2025-10-25T20:00:00.000Z', '2025-11-01T21:00:00.000Z']);
    for (const m of [...postsOf(h, 's0-weekly'), ...postsOf(o, 's0-weekly')]) expect(local(m.firedAt, STOCKHOLM)).toMatch(/ 22:00$/);
  });

  it('S0-19 the heartbeat posts every 30 minutes through the October fall-back, shown in Stockholm time', async () => {
    const h = harness({ start: at('2025-10-25T23:50:00Z') });
    await h.advanceTo(at('2025-10-26T03:10:00Z'));
    const beats = postsOf(h, 's0-heartbeat');
    expect(beats.length).toBe(7);
    for (let i = 1; i < beats.length; i++) expect(beats[i]!.firedAt - beats[i - 1]!.firedAt).toBe(30 * 60_000);
    // 02:00 and 02:30 local happen twice that night; both hours are posted.
    expect(beats.map((m) => m.text.split('\n')[0])).toEqual(['02:00', '02:30', '02:00', '02:30', '03:00', '03:30', '04:00'].map((t) => `💓 HEARTBEAT 2025-10-26 ${t} (Europe/Stockholm)`));
    expect(beats.map((m) => localTime(m.firedAt, STOCKHOLM).label)).toEqual(['CEST', 'CEST', 'CET', 'CET', 'CET', 'CET', 'CET']);
    expect(beats[0]!).toMatchObject({ template: 'HEARTBEAT', channels: ['telegram'] });
    expect(beats[0]!.text).toContain('Trading: ON');
  });

  it('S2-18 X-RPT-1 posts 08:00 New York time on each side of the March and November changes', async () => {
    for (const [from, expected, shown] of [
      ['2025-03-07T00:00:00Z', ['2025-03-07T13:00:00.000Z', '2025-03-08T13:00:00.000Z', '2025-03-09T12:00:00.000Z', '2025-03-10T12:00:00.000Z'], '📊 DAILY REPORT 2025-03-08 (America/New_York)'],
      ['2025-10-31T00:00:00Z', ['2025-10-31T12:00:00.000Z', '2025-11-01T12:00:00.000Z', '2025-11-02T13:00:00.000Z', '2025-11-03T13:00:00.000Z'], '📊 DAILY REPORT 2025-11-01 (America/New_York)'],
    ] as const) {
      const h = harness({ start: at(from), profile: 's2-us-stock', entries: [NY_DAILY] });
      await h.advanceTo(at(from) + 4 * DAY);
      const posts = postsOf(h, 'ny-daily');
      expect(posts.map((m) => iso(m.firedAt))).toEqual(expected);
      for (const m of posts) expect(local(m.firedAt, NEW_YORK)).toMatch(/ 08:00$/);
      expect(posts[2]!.text.split('\n')[0]).toBe(shown);
    }
  });

  it('S2-18 the S2 profile\'s session windows open at 09:30 ET on weekdays across the changes, with ET and PT shown', async () => {
    const h = harness({ start: at('2025-03-07T00:00:00Z'), profile: 's2-us-stock' });
    await h.advanceTo(at('2025-03-11T00:00:00Z'));
    const opens = postsOf(h, 's2-open');
    expect(opens.map((m) => iso(m.firedAt))).toEqual(['2025-03-07T14:30:00.000Z', '2025-03-10T13:30:00.000Z']);
    expect(opens.map((m) => m.text.split('\n').slice(0, 2).join(' | '))).toEqual([
      'Session open: opening range breakout 09:30-10:20 ET | 2025-03-07 09:30 ET / 06:30 PT',
      'Session open: opening range breakout 09:30-10:20 ET | 2025-03-10 09:30 ET / 06:30 PT',
    ]);
    // The daily after the close covers the session day that began after the previous close (Friday's for Monday).
    expect(postsOf(h, 's2-daily').map((m) => m.text.split('\n')[0])).toEqual(['📊 DAILY REPORT 2025-03-06 (America/New_York)', '📊 DAILY REPORT 2025-03-07 (America/New_York)']);
    const n = harness({ start: at('2025-10-31T00:00:00Z'), profile: 's2-us-stock' });
    await n.advanceTo(at('2025-11-04T00:00:00Z'));
    expect(postsOf(n, 's2-open').map((m) => iso(m.firedAt))).toEqual(['2025-10-31T13:30:00.000Z', '2025-11-03T14:30:00.000Z']);
    expect(postsOf(n, 's2-close').map((m) => m.text.split('\n')[1])).toEqual(['2025-10-31 16:00 ET / 13:00 PT', '2025-11-03 16:00 ET / 13:00 PT']);
  });
});

describe('one post per period across restarts', () => {
  // Each scheduled instant right at a DST change: Stockholm 08:00 on both change days, New York 08:00 on both.
  const cases = [
    { name: 'Stockholm, last Sunday of March', fire: '2025-03-30T06:00:00Z', profile: 's0-bybit-signal', entries: undefined, id: 's0-daily' },
    { name: 'Stockholm, last Sunday of October', fire: '2025-10-26T07:00:00Z', profile: 's0-bybit-signal', entries: undefined, id: 's0-daily' },
    { name: 'New York, second Sunday of March', fire: '2025-03-09T12:00:00Z', profile: 's2-us-stock', entries: [NY_DAILY], id: 'ny-daily' },
    { name: 'New York, first Sunday of November', fire: '2025-11-02T13:00:00Z', profile: 's2-us-stock', entries: [NY_DAILY], id: 'ny-daily' },
  ] as const;

  for (const c of cases) {
    it(`X-RPT-1 S0-19 S2-18 ${c.name}: restarts after the post, at its instant and before it each leave exactly one post per period`, async () => {
      const fire = at(c.fire);
      const counts = (h: ScheduleHarness): Map<string, number> => {
        const m = new Map<string, number>();
        for (const p of postsOf(h, c.id)) m.set(p.period, (m.get(p.period) ?? 0) + 1);
        return m;
      };
      // (a) posted at 08:00, torn down and rebuilt 20 s later, within the same minute.
      const a = harness({ start: fire - DAY - HOUR, profile: c.profile, entries: c.entries });
      await a.advanceTo(fire + 20_000);
      await a.restart();
      await a.advanceTo(fire + DAY + HOUR);
      // (b) rebuilt at the very instant of the fire, right after the timer ran.
      const b = harness({ start: fire - HOUR, profile: c.profile, entries: c.entries });
      await b.advanceTo(fire);
      await b.restart();
      await b.advanceTo(fire + DAY + HOUR);
      // (c) torn down a second before the fire, rebuilt at the scheduled minute: the catch-up posts it, once.
      const cc = harness({ start: fire - HOUR, profile: c.profile, entries: c.entries });
      await cc.advanceTo(fire - 1_000);
      await cc.handle.stop();
      cc.clock.advanceTo(fire + 30_000);
      await cc.restart();
      await cc.restart();
      await cc.advanceTo(fire + DAY + HOUR);

      for (const h of [a, b, cc]) {
        const perPeriod = counts(h);
        expect([...perPeriod.values()].every((n) => n === 1), JSON.stringify([...perPeriod])).toBe(true);
        expect(perPeriod.get(iso(fire))).toBe(1);
        expect(postsOf(h, c.id).at(-1)!.firedAt).toBeGreaterThan(fire + 22 * HOUR);
      }
      expect(postsOf(a, c.id).find((p) => p.firedAt === fire)!.catchUp).toBe(false);
      expect(postsOf(cc, c.id).find((p) => p.firedAt === fire)).toMatchObject({ catchUp: true, receivedAt: fire + 30_000 });
      // The restarts that found the marker said so; the marker is journaled (KV_SET) with the period's dedupe key.
      expect(a.logged('schedule_already_sent').some((r) => r['period'] === iso(fire))).toBe(true);
      const markers = [...a.journal.readEvents({ type: 'KV_SET' })].map((e) => e.payload as { key: string; value: { period: string; key: string } }).filter((p) => p.key === sentMarkerKey(c.id));
      expect(markers.map((m) => m.value.period)).toContain(iso(fire));
      expect(markers.find((m) => m.value.period === iso(fire))!.value.key).toBe(`schedule:${c.id}:${iso(fire)}`);
    });
  }

  it('X-RPT-1 at start a period missed within the grace window is posted once; an older one is skipped and logged', async () => {
    const fire = at('2025-03-30T06:00:00Z');
    const within = harness({ start: fire + 9 * 60_000 });
    await within.handle.idle();
    expect(postsOf(within, 's0-daily').map((m) => [iso(m.firedAt), m.catchUp, m.receivedAt])).toEqual([[iso(fire), true, fire + 9 * 60_000]]);
    const late = harness({ start: fire + 11 * 60_000 });
    await late.handle.idle();
    expect(postsOf(late, 's0-daily')).toEqual([]);
    expect(late.logged('schedule_period_skipped').find((r) => r['schedule'] === 's0-daily')).toMatchObject({ period: iso(fire), lateMs: 11 * 60_000, graceMs: 600_000 });
    // The next period is still armed, on time.
    expect(late.handle.nextFires().get('s0-daily')).toBe(fire + DAY);
  });

  it('X-RPT-1 a post the outbox refuses leaves no marker; the next start within the grace window posts it with the same dedupe key', async () => {
    const fire = at('2025-10-26T07:00:00Z');
    let refusals = 0;
    const h = harness({ start: fire - 60_000, refuse: (m) => m.scheduleId === 's0-daily' && refusals++ === 0 });
    await h.advanceTo(fire + 60_000);
    expect(postsOf(h, 's0-daily')).toEqual([]);
    expect(h.logged('schedule_send_failed')[0]).toMatchObject({ schedule: 's0-daily', period: iso(fire), error: `outbox full: schedule:s0-daily:${iso(fire)}` });
    expect(h.journal.kvGet(sentMarkerKey('s0-daily'))).toBeUndefined();
    await h.restart();
    expect(postsOf(h, 's0-daily').map((m) => [m.key, m.catchUp])).toEqual([[`schedule:s0-daily:${iso(fire)}`, true]]);
    expect(h.journal.kvGet(sentMarkerKey('s0-daily'))).toMatchObject({ firedAt: fire, period: iso(fire) });
  });
});
