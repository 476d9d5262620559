/**
 * Stale signal entries (S0-17, X-ORD-11): a followed signal goes through the real intake `act`, DecisionLoop,
 * RiskEngine, VenueRuntime, trade actor and ExecutionEngine over the in-process simulator on the virtual clock. Its
 * entry reaches the simulator priced far from the market (the venue wrapper moves an entry's limit to half, or one and
 * a half times, the decided price: it rests and never fills), and is withdrawn exactly at its mode's preset through the
 * actor's cancel: still resting one second before, gone from the simulator with the actor idle at the deadline.
 */
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { staleEntryMsOf, watchedSignalAct } from '../../src/app/signalIntake.ts';
import { decodeConfig } from '../../src/config/load.ts';
import type { StaleEntrySection } from '../../src/config/signalsSection.ts';
import { roundPriceForSide } from '../../src/domain/rounding.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { SignalInbox } from '../../src/signals/intake/SignalInbox.ts';
import { StaleEntryWatch } from '../../src/signals/intake/StaleEntryWatch.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimVenue } from '../../src/venues/sim/SimVenue.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { makeHarness, startedLoop, type Harness } from '../runtime/harness.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DEFAULTS: StaleEntrySection = { SWING: '6d', DYNAMIC: '24h', FIXED: '24h' };

const INSTRUMENTS = new Map((['BTCUSDT', 'ADAUSDT'] as const).map((s) => [s as string, bybitLinearInstrument(s)]));

/** Sends every entry (a limit that is not reduce-only) far from the market on the passive side: it rests, unfilled. */
const farEntries = (v: SimVenue): SimVenue => ({
  ...v,
  placeOrder: (r) => {
    if (r.reduceOnly || r.type !== 'limit' || r.price === undefined) return v.placeOrder(r);
    const tick = INSTRUMENTS.get(r.symbol)!.tickSize;
    return v.placeOrder({ ...r, price: roundPriceForSide(r.price.times(r.side === 'buy' ? '0.5' : '1.5'), tick, r.side, 'passive') });
  },
});

/** Starts the runtime and the intake's inbox with its stale-entry watch; returns a function that follows one text. */
const follow = async (hx: Harness, presets: StaleEntrySection = DEFAULTS) => {
  const loop = await startedLoop(hx, []);
  const logger = createLogger({ level: 'debug', clock: hx.clock, targets: { memory: hx.logLines } });
  const watch = new StaleEntryWatch({ port: hx.runtime, scheduler: virtualScheduler(hx.clock), journal: hx.journal, logger });
  const inbox = new SignalInbox({
    journal: hx.journal, clock: hx.clock, logger, parse: { instrument: (s) => INSTRUMENTS.get(s) },
    act: watchedSignalAct(loop, watch, presets), staleEntryMs: staleEntryMsOf(presets), notionalFraction: 0.01, maxAgeMs: 60_000, missingSources: [],
  });
  return {
    watch, inbox, logger,
    signal: async (text: string) => {
      const outcome = inbox.receive({ source: 'CRYPTORAKETEN', via: 'replay', messageId: String(hx.journal.lastSeq()), text, postedAt: hx.clock.now() });
      await hx.runtime.idle();
      return outcome;
    },
  };
};

/** Advances the clock and the simulator to `t` in steps of at most an hour, letting the runtime settle after each. */
const runTo = async (hx: Harness, t: number): Promise<void> => {
  for (let at = Math.min(t, hx.clock.now() + HOUR); ; at = Math.min(t, at + HOUR)) {
    hx.exchange.advanceTo(at);
    hx.clock.advanceTo(at);
    await hx.runtime.idle();
    if (at >= t) return;
  }
};

type Payload = Record<string, unknown>;
const events = (hx: Harness, type: string): Payload[] => [...hx.journal.readEvents({ type })].map((e) => e.payload as Payload);
const logged = (hx: Harness, msg: string): Payload[] => hx.logLines.map((l) => JSON.parse(l) as Payload).filter((l) => l['msg'] === msg);

const DYNAMIC_LONG = '#BTCUSDT LONG DYNAMIC\nEntry: 17210\nTP1: 17400\nSL: 17000\nLeverage: x8.25';
const SWING_SHORT = '#ADAUSDT SHORT SWING\nEntry: 0.3070\nTP1: 0.2950\nSL: 0.3150';

