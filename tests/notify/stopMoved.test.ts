/**
 * STOP_MOVED end to end (S0-11, S0-13, S0-18, X-NTF-4, X-ORD-2): the short of tests/runtime/stopManagement.test.ts —
 * the real DecisionLoop, RiskEngine, VenueRuntime, trade actor and ExecutionEngine over the in-process simulator, its
 * stop to break-even once and then trailed — with the LifecycleNotifier pumped as the runtime pumps it, reading the
 * journal they wrote. One STOP_MOVED per stop the venue confirmed after the entry's, each queued after its
 * PROTECTION_SET; a notifier that reads the journal again queues none twice.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import type { JournalEntry } from '../../src/journal/Journal.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { LifecycleNotifier, NOTIFY_SINCE_KEY } from '../../src/notify/LifecycleNotifier.ts';
import { Outbox } from '../../src/notify/Outbox.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { isAtRest } from '../../machines/trade/tradeQueries.ts';
import { makeHarness, startedLoop, type Harness } from '../runtime/harness.ts';
import { onceStrategy } from '../support/onceStrategy.ts';

type Payload = Record<string, unknown>;

const sellOnce = onceStrategy({ side: 'sell', ttlMs: 600_000 });

// The fractions of tests/runtime/stopManagement.test.ts, scaled to the replayed morning's −0.6 % (S0's are +2.3 % / +6.1 % / 2.5 %).
const management = { breakEvenAtFraction: '0.001', breakEvenOffsetFraction: '0.000015', trailFromFraction: '0.003', trailDistanceFraction: '0.001', trailStepFraction: '0.0002' };

/** An outbox over the harness's journal, delivering to a Telegram stand-in that takes every message. */
const outboxOn = (hx: Harness, ctor: typeof Outbox = Outbox): Outbox => {
  const outbox = new ctor({
    account: 'main', journal: hx.journal, channels: new Map([['telegram', { name: 'telegram', deliver: () => Promise.resolve() }]]), scheduler: virtualScheduler(hx.clock),
    max: 1000, timeoutMs: 1000, retry: { baseMs: 10, capMs: 100, maxAttempts: 3 }, random: seededRandom(1), logger: silentLogger(hx.clock),
  });
  outbox.start();
  return outbox;
};
const notifierOn = (hx: Harness, outbox: Outbox): LifecycleNotifier => {
  const notifier = new LifecycleNotifier({
    account: 'main', journal: hx.journal, outbox, events: ['ORDER_PLACED', 'POSITION_OPENED', 'STOP_MOVED', 'SL_HIT', 'POSITION_CLOSED', 'ERROR'], channels: ['telegram'],
    settleAsset: 'USDT', triggerSource: 'last', logger: silentLogger(hx.clock),
  });
  notifier.start();
  return notifier;
};
/** Runs what is due now, reads everything committed so far, and lets the outbox journal what it took (on its own timer). */
const drain = (hx: Harness, notifier: LifecycleNotifier): void => {
  hx.clock.advanceBy(0);
  while (notifier.pump() > 0);
  hx.clock.advanceBy(0);
};
/** A restarted outbox that has lost where its notifier resumed: the notifier then reads the whole journal again. */
class ForgetfulOutbox extends Outbox {
  override lastSourceSeq(): number {
    return 0;
  }
}

