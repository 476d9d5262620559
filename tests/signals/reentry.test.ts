/**
 * Re-entry of followed signals (S0-14, S0-8): a signal goes through the real intake `act`, DecisionLoop, RiskEngine,
 * VenueRuntime, trade actor and ExecutionEngine over the in-process simulator on the virtual clock, on a real SQLite
 * journal. Its entry fills at the market and its stop loss closes it in the bundled 2022-12-13 bars. The re-entries are
 * then proposed by the ReEntryWatch on the session's scheduler; the venue wrapper below either passes every order on
 * as it is, moves an entry's limit far from the market on the passive side (it rests at the simulator and never fills:
 * the "simulator leaves re-entries unfilled" of S0-14's acceptance), or lets a re-entry take (it fills at once).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import type { AlertInput, AlertPort } from '../../src/alerts/AlertRouter.ts';
import { staleEntryMsOf, watchedSignalAct } from '../../src/app/signalIntake.ts';
import { decodeConfig, loadConfigFile } from '../../src/config/load.ts';
import type { StaleEntrySection } from '../../src/config/signalsSection.ts';
import { dec } from '../../src/domain/money.ts';
import { roundPriceForSide } from '../../src/domain/rounding.ts';
import type { JournalEntry } from '../../src/journal/Journal.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { ReEntryWatch, reentryDueAt, reentrySchedule, type ReEntrySettings } from '../../src/signals/intake/ReEntryWatch.ts';
import { SignalInbox } from '../../src/signals/intake/SignalInbox.ts';
import { StaleEntryWatch } from '../../src/signals/intake/StaleEntryWatch.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimVenue } from '../../src/venues/sim/SimVenue.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { makeHarness, startedLoop, type Harness } from '../runtime/harness.ts';

const MIN = 60_000;
const SETTINGS: ReEntrySettings = { maxTries: 3, baseDelayMs: MIN, tryTtlMs: 15 * MIN };
const PRESETS: StaleEntrySection = { SWING: '6d', DYNAMIC: '24h', FIXED: '24h' };
const INSTRUMENTS = new Map((['BTCUSDT', 'ADAUSDT'] as const).map((s) => [s as string, bybitLinearInstrument(s)]));

/** How the venue wrapper treats entries (limits that are not reduce-only): as sent, far away (rest), or taking. */
type Route = { mode: 'pass' | 'far' | 'take' };

/** The venue as the test routes it (see the file comment). */
const routed = (v: SimVenue, route: Route): SimVenue => ({
  ...v,
  placeOrder: (r) => {
    if (route.mode === 'pass' || r.reduceOnly || r.type !== 'limit' || r.price === undefined) return v.placeOrder(r);
    const moved = (by: string) => roundPriceForSide(r.price!.times(by), INSTRUMENTS.get(r.symbol)!.tickSize, r.side, 'passive');
    if (route.mode === 'take') return v.placeOrder({ ...r, timeInForce: 'gtc', price: moved(r.side === 'buy' ? '1.002' : '0.998') });
    return v.placeOrder({ ...r, price: moved(r.side === 'buy' ? '0.5' : '1.5') });
  },
});

/**
 * The runtime harness (tests/runtime/harness.ts) with the S0 profile's cooldowns: the RiskEngine's after a stop
 * (`afterStopMs`) and the actor's after a cycle (30 s) end before the first re-entry is due, as in
 * config/profiles/s0-bybit-signal.yaml; the venue routed as the test says (see the file comment).
 */
const makeReentryHarness = (afterStopMs = 30_000): Harness & { readonly route: Route } => {
  const route: Route = { mode: 'pass' };
  const hx = makeHarness({
    bars: 180, dir: mkdtempSync(join(tmpdir(), 'tw-reentry-')), venue: (v) => routed(v, route),
    settings: { cooldownMs: 30_000 }, riskCooldowns: { afterStopMs },
  });
  return { ...hx, route };
};

type H = ReturnType<typeof makeReentryHarness>;
type Payload = Record<string, unknown>;

/** Alerts as the router would receive them (the alert router itself is not under test here). */
const recordingAlerts = () => {
  const raised: AlertInput[] = [];
  const resolved: string[] = [];
  const port: AlertPort = { raise: (a) => void raised.push(a), resolve: (k) => void resolved.push(k) };
  return { port, raised, resolved };
};