/** Follows one signal whose entry rests; returns its decision, client order id and the time it was decided. */
const restingEntry = async (hx: Harness, text: string, symbol: string, presets?: StaleEntrySection) => {
  const { signal, watch, inbox, logger } = await follow(hx, presets);
  expect(await signal(text)).toBe('accepted');
  const order = events(hx, 'RISK_DECISION').at(-1)!['order'] as Payload;
  const clientOrderId = String(events(hx, 'ORDER_REQUESTED').at(-1)!['clientOrderId']);
  expect(hx.exchange.openOrders('main', symbol).map((o) => o.clientOrderId)).toEqual([clientOrderId]);
  expect(lifecycleState(hx.runtime.host(symbol)!.snapshot())).toBe('working');
  return { decidedAt: Number(order['decidedAt']), expiresAt: Number(order['expiresAt']), decisionId: String(order['decisionId']), clientOrderId, watch, inbox, logger };
};

describe('stale signal entries are withdrawn at the mode\'s preset (S0-17)', () => {
  it('S0-17 X-ORD-11 a DYNAMIC entry that never fills rests at 24 h − 1 s and is cancelled at 24 h: gone at the simulator, actor idle, journaled and logged', async () => {
    const hx = makeHarness({ venue: farEntries });
    try {
      const e = await restingEntry(hx, DYNAMIC_LONG, 'BTCUSDT');
      // The proposal lives as long as the mode's preset: the approval's expiry is the entry's deadline.
      expect(e.expiresAt - e.decidedAt).toBe(DAY);
      expect(e.watch.size()).toBe(1);
      await runTo(hx, e.decidedAt + DAY - 1_000);
      expect(hx.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).toEqual([e.clientOrderId]);
      expect(lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot())).toBe('working');
      expect(events(hx, 'SIGNAL_ENTRY_STALE')).toEqual([]);
      await runTo(hx, e.decidedAt + DAY);
      expect(hx.exchange.openOrders('main', 'BTCUSDT')).toEqual([]);
      expect(hx.exchange.getOrder('main', 'BTCUSDT', { clientOrderId: e.clientOrderId })?.status).toBe('cancelled');
      expect(hx.journal.getOrder(e.clientOrderId)?.state).toBe('cancelled');
      expect(lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot())).toBe('idle');
      const stale = { symbol: 'BTCUSDT', decisionId: e.decisionId, clientOrderId: e.clientOrderId, mode: 'DYNAMIC', preset: '24h', ageMs: DAY, filledQuantity: '0' };
      expect(events(hx, 'SIGNAL_ENTRY_STALE')).toEqual([stale]);
      expect(logged(hx, 'stale_entry_cancelled')).toEqual([expect.objectContaining({ level: 40, reason: 'stale_entry_cancelled', ...stale })]);
      expect(hx.exchange.positions('main', 'BTCUSDT').every((p) => p.size.isZero())).toBe(true);
      expect(e.watch.size()).toBe(0);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });

  it('S0-17 a SWING entry survives 24 h and is cancelled at 6 d', async () => {
    const hx = makeHarness({ venue: farEntries });
    try {
      const e = await restingEntry(hx, SWING_SHORT, 'ADAUSDT');
      expect(e.expiresAt - e.decidedAt).toBe(6 * DAY);
      await runTo(hx, e.decidedAt + DAY + HOUR);
      expect(hx.exchange.openOrders('main', 'ADAUSDT').map((o) => o.clientOrderId)).toEqual([e.clientOrderId]);
      await runTo(hx, e.decidedAt + 6 * DAY - 1_000);
      expect(lifecycleState(hx.runtime.host('ADAUSDT')!.snapshot())).toBe('working');
      expect(events(hx, 'SIGNAL_ENTRY_STALE')).toEqual([]);
      await runTo(hx, e.decidedAt + 6 * DAY);
      expect(hx.exchange.openOrders('main', 'ADAUSDT')).toEqual([]);
      expect(lifecycleState(hx.runtime.host('ADAUSDT')!.snapshot())).toBe('idle');
      expect(events(hx, 'SIGNAL_ENTRY_STALE')).toEqual([expect.objectContaining({ symbol: 'ADAUSDT', mode: 'SWING', preset: '6d', ageMs: 6 * DAY })]);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });

  it('S0-17 a new intake re-arms the deadline of an entry still resting from its approval (the timers of the old one lost)', async () => {
    const hx = makeHarness({ venue: farEntries });
    try {
      const e = await restingEntry(hx, DYNAMIC_LONG, 'BTCUSDT');
      e.watch.stop();
      await runTo(hx, e.decidedAt + 2 * HOUR);
      // What startSignalIntake does at start: one watch over the runtime, modes read back from SIGNAL_HANDLED.
      const fresh = new StaleEntryWatch({ port: hx.runtime, scheduler: virtualScheduler(hx.clock), journal: hx.journal, logger: e.logger });
      const journaled = new SignalInbox({
        journal: hx.journal, clock: hx.clock, logger: e.logger, parse: { instrument: () => undefined }, act: () => ({ problem: 'unused' }), notionalFraction: 0.01, maxAgeMs: 60_000, missingSources: [],
      });
      expect(journaled.modeOf(e.decisionId)).toBe('DYNAMIC');
      expect(fresh.resume((id) => journaled.modeOf(id), (m) => DEFAULTS[m as keyof StaleEntrySection])).toBe(1);
      await runTo(hx, e.decidedAt + DAY - 1_000);
      expect(hx.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).toEqual([e.clientOrderId]);
      await runTo(hx, e.decidedAt + DAY);
      expect(hx.exchange.openOrders('main', 'BTCUSDT')).toEqual([]);
      expect(lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot())).toBe('idle');
      expect(events(hx, 'SIGNAL_ENTRY_STALE')).toEqual([expect.objectContaining({ decisionId: e.decisionId, mode: 'DYNAMIC', preset: '24h', ageMs: DAY })]);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });

  it('S0-17 the configured preset applies: DYNAMIC set to 6d keeps its entry past 24 h', async () => {
    const hx = makeHarness({ venue: farEntries });
    try {
      const e = await restingEntry(hx, DYNAMIC_LONG, 'BTCUSDT', { SWING: '24h', DYNAMIC: '6d', FIXED: '6d' });
      expect(e.expiresAt - e.decidedAt).toBe(6 * DAY);
      await runTo(hx, e.decidedAt + 2 * DAY);
      expect(hx.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).toEqual([e.clientOrderId]);
      expect(events(hx, 'SIGNAL_ENTRY_STALE')).toEqual([]);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });

  it('S0-17 an entry that filled before its deadline is left alone: nothing journaled, no cancel sent', async () => {
    // No wrapper: the entry goes at the touch and fills at once.
    const hx = makeHarness();
    try {
      const { signal, watch } = await follow(hx);
      expect(await signal(DYNAMIC_LONG)).toBe('accepted');
      const decidedAt = Number((events(hx, 'RISK_DECISION').at(-1)!['order'] as Payload)['decidedAt']);
      const clientOrderId = String(events(hx, 'ORDER_REQUESTED').at(-1)!['clientOrderId']);
      expect(hx.journal.getOrder(clientOrderId)?.state).toBe('filled');
      expect(lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot())).not.toBe('working');
      await runTo(hx, decidedAt + DAY);
      expect(events(hx, 'SIGNAL_ENTRY_STALE')).toEqual([]);
      expect(hx.journal.getOrder(clientOrderId)?.state).toBe('filled');
      expect(logged(hx, 'stale_entry_cancelled')).toEqual([]);
      expect(watch.size()).toBe(0);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });
});

describe('the signals.staleEntry presets (S0-17)', () => {
  it('S0-17 defaults to SWING 6d, DYNAMIC 24h, FIXED 24h; other presets decode', () => {
    const d = decodeConfig('x', {});
    expect(Either.isRight(d) && d.right.config.signals.staleEntry).toEqual({ SWING: '6d', DYNAMIC: '24h', FIXED: '24h' });
    const c = decodeConfig('x', { signals: { staleEntry: { SWING: '24h', FIXED: '6d' } } });
    expect(Either.isRight(c) && c.right.config.signals.staleEntry).toEqual({ SWING: '24h', DYNAMIC: '24h', FIXED: '6d' });
    expect(staleEntryMsOf({ SWING: '24h', DYNAMIC: '6d', FIXED: '24h' })('DYNAMIC')).toBe(6 * DAY);
  });

  it('S0-17 a value that is no preset, or an unknown mode, gives a readable error naming the key', () => {
    const bad = decodeConfig('x', { signals: { staleEntry: { DYNAMIC: '12h' } } });
    expect(Either.isLeft(bad) && bad.left.message).toMatch(/signals\.staleEntry\.DYNAMIC: Expected "24h" \| "6d", actual "12h"/);
    const fast = decodeConfig('x', { signals: { staleEntry: { FAST: '24h' } } });
    expect(Either.isLeft(fast) && fast.left.message).toMatch(/signals\.staleEntry\.FAST: unknown key/);
  });
});
