/**
 * S0-7 dual entries against the simulator: a followed signal goes through the real intake `act` (with the
 * `signals.dualEntry` defaults), DecisionLoop, RiskEngine, VenueRuntime, trade actor and ExecutionEngine over the
 * in-process simulator on the bundled BTCUSDT bars. Its two entry prices become two post-only limit orders with their
 * own client ids, sharing the approved quantity 50/50, on the tick and the step — the second sent once the first has
 * filled in full. A one-price signal's second leg rests 0.1 % below (a long); a price that would take liquidity joins
 * the maker side one tick from the ask.
 */
import { describe, expect, it } from 'vitest';
import { signalAct } from '../../src/app/signalIntake.ts';
import { decodeDefaults } from '../../src/config/schema.ts';
import { DualEntrySection } from '../../src/config/signalsSection.ts';
import { dec } from '../../src/domain/money.ts';
import { isMultipleOf } from '../../src/domain/rounding.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { SignalInbox } from '../../src/signals/intake/SignalInbox.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/engine/SimExchange.ts';
import { makeHarness, startedLoop, type Harness } from '../runtime/harness.ts';

type Payload = Record<string, unknown>;
const BTC = bybitLinearInstrument('BTCUSDT');

const follow = async (hx: Harness) => {
  const loop = await startedLoop(hx, []);
  const inbox = new SignalInbox({
    journal: hx.journal, clock: hx.clock, logger: createLogger({ level: 'silent', clock: hx.clock, targets: {} }), parse: { instrument: (s) => (s === 'BTCUSDT' ? BTC : undefined) },
    act: signalAct(loop, undefined, decodeDefaults(DualEntrySection)), notionalFraction: 0.01, maxAgeMs: 60_000, missingSources: [],
  });
  return async (text: string) => {
    const outcome = inbox.receive({ source: 'CRYPTORAKETEN', via: 'replay', messageId: String(hx.journal.lastSeq()), text, postedAt: hx.clock.now() });
    await hx.runtime.idle();
    return outcome;
  };
};

const entryRequests = (hx: Harness): Payload[] =>
  [...hx.journal.readEvents({ type: 'ORDER_REQUESTED' })].map((e) => e.payload as Payload).filter((p) => p['reduceOnly'] !== true);

/** Runs the market a second at a time until `done` holds (at most `minutes`). */
const runUntil = async (hx: Harness, done: () => boolean, minutes: number): Promise<void> => {
  const end = hx.clock.now() + minutes * 60_000;
  for (let t = hx.clock.now() + 1_000; t <= end && !done(); t += 1_000) {
    hx.clock.advanceTo(t);
    hx.exchange.advanceTo(t);
    await hx.runtime.idle();
  }
};

describe('S0-7 dual post-only entries at the simulator', () => {
  it('S0-7 a signal\'s two entry prices become two post-only limits with their own ids, 50/50 of the approval, on tick and step; the second after the first filled', async () => {
    const hx = makeHarness({ bars: 240 });
    try {
      const signal = await follow(hx);
      const bid = hx.exchange.book('BTCUSDT', 1).bids[0]![0];
      const [first, second] = [bid, bid.minus(dec('2'))];
      expect(await signal(`#BTCUSDT LONG SWING\nEntry: ${first.toString()} - ${second.toString()}\nTP1: ${bid.plus(300).toString()}\nSL: ${bid.minus(300).toString()}`)).toBe('accepted');
      const approved = [...hx.journal.readEvents({ type: 'RISK_DECISION' })].map((e) => e.payload as Payload).at(-1)!;
      expect(approved['kind']).toBe('approve');
      const order = approved['order'] as Payload;
      expect(order).toMatchObject({ timeInForce: 'post_only', limitPrice: first.toString(), secondLimitPrice: second.toString() });
      // The first leg rests at the venue, post-only; the second is not out yet.
      expect(entryRequests(hx)).toHaveLength(1);
      await runUntil(hx, () => entryRequests(hx).length === 2, 200);
      const [a, b] = entryRequests(hx);
      expect(b, 'the second leg went out once the first had filled').toBeDefined();
      expect([a!['timeInForce'], b!['timeInForce']]).toEqual(['post_only', 'post_only']);
      expect([dec(String(a!['price'])).toString(), dec(String(b!['price'])).toString()]).toEqual([first.toString(), second.toString()]);
      expect(b!['clientOrderId']).toBe(`${String(a!['clientOrderId'])}-p1`);
      const [qa, qb] = [dec(String(a!['quantity'])), dec(String(b!['quantity']))];
      expect(qa.plus(qb).toString()).toBe(dec(String(order['quantity'])).toString());
      expect(qb.minus(qa).abs().lte(BTC.quantityStep)).toBe(true);
      for (const p of [first, second]) expect(isMultipleOf(p, BTC.tickSize)).toBe(true);
      for (const q of [qa, qb]) expect(isMultipleOf(q, BTC.quantityStep) && q.gte(BTC.minQuantity)).toBe(true);
      // At the venue: both orders post-only, under the two ids; the first filled.
      const venue = [a, b].map((r) => hx.exchange.getOrder('main', 'BTCUSDT', { clientOrderId: String(r!['clientOrderId']) }));
      expect(venue.map((o) => o?.timeInForce)).toEqual(['post_only', 'post_only']);
      expect(venue[0]?.status).toBe('filled');
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  }, 60_000);

  it('S0-7 a one-price signal\'s second leg rests 0.1 % below it (a long); a price above the ask joins the bid side one tick from it', async () => {
    const hx = makeHarness({ bars: 60 });
    try {
      const signal = await follow(hx);
      const book = hx.exchange.book('BTCUSDT', 1);
      const [bid, ask] = [book.bids[0]![0], book.asks[0]![0]];
      const entry = ask.plus(dec('50'));
      expect(await signal(`#BTCUSDT LONG SWING\nEntry: ${entry.toString()}\nTP1: ${entry.plus(400).toString()}\nSL: ${entry.minus(400).toString()}`)).toBe('accepted');
      const order = [...hx.journal.readEvents({ type: 'RISK_DECISION' })].map((e) => e.payload as Payload).at(-1)!['order'] as Payload;
      // Both prices were above the ask: the first joins one tick below the ask; the second, 0.1 % below the entry, too,
      // and then sits one tick below the first.
      const joined = ask.minus(BTC.tickSize);
      expect(dec(String(order['limitPrice'])).toString()).toBe(joined.toString());
      expect(joined.gte(bid)).toBe(true);
      expect(entry.times(dec('0.999')).gte(ask)).toBe(true);
      expect(dec(String(order['secondLimitPrice'])).toString()).toBe(joined.toString());
      const legs = hx.runtime.host('BTCUSDT')!.snapshot().context.intent?.legs;
      expect(legs?.map((l) => l.price)).toEqual([joined.toString(), joined.minus(BTC.tickSize).toString()]);
      const [a] = entryRequests(hx);
      expect(a).toMatchObject({ timeInForce: 'post_only' });
      expect(dec(String(a!['price'])).toString()).toBe(joined.toString());
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });
});