/** Starts the runtime, its loop and the intake's inbox with its stale-entry and re-entry watches. */
const follow = async (hx: H, secondLegOffset?: number) => {
  const loop = await startedLoop(hx, []);
  const logger = createLogger({ level: 'debug', clock: hx.clock, targets: { memory: hx.logLines } });
  const alerts = recordingAlerts();
  const scheduler = virtualScheduler(hx.clock);
  const newWatch = (): ReEntryWatch => new ReEntryWatch({ port: hx.runtime, loop, scheduler, journal: hx.journal, logger, alerts: alerts.port, settings: SETTINGS, secondLegOffset });
  const reentry = newWatch();
  const stale = new StaleEntryWatch({ port: hx.runtime, scheduler, journal: hx.journal, logger });
  const inbox = new SignalInbox({
    journal: hx.journal, clock: hx.clock, logger, parse: { instrument: (s) => INSTRUMENTS.get(s) },
    act: watchedSignalAct(loop, stale, PRESETS, reentry), staleEntryMs: staleEntryMsOf(PRESETS), notionalFraction: 0.01, maxAgeMs: 60_000, missingSources: [],
  });
  let id = 0;
  return {
    loop, reentry, alerts, newWatch,
    signal: async (text: string) => {
      id += 1;
      const outcome = inbox.receive({ source: 'CRYPTORAKETEN', via: 'replay', messageId: `m${String(id)}`, text, postedAt: hx.clock.now() });
      await hx.runtime.idle();
      return outcome;
    },
  };
};

/**
 * One second of venue and session time at a time (timers run at their own times), letting the runtime settle. Every
 * 30 s the account is refreshed, as the session's decision cycle does (the RiskEngine vetoes on an account snapshot
 * older than `risk.staleness.accountMaxAgeMs`).
 */
const step = async (hx: H): Promise<void> => {
  const t = hx.clock.now() + 1_000;
  hx.clock.advanceTo(t);
  hx.exchange.advanceTo(t);
  if (t % 30_000 === 0) await hx.runtime.beforeCycle();
  await hx.runtime.idle();
};
const runTo = async (hx: H, t: number): Promise<void> => {
  while (hx.clock.now() < t) await step(hx);
};
const runUntil = async (hx: H, done: () => boolean, withinMs: number): Promise<void> => {
  const limit = hx.clock.now() + withinMs;
  while (!done() && hx.clock.now() < limit) await step(hx);
  expect(done()).toBe(true);
};

const entries = (hx: H, type: string): JournalEntry[] => [...hx.journal.readEvents({ type })];
const events = (hx: H, type: string): Payload[] => entries(hx, type).map((e) => e.payload as Payload);
const logged = (hx: H, msg: string): Payload[] => hx.logLines.map((l) => JSON.parse(l) as Payload).filter((l) => l['msg'] === msg);
const decisionOf = (hx: H, decisionId: string): Payload => events(hx, 'RISK_DECISION').find((d) => d['decisionId'] === decisionId)!;

// 00:01 on the bundled bars BTCUSDT trades near 17212 and falls to 17189 by 00:05: the long's tight stop is hit.
const LONG = '#BTCUSDT LONG DYNAMIC\nEntry: 17210\nTP1: 17400\nSL: 17195\nLeverage: x8.25';
const SHORT = '#BTCUSDT SHORT DYNAMIC\nEntry: 17210\nTP1: 17195\nSL: 17400\nLeverage: x8.25';
// 01:03 BTCUSDT near 17140, back up to 17149 by 01:13: the short's tight stop is hit.
const SHORT_LATER = '#BTCUSDT SHORT DYNAMIC\nEntry: 17140\nTP1: 17000\nSL: 17147\nLeverage: x8.25';

/** Follows a signal until its stop loss closes it; returns the signal's decision and the TRADE_CLOSED entry. */
const stoppedOut = async (hx: H, f: Awaited<ReturnType<typeof follow>>, text = LONG) => {
  expect(await f.signal(text)).toBe('accepted');
  const decisionId = String(events(hx, 'SIGNAL_HANDLED').at(-1)!['decisionId']);
  const closedOf = () => entries(hx, 'TRADE_CLOSED').find((e) => (e.payload as Payload)['intentId'] === decisionId);
  await runUntil(hx, () => closedOf() !== undefined, 30 * MIN);
  const closed = closedOf()!;
  expect((closed.payload as Payload)['reason']).toBe('stopLoss');
  return { decisionId, closed, oep: String((closed.payload as Payload)['entryPrice']), stoppedAt: closed.ts };
};

