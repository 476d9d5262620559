/**
 * What the scheduled reports say (S0-19, S2-18) and how bad schedule config is refused (X-RPT-1): golden texts of the
 * daily and weekly reports over trades journaled in and out of their periods (a 23-hour DST day included), of the
 * heartbeat and of a session window; trades of several accounts' journals add up; a bad cron expression, zone or a
 * duplicate id is a readable config error; an invalid entry that bypassed decoding is logged and skipped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeConfig } from '../../../src/config/load.ts';
import { AppConfig, decodeDefaults } from '../../../src/config/schema.ts';
import { openJournal, type Journal } from '../../../src/journal/Journal.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { createLogger } from '../../../src/kernel/logger.ts';
import { virtualScheduler } from '../../../src/kernel/Scheduler.ts';
import { compileCron, ScheduleError } from '../../../src/notify/schedule/cron.ts';
import { periodStats } from '../../../src/notify/schedule/periodStats.ts';
import { profileSchedules, schedulesOf } from '../../../src/notify/schedule/profileSchedules.ts';
import { renderReport } from '../../../src/notify/schedule/reportText.ts';
import { startSchedules } from '../../../src/notify/schedule/startSchedules.ts';
import { opsSourceOf, sampleStatus } from '../../support/statusViews.ts';
import { at, postsOf, scheduleHarness, type ScheduleHarness } from './scheduleFixture.ts';

let open: ScheduleHarness[] = [];
afterEach(async () => {
  for (const h of open) await h.close();
  open = [];
});

const closeTrade = (journal: Journal, symbol: string, realizedPnl: string, fees: string): void => {
  journal.append(`trade:bybit:${symbol}`, 'TRADE_CLOSED', {
    type: 'position.closed', symbol, intentId: `tw-${symbol}-${String(journal.lastSeq())}`, side: 'buy', quantity: '1', entryPrice: '100', averageEntryPrice: '100',
    averageExitPrice: '101', realizedPnl, fees, reason: 'takeProfit',
  });
};

describe('report contents', () => {
  it('S0-19 S0-9 the daily and weekly reports count the trades of their own period: count, win rate, PnL, fees, the highest pyramid step reached, top symbols', async () => {
    const h = scheduleHarness({ start: at('2025-03-27T00:00:00Z') });
    open.push(h);
    const trade = async (iso: string, symbol: string, pnl: string, fees: string): Promise<void> => {
      await h.advanceTo(at(iso));
      closeTrade(h.journal, symbol, pnl, fees);
    };
    // S0-9 ladder steps journaled by the trade actors: a Step 7 in the week only, a Step 5 on the day, a blocked Step 6.
    const ladder = async (iso: string, step: number, result: 'done' | 'blocked'): Promise<void> => {
      await h.advanceTo(at(iso));
      h.journal.append('ladder:BTCUSDT', 'LADDER_STEP', { symbol: 'BTCUSDT', intentId: `i-${iso}`, step, result, oep: '100', quantity: '1', leverage: '50', ...(result === 'blocked' ? { reason: 'add-on rejected (110007)' } : {}) });
    };
    await ladder('2025-03-28T11:00:00Z', 7, 'done');
    await trade('2025-03-28T12:00:00Z', 'BTCUSDT', '5', '0.1'); // the week only
    await ladder('2025-03-29T09:00:00Z', 5, 'done');
    await ladder('2025-03-29T09:30:00Z', 6, 'blocked');
    await trade('2025-03-29T10:00:00Z', 'ETHUSDT', '-2.5', '0.2'); // both
    await trade('2025-03-29T20:00:00Z', 'BTCUSDT', '1.25', '0.05'); // both
    await trade('2025-03-30T01:00:00Z', 'ADAUSDT', '0.5', '0.01'); // the day only (after Saturday 22:00)
    await h.advanceTo(at('2025-03-30T07:00:00Z'));
    // The day of the spring-forward change is 23 hours long: 08:00 CET to 08:00 CEST; it is dated by the day it began.
    expect(postsOf(h, 's0-daily').at(-1)!.text).toBe([
      '📊 DAILY REPORT 2025-03-29 (Europe/Stockholm)',
      'Trades: 3',
      'Wins: 2 · Losses: 1',
      'Win rate: 66.67 %',
      'PnL: -0.75 USDT',
      'Fees: 0.26 USDT',
      'Re-entries: 0',
      'Hedges: 0',
      'Pyramid: Step 5',
    ].join('\n'));
    expect(postsOf(h, 's0-weekly').at(-1)!.text).toBe([
      '📅 WEEKLY REPORT 2025-03-22 – 2025-03-29 (Europe/Stockholm)',
      'Trades: 3',
      'Wins: 2 · Losses: 1',
      'Win rate: 66.67 %',
      'PnL: +3.75 USDT',
      'Fees: 0.35 USDT',
      'Re-entries: 0',
      'Hedges: 0',
      'Pyramid: Step 7',
      'Top symbols:',
      '1. #BTCUSDT +6.25 USDT (2 trades)',
      '2. #ETHUSDT -2.50 USDT (1 trade)',
    ].join('\n'));
    expect(postsOf(h, 's0-weekly').at(-1)!.template).toBe('WEEKLY_REPORT');
    expect(h.logged('schedule_sent').find((r) => r['schedule'] === 's0-daily' && r['period'] === '2025-03-30T06:00:00.000Z')).toMatchObject({ report: 'daily', catchUp: false, trades: 3 });
  });

  it('S0-19 S2-18 a period without trades says so; the heartbeat and a session window read the StatusView (ET and PT)', () => {
    const status = sampleStatus({ trading: { on: false, reasons: ['main: kill_switch (operator)', 'main: gate_closed', 'main: broker_desync', 'main: dependency_down venue_ws'] } });
    const fired = at('2025-03-10T13:30:00Z');
    const base = { label: undefined, firedAt: fired, status, settleAsset: 'USDT', uptimeMs: 90 * 60_000 };
    const text = (r: ReturnType<typeof renderReport>): string => (Either.isRight(r) ? r.right.text : r.left.message);
    expect(text(renderReport({ ...base, kind: 'daily', zones: ['UTC'], period: periodStats([], fired - 86_400_000, fired) })).split('\n').slice(0, 4)).toEqual([
      '📊 DAILY REPORT 2025-03-09 (UTC)', 'Trades: 0', 'Wins: 0 · Losses: 0', 'Win rate: n/a',
    ]);
    expect(text(renderReport({ ...base, kind: 'heartbeat', zones: ['Europe/Stockholm'], period: undefined }))).toBe([
      '💓 HEARTBEAT 2025-03-10 14:30 (Europe/Stockholm)',
      'Trading: OFF (main: kill_switch (operator); main: gate_closed; main: broker_desync; main: dependency_down venue_ws)',
      'Open positions: 1',
      'Working orders: 1',
      'Equity: 100012.50 USDT',
      'Uptime: 1 h 30 min',
    ].join('\n'));
    const window = renderReport({ ...base, kind: 'session_window', label: 'VWAP mean reversion 10:30-14:30 ET', firedAt: at('2025-03-10T14:30:00Z'), zones: ['America/New_York', 'America/Los_Angeles'], status: sampleStatus(), period: undefined });
    expect(Either.isRight(window) && window.right.template).toBe('SESSION_WINDOW');
    expect(text(window)).toBe([
      'VWAP mean reversion 10:30-14:30 ET',
      '2025-03-10 10:30 ET / 07:30 PT',
      'Trading: ON',
      'Open positions: #BTCUSDT long 0.012',
      'Today: +12.5, realized PnL +12.5',
    ].join('\n'));
  });

  it('S0-19 the trades of every account\'s journal add up in one report', () => {
    const clock = new VirtualClock(at('2025-06-01T00:00:00Z'));
    const dir = mkdtempSync(join(tmpdir(), 'tw-period-'));
    const a = openJournal({ path: join(dir, 'a.sqlite'), clock, durability: 'scratch' });
    const b = openJournal({ path: join(dir, 'b.sqlite'), clock, durability: 'scratch' });
    try {
      closeTrade(a, 'BTCUSDT', '0.1', '0.01');
      closeTrade(b, 'BTCUSDT', '0.2', '0.02');
      closeTrade(b, 'SOLUSDT', '-0.05', '0.01');
      const p = periodStats([a, b], clock.now(), clock.now() + 1);
      expect([p.trades, p.wins, p.losses, p.pnl.toString(), p.fees.toString(), p.winRate?.toDecimalPlaces(4).toString()]).toEqual([3, 2, 1, '0.25', '0.04', '0.6667']);
      expect(p.symbols.map((s) => `${s.symbol} ${s.pnl.toString()} ${String(s.trades)}`)).toEqual(['BTCUSDT 0.3 2', 'SOLUSDT -0.05 1']);
      expect(periodStats([a, b], clock.now() + 1, clock.now() + 2).trades).toBe(0);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('schedule configuration', () => {
  const decode = (schedules: unknown) => decodeConfig('test.yaml', { profile: 's0-bybit-signal', schedules });
  const problems = (schedules: unknown): string => {
    const r = decode(schedules);
    return Either.isLeft(r) ? r.left.message : 'decoded';
  };

  it('X-RPT-1 S0-19 S2-18 entries: null takes the profile\'s defaults; [] runs none; given entries replace them', () => {
    const r = decode(undefined);
    if (Either.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.config.schedules).toEqual({ graceMs: 600_000, entries: null });
    expect(schedulesOf(r.right.config).map((e) => `${e.id} ${e.cron} ${e.timezone} ${e.report}`)).toEqual([
      's0-daily 0 8 * * * Europe/Stockholm daily', 's0-weekly 0 22 * * 6 Europe/Stockholm weekly', 's0-heartbeat */30 * * * * UTC heartbeat',
    ]);
    expect(profileSchedules('s2-us-stock').every((e) => e.timezone === 'America/New_York' && JSON.stringify(e.displayZones) === '["America/New_York","America/Los_Angeles"]')).toBe(true);
    expect(profileSchedules('demo')).toEqual([]);
    expect(schedulesOf({ profile: 's0-bybit-signal', schedules: { entries: [] } })).toEqual([]);
    const own = decode({ entries: [{ id: 'mine', cron: '15 7 * * 1-5', timezone: 'Asia/Tokyo', report: 'daily' }] });
    if (Either.isLeft(own)) throw new Error(own.left.message);
    expect(schedulesOf(own.right.config)).toEqual([{ id: 'mine', cron: '15 7 * * 1-5', timezone: 'Asia/Tokyo', report: 'daily', channels: ['telegram'] }]);
  });

  it('X-RPT-1 a bad cron expression, an unknown zone, a six-field expression or a duplicate id is a readable config error', () => {
    const one = (e: Record<string, unknown>) => ({ entries: [{ id: 'x', cron: '0 8 * * *', timezone: 'Europe/Stockholm', report: 'daily', ...e }] });
    expect(problems(one({ cron: '61 8 * * *' }))).toMatch(/schedules\.entries\.0.*bad cron expression "61 8 \* \* \*": Invalid value for minute: 61/s);
    expect(problems(one({ cron: '0 8 * * * *' }))).toMatch(/requires exactly 5 parts/);
    expect(problems(one({ timezone: 'Mars/Olympus' }))).toMatch(/schedules\.entries\.0\.timezone.*unknown time zone "Mars\/Olympus"/s);
    expect(problems(one({ report: 'monthly' }))).toMatch(/schedules\.entries\.0\.report/);
    expect(problems({ entries: [one({}).entries[0], one({}).entries[0]] })).toMatch(/schedule id x is used twice/);
    expect(problems({ graceMs: -1 })).toMatch(/schedules\.graceMs/);
  });

  it('X-RPT-1 compiling gives a typed error; an entry that bypassed decoding is logged and skipped while the others run', async () => {
    const bad = compileCron('b', 'every day', 'UTC');
    expect(bad).toBeInstanceOf(ScheduleError);
    expect((bad as ScheduleError).message).toMatch(/^schedule b: bad cron expression "every day": /);
    expect((compileCron('z', '0 8 * * *', 'Nowhere/Land') as ScheduleError).reason).toEqual({ _tag: 'BadTimeZone', zone: 'Nowhere/Land' });
    const clock = new VirtualClock(at('2025-01-01T07:59:00Z'));
    const journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-badsched-')), 'j.sqlite'), clock, durability: 'scratch' });
    const logs: string[] = [];
    const sent: string[] = [];
    const handle = startSchedules({
      config: { profile: 'demo', venues: decodeDefaults(AppConfig).venues, schedules: { graceMs: 0, entries: [
        { id: 'bad', cron: '0 25 * * *', timezone: 'UTC', report: 'daily', channels: ['log'] },
        { id: 'never', cron: '0 0 30 2 *', timezone: 'UTC', report: 'daily', channels: ['log'] },
        { id: 'good', cron: '0 8 * * *', timezone: 'UTC', report: 'heartbeat', channels: ['log'] },
      ] } },
      source: opsSourceOf(() => sampleStatus()), journal, scheduler: virtualScheduler(clock), clock, send: (m) => void sent.push(m.scheduleId),
      logger: createLogger({ level: 'info', clock, targets: { memory: logs } }),
    });
    clock.advanceTo(at('2025-01-01T08:00:00Z'));
    await handle.stop();
    journal.close();
    const events = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.find((e) => e['event'] === 'schedule_invalid')).toMatchObject({ schedule: 'bad', problem: expect.stringMatching(/Invalid value for hour: 25/) as unknown });
    expect(events.find((e) => e['event'] === 'schedule_never_fires')).toMatchObject({ schedule: 'never' });
    expect(sent).toEqual(['good']);
  });
});