describe('STOP_MOVED from the journal (S0-11, S0-13, S0-18, X-NTF-4)', () => {
  it('S0-11 S0-13 S0-18 X-NTF-4 X-ORD-2 one STOP_MOVED for the break-even move and one per trailer move, each queued after the PROTECTION_SET the venue confirmed, none for the entry\'s protection; read again, none twice', async () => {
    const hx = makeHarness({ bars: 200, settings: { stopManagement: management } });
    try {
      const loop = await startedLoop(hx, [sellOnce as Strategy<unknown>]);
      const notifier = notifierOn(hx, outboxOn(hx));
      loop.runCycle();
      await hx.runtime.idle();
      const host = hx.runtime.host('BTCUSDT')!;
      let opened = false;
      const end = hx.clock.now() + 180 * 60_000;
      for (let t = hx.clock.now() + 2_000; t <= end && !(opened && isAtRest(host.snapshot())); t += 2_000) {
        hx.clock.advanceTo(t);
        hx.exchange.advanceTo(t);
        await hx.runtime.idle();
        drain(hx, notifier);
        opened ||= !isAtRest(host.snapshot());
      }
      const events = [...hx.journal.readEvents({ fromSeq: 1 })];
      const ofType = (type: string): JournalEntry[] => events.filter((e) => e.type === type);
      const p = (e: JournalEntry): Payload => e.payload as Payload;
      const sets = ofType('PROTECTION_SET');
      const oep = String(p(ofType('ORDER_FILLED')[0]!)['price']);
      const takeProfit = String(p(sets[0]!)['takeProfit']);
      expect(sets.length).toBeGreaterThan(3);
      expect(new Set(sets.map((s) => p(s)['trigger']))).toEqual(new Set(['mark']));
      expect(ofType('TRADE_CLOSED').map((e) => p(e)['reason'])).toEqual(['stopLoss']);

      const stopMoved = ofType('NOTIFY_QUEUED').filter((e) => p(e)['template'] === 'STOP_MOVED');
      // One per confirmed stop after the entry's: break-even first, then the trailer's moves.
      expect(stopMoved).toHaveLength(sets.length - 1);
      for (const [i, q] of stopMoved.entries()) {
        const set = sets[i + 1]!;
        const newStop = String(p(set)['stopLoss']);
        const previous = String(p(sets[i]!)['stopLoss']);
        // Made from the actor's step out of movingStop on the venue's confirmation, journaled after this PROTECTION_SET.
        const step = events.find((e) => e.seq === p(q)['sourceSeq'])!;
        expect(step.type).toBe('ACTOR_EVENT');
        expect(p(step)).toMatchObject({ event: { type: 'venue.protectionSet' }, from: 'opened.movingStop', to: i === 0 ? 'opened.breakEven' : 'opened.trailing' });
        expect(step.seq, `STOP_MOVED ${String(i)} gated on its PROTECTION_SET`).toBeGreaterThan(set.seq);
        expect(q.seq).toBeGreaterThan(step.seq);
        expect(sets.filter((s) => s.seq > set.seq && s.seq < step.seq)).toEqual([]);
        expect(p(q)['key']).toBe(`main:STOP_MOVED:${String(step.seq)}`);
        // A short's level in its favour from the OEP, signed as the house format signs it (`+0.00 %` just inside profit).
        const pct = (level: string): string => {
          const move = dec(oep).minus(level).div(oep).times(100);
          return `${move.gt(0) ? '+' : ''}${move.toFixed(2)} %`;
        };
        expect(p(q)['text']).toBe([
          '🔒 STOP MOVED #BTCUSDT', 'Side: SHORT', `Moved by: ${i === 0 ? 'break-even' : 'trailing'}`,
          `New SL: ${newStop} (${pct(newStop)})`, `Previous SL: ${previous} (${pct(previous)})`, `OEP: ${oep}`, `TP: ${takeProfit} (${pct(takeProfit)})`,
          // The trigger the venue's TP/SL were set on (the runtime's Mark, journaled in PROTECTION_SET), not the notifier's `last`.
          'Trigger: Mark', 'Source: once',
        ].join('\n'));
      }
      // None before the entry's protection was confirmed, none for a request the venue had not yet confirmed.
      expect(stopMoved[0]!.seq).toBeGreaterThan(sets[1]!.seq);
      expect(notifier.refusals()).toBe(0);

      // A restarted notifier resumes after what it queued; one that reads the whole journal again makes the same keys.
      const count = (): number => [...hx.journal.readEvents({ type: 'NOTIFY_QUEUED' })].length;
      const before = count();
      expect(before).toBe(stopMoved.length + 4);
      const restarted = notifierOn(hx, outboxOn(hx));
      drain(hx, restarted);
      expect(count()).toBe(before);
      hx.journal.kvSet(NOTIFY_SINCE_KEY, 0);
      const rereading = notifierOn(hx, outboxOn(hx, ForgetfulOutbox));
      drain(hx, rereading);
      expect(count()).toBe(before);
      expect(rereading.refusals()).toBe(0);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  }, 120_000);
});