const stop = async (hx: H): Promise<void> => {
  await hx.runtime.stop('test');
  hx.journal.close();
};

describe('the re-entry schedule (S0-14)', () => {
  it('S0-14 try n is due baseDelayMs × 2^(n−1) after the stop-out or the end of the previous try', () => {
    expect([1, 2, 3].map((n) => reentryDueAt(n, 1_000, MIN))).toEqual([61_000, 121_000, 241_000]);
    expect(reentrySchedule(0, SETTINGS)).toEqual([
      { try: 1, dueAt: 60_000, deadline: 960_000 },
      { try: 2, dueAt: 1_080_000, deadline: 1_980_000 },
      { try: 3, dueAt: 2_220_000, deadline: 3_120_000 },
    ]);
    expect(reentrySchedule(5, { maxTries: 1, baseDelayMs: 2_000, tryTtlMs: 1_000 })).toEqual([{ try: 1, dueAt: 2_005, deadline: 3_005 }]);
  });

  it('S0-14 signals.reentry defaults to off with 3 tries, 60 s, 15 min; the S0 profile turns it on; a bad value names its key', () => {
    const d = decodeConfig('x', {});
    expect(Either.isRight(d) && d.right.config.signals.reentry).toEqual({ enabled: false, maxTries: 3, baseDelayMs: 60_000, tryTtlMs: 900_000 });
    const profile = loadConfigFile('config/profiles/s0-bybit-signal.yaml');
    expect(Either.isRight(profile) && profile.right.config.signals.reentry.enabled).toBe(true);
    // The profile's cooldowns end before the first try is due, or the RiskEngine would veto every try.
    if (Either.isRight(profile)) {
      const c = profile.right.config;
      expect(Math.max(c.risk.cooldowns.afterStopMs, c.execution.reentryCooldownMs)).toBeLessThan(c.signals.reentry.baseDelayMs);
    }
    const bad = decodeConfig('x', { signals: { reentry: { maxTries: 0 } } });
    expect(Either.isLeft(bad) && bad.left.message).toMatch(/signals\.reentry\.maxTries: .*integer in \[1, 10\].*0/);
  });
});

describe('re-entry of a stopped-out signal (S0-14, S0-8)', () => {
  it('S0-14 S0-8 three post-only tries at the OEP at growing delays, each left unfilled and withdrawn, then paused_until_signal; a new signal resumes', async () => {
    const hx = makeReentryHarness();
    try {
      const f = await follow(hx);
      const s = await stoppedOut(hx, f);
      hx.route.mode = 'far';
      expect(f.reentry.stateOf('BTCUSDT')).toBe('reentering');
      const plan = reentrySchedule(s.stoppedAt, SETTINGS);
      await runTo(hx, plan[2]!.deadline + 5 * MIN);

      // Exactly three tries, each journaled at its due time: 60 s after the stop-out, then 120 s and 240 s after the
      // previous try was withdrawn.
      const tries = entries(hx, 'SIGNAL_REENTRY_TRY');
      expect(tries.map((e) => e.payload)).toEqual(plan.map((p): unknown => expect.objectContaining({ signalDecisionId: s.decisionId, symbol: 'BTCUSDT', try: p.try, dueAt: p.dueAt, oep: s.oep })));
      expect(tries.map((e) => e.ts)).toEqual(plan.map((p) => p.dueAt));
      expect([plan[0]!.dueAt - s.stoppedAt, plan[1]!.dueAt - plan[0]!.deadline, plan[2]!.dueAt - plan[1]!.deadline]).toEqual([MIN, 2 * MIN, 4 * MIN]);
      const results = events(hx, 'SIGNAL_REENTRY_RESULT');
      expect(results.map((r) => [r['try'], r['result'], r['at']])).toEqual(plan.flatMap((p) => [[p.try, 'sent', p.dueAt], [p.try, 'withdrawn', p.deadline]]));

      // S0-8: every try is a post-only limit at the signal's OEP (the first fill of its first trade), never a later price.
      const tryDecisions = results.filter((r) => r['result'] === 'sent').map((r) => String(r['decisionId']));
      expect(new Set(tryDecisions).size).toBe(3);
      for (const decisionId of tryDecisions) {
        const order = decisionOf(hx, decisionId)['order'] as Payload;
        expect([order['limitPrice'], order['timeInForce'], order['side'], order['strategyId']]).toEqual([s.oep, 'post_only', 'buy', 'signals']);
        const request = events(hx, 'ORDER_REQUESTED').find((r) => r['intentId'] === decisionId)!;
        expect([request['price'], request['timeInForce'], request['role']]).toEqual([s.oep, 'post_only', 'entry']);
        // Withdrawn at the simulator through the actor's cancel.
        expect(hx.exchange.getOrder('main', 'BTCUSDT', { clientOrderId: String(request['clientOrderId']) })?.status).toBe('cancelled');
      }
      // The signal's own TP/SL fractions, as its first trade had them.
      const first = decisionOf(hx, s.decisionId)['order'] as Payload;
      for (const decisionId of tryDecisions) {
        const order = decisionOf(hx, decisionId)['order'] as Payload;
        expect([order['stopLossFraction'], order['takeProfitFraction'], order['leverage']]).toEqual([first['stopLossFraction'], first['takeProfitFraction'], first['leverage']]);
      }
      expect(hx.exchange.openOrders('main', 'BTCUSDT')).toEqual([]);
      expect(hx.exchange.positions('main', 'BTCUSDT').every((p) => p.size.isZero())).toBe(true);
      expect(lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot())).toBe('idle');

      // Paused until a new signal: journaled once, logged WARN, alerted WARN; nothing more is proposed.
      expect(events(hx, 'SIGNAL_REENTRY_PAUSED')).toEqual([{ symbol: 'BTCUSDT', signalDecisionId: s.decisionId, tries: 3, state: 'paused_until_signal' }]);
      expect(entries(hx, 'SIGNAL_REENTRY_PAUSED')[0]!.ts).toBe(plan[2]!.deadline);
      expect(f.reentry.stateOf('BTCUSDT')).toBe('paused_until_signal');
      expect(logged(hx, 'paused_until_signal')).toEqual([expect.objectContaining({ level: 40, symbol: 'BTCUSDT', tries: 3, oep: s.oep })]);
      expect(f.alerts.raised).toEqual([expect.objectContaining({ key: 'reentry_paused:BTCUSDT', severity: 'WARN' })]);
      expect(f.reentry.size()).toBe(0);

      // A new signal for the symbol clears the pause, and its own stop-out is re-entered again.
      hx.route.mode = 'pass';
      const again = await stoppedOut(hx, f, SHORT_LATER);
      expect(f.alerts.resolved).toEqual(['reentry_paused:BTCUSDT']);
      expect(logged(hx, 'reentry_pause_cleared')).toHaveLength(1);
      hx.route.mode = 'far';
      expect(f.reentry.stateOf('BTCUSDT')).toBe('reentering');
      await runTo(hx, again.stoppedAt + MIN + 5_000);
      const resumed = events(hx, 'SIGNAL_REENTRY_TRY').filter((t) => t['signalDecisionId'] === again.decisionId);
      expect(resumed).toEqual([expect.objectContaining({ try: 1, dueAt: again.stoppedAt + MIN, oep: again.oep })]);
      expect(events(hx, 'SIGNAL_REENTRY_RESULT').at(-1)).toEqual(expect.objectContaining({ signalDecisionId: again.decisionId, try: 1, result: 'sent' }));
      expect(hx.exchange.openOrders('main', 'BTCUSDT')).toHaveLength(1);
    } finally {
      await stop(hx);
    }
  });

  it('S0-14 S0-7 with dual entries each try is two post-only legs: one at the OEP, the second 0.1 % from it on the passive side', async () => {
    const hx = makeReentryHarness();
    try {
      const f = await follow(hx, 0.001);
      const s = await stoppedOut(hx, f);
      hx.route.mode = 'far';
      const plan = reentrySchedule(s.stoppedAt, SETTINGS);
      await runUntil(hx, () => events(hx, 'SIGNAL_REENTRY_RESULT').some((r) => r['result'] === 'sent'), plan[0]!.dueAt - hx.clock.now() + 5_000);
      const sent = events(hx, 'SIGNAL_REENTRY_RESULT').find((r) => r['result'] === 'sent')!;
      const order = decisionOf(hx, String(sent['decisionId']))['order'] as Payload;
      const second = roundPriceForSide(dec(s.oep).times('0.999'), INSTRUMENTS.get('BTCUSDT')!.tickSize, 'buy', 'passive').toString();
      expect([order['limitPrice'], order['secondLimitPrice'], order['timeInForce']]).toEqual([s.oep, second, 'post_only']);
      const intent = hx.runtime.host('BTCUSDT')!.snapshot().context.intent!;
      expect(intent.intentId).toBe(sent['decisionId']);
      expect(intent.legs?.map((l) => l.price)).toEqual([s.oep, second]);
      expect(dec(intent.legs![0]!.quantity).plus(dec(intent.legs![1]!.quantity)).toString()).toBe(dec(String(order['quantity'])).toString());
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });

  it('S0-14 a restart between tries re-arms them from the journal and proposes no try twice', async () => {
    const hx = makeReentryHarness();
    try {
      const f = await follow(hx);
      const s = await stoppedOut(hx, f);
      hx.route.mode = 'far';
      const plan = reentrySchedule(s.stoppedAt, SETTINGS);
      // Down while try 1 rests: the next watch finds it working and withdraws it at its deadline.
      await runTo(hx, plan[0]!.dueAt + 5_000);
      f.reentry.stop();
      const second = f.newWatch();
      expect(second.resume()).toEqual({ chains: 1, paused: 0 });
      // Down across try 3's due time (between try 2's end and try 3): the third watch proposes it at once, once.
      await runTo(hx, plan[1]!.deadline + 5_000);
      second.stop();
      await runTo(hx, plan[2]!.dueAt + 30_000);
      expect(events(hx, 'SIGNAL_REENTRY_TRY').map((t) => t['try'])).toEqual([1, 2]);
      const third = f.newWatch();
      const resumedAt = hx.clock.now();
      expect(third.resume()).toEqual({ chains: 1, paused: 0 });
      await hx.runtime.idle();
      await runTo(hx, resumedAt + 15 * MIN + 5 * MIN);
      // A fourth watch after the pause arms nothing and stays paused.
      third.stop();
      const fourth = f.newWatch();
      expect(fourth.resume()).toEqual({ chains: 0, paused: 1 });
      expect(fourth.stateOf('BTCUSDT')).toBe('paused_until_signal');
      await runTo(hx, hx.clock.now() + 30 * MIN);

      const tries = entries(hx, 'SIGNAL_REENTRY_TRY');
      expect(tries.map((e) => [(e.payload as Payload)['try'], (e.payload as Payload)['dueAt']])).toEqual([[1, plan[0]!.dueAt], [2, plan[1]!.dueAt], [3, plan[2]!.dueAt]]);
      expect(tries.map((e) => e.ts)).toEqual([plan[0]!.dueAt, plan[1]!.dueAt, resumedAt]);
      const results = events(hx, 'SIGNAL_REENTRY_RESULT').map((r) => [r['try'], r['result']]);
      expect(results).toEqual([[1, 'sent'], [1, 'withdrawn'], [2, 'sent'], [2, 'withdrawn'], [3, 'sent'], [3, 'withdrawn']]);
      const requests = events(hx, 'ORDER_REQUESTED').filter((r) => r['role'] === 'entry' && r['intentId'] !== s.decisionId);
      expect(requests).toHaveLength(3);
      expect(new Set(requests.map((r) => r['intentId'])).size).toBe(3);
      expect(events(hx, 'SIGNAL_REENTRY_PAUSED')).toHaveLength(1);
      expect(hx.exchange.openOrders('main', 'BTCUSDT')).toEqual([]);
    } finally {
      await stop(hx);
    }
  });

  it('S0-14 a RiskEngine veto counts as a try: three vetoed tries (cooldown after the stop) at 60 s, 120 s, 240 s, then paused', async () => {
    // The default 30 min cooldown after a stop outlasts every try.
    const hx = makeReentryHarness(30 * MIN);
    try {
      const f = await follow(hx);
      const s = await stoppedOut(hx, f);
      const due = [s.stoppedAt + MIN, s.stoppedAt + 3 * MIN, s.stoppedAt + 7 * MIN];
      await runTo(hx, due[2]! + MIN);
      expect(entries(hx, 'SIGNAL_REENTRY_TRY').map((e) => [(e.payload as Payload)['try'], (e.payload as Payload)['dueAt'], e.ts])).toEqual(due.map((t, i) => [i + 1, t, t]));
      const results = events(hx, 'SIGNAL_REENTRY_RESULT');
      expect(results.map((r) => [r['try'], r['result'], r['reason'], r['at']])).toEqual(due.map((t, i) => [i + 1, 'vetoed', 'cooldown', t]));
      expect(results.map((r) => r['detail'])).toEqual(due.map((): unknown => expect.stringMatching(/^BTCUSDT cools down after a stop for \d+ ms more$/)));
      for (const r of results) expect(decisionOf(hx, String(r['decisionId']))).toEqual(expect.objectContaining({ kind: 'veto', veto_reason: 'cooldown', cap_type: 'cooldown_stop' }));
      expect(events(hx, 'ORDER_REQUESTED').filter((r) => r['intentId'] !== s.decisionId && r['role'] === 'entry')).toEqual([]);
      expect(events(hx, 'SIGNAL_REENTRY_PAUSED')).toEqual([expect.objectContaining({ symbol: 'BTCUSDT', tries: 3 })]);
      expect(f.reentry.stateOf('BTCUSDT')).toBe('paused_until_signal');
    } finally {
      await stop(hx);
    }
  });

  it('S0-14 a filled try ends the chain: no further try, no pause', async () => {
    const hx = makeReentryHarness();
    try {
      const f = await follow(hx);
      const s = await stoppedOut(hx, f);
      hx.route.mode = 'take';
      const plan = reentrySchedule(s.stoppedAt, SETTINGS);
      await runTo(hx, plan[0]!.deadline + 30 * MIN);
      expect(events(hx, 'SIGNAL_REENTRY_TRY').map((t) => t['try'])).toEqual([1]);
      const results = events(hx, 'SIGNAL_REENTRY_RESULT');
      expect(results.map((r) => [r['try'], r['result']])).toEqual([[1, 'sent'], [1, 'filled']]);
      const decisionId = String(results[0]!['decisionId']);
      expect(hx.journal.getOrder(String(events(hx, 'ORDER_REQUESTED').find((r) => r['intentId'] === decisionId)!['clientOrderId']))?.state).toBe('filled');
      expect(events(hx, 'SIGNAL_REENTRY_PAUSED')).toEqual([]);
      expect(f.reentry.stateOf('BTCUSDT')).toBe('none');
      expect(f.alerts.raised).toEqual([]);
    } finally {
      await stop(hx);
    }
  });

  it('S0-14 a signal its take profit closed is not re-entered', async () => {
    const hx = makeReentryHarness();
    try {
      const f = await follow(hx);
      // The short's near target is reached as BTCUSDT falls from 17212 to 17189 (00:01 to 00:05).
      expect(await f.signal(SHORT)).toBe('accepted');
      const decisionId = String(events(hx, 'SIGNAL_HANDLED').at(-1)!['decisionId']);
      const closedOf = () => events(hx, 'TRADE_CLOSED').find((e) => e['intentId'] === decisionId);
      await runUntil(hx, () => closedOf() !== undefined, 30 * MIN);
      expect(closedOf()!['reason']).toBe('takeProfit');
      await runTo(hx, hx.clock.now() + 30 * MIN);
      expect(events(hx, 'SIGNAL_REENTRY_TRY')).toEqual([]);
      expect(f.reentry.stateOf('BTCUSDT')).toBe('none');
      // Its plan was journaled with the accepted signal all the same (a later stop-out would have used it).
      expect(events(hx, 'SIGNAL_REENTRY_PLAN')).toEqual([expect.objectContaining({ signalDecisionId: decisionId, symbol: 'BTCUSDT', side: 'sell', mode: 'DYNAMIC', leverage: '8.25' })]);
    } finally {
      await stop(hx);
    }
  });
});
