/**
 * The lifecycle notifier on a real journal (X-ORD-2, X-NTF-2): nothing is notified before the venue's ACK — not even a
 * fill journaled before its ACK — a rejected request produces no success message (only ERROR), and a restarted
 * notifier reading the same entries again queues nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { LifecycleNotifier } from '../../src/notify/LifecycleNotifier.ts';
import { Outbox } from '../../src/notify/Outbox.ts';
import type { NotificationChannel } from '../../src/notify/types.ts';

const clock = new VirtualClock(1_700_000_000_000);
const sink: string[] = [];
const channel: NotificationChannel = {
  name: 'telegram',
  deliver: (m) => {
    sink.push(m.template);
    return Promise.resolve();
  },
};

const notifierOn = (journal: Journal) => {
  const outbox = new Outbox({
    account: 'main', journal, channels: new Map([['telegram', channel]]), scheduler: virtualScheduler(clock), max: 100, timeoutMs: 1000,
    retry: { baseMs: 10, capMs: 100, maxAttempts: 3 }, random: seededRandom(1), logger: silentLogger(clock),
  });
  outbox.start();
  const notifier = new LifecycleNotifier({
    account: 'main', journal, outbox, events: ['ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'POSITION_CLOSED', 'ERROR'], channels: ['telegram'], settleAsset: 'USDT', triggerSource: 'mark', logger: silentLogger(clock),
  });
  notifier.start();
  return { outbox, notifier };
};
const queued = (j: Journal): Array<{ seq: number; template: string; key: string }> =>
  [...j.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => ({ seq: e.seq, ...(e.payload as { template: string; key: string }) }));
const request = (j: Journal, id: string) =>
  j.recordOrderRequested({ clientOrderId: id, intentId: `intent-${id}`, venue: 'sim', symbol: 'BTCUSDT', side: 'buy', quantity: new Decimal('0.5'), price: new Decimal('100'), orderType: 'limit', timeInForce: 'post_only', reduceOnly: false, role: 'entry', strategyId: 'CRYPTORAKETEN' });

describe('LifecycleNotifier (X-ORD-2, X-NTF-2)', () => {
  it('X-ORD-2 a fill journaled before its ACK is notified only after the ACK; a rejected request gets ERROR, never a success message', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    request(journal, 'tw-a-1');
    journal.recordOrderUpdate({ clientOrderId: 'tw-a-1', type: 'ORDER_FILLED', state: 'filled', filledQuantity: new Decimal('0.5'), payload: { tradeId: 't1', price: new Decimal('100'), quantity: new Decimal('0.5'), fee: new Decimal('0.01'), isMaker: true } });
    notifier.pump();
    clock.advanceBy(0);
    expect(queued(journal)).toEqual([]);
    const ack = journal.recordOrderUpdate({ clientOrderId: 'tw-a-1', type: 'ORDER_ACKNOWLEDGED', state: 'filled', venueOrderId: 'v-1' });
    request(journal, 'tw-b-1');
    journal.recordOrderUpdate({ clientOrderId: 'tw-b-1', type: 'ORDER_REJECTED', state: 'rejected', payload: { code: '110007', category: 'insufficient_balance', message: 'not enough margin' } });
    notifier.pump();
    clock.advanceBy(0);
    const q = queued(journal);
    expect(q.map((x) => x.template)).toEqual(['ORDER_PLACED', 'POSITION_OPENED', 'ERROR']);
    expect(q.every((x) => x.seq > ack.entry.seq)).toBe(true);
    expect(q.some((x) => x.key.includes('tw-b-1') && x.template !== 'ERROR')).toBe(false);
  });

  it('S0-1 S0-3 a refused signal is sent as ERROR with the parser\'s reason and text; an accepted one sends nothing of its own', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    journal.append('signal:LUX_LEAK', 'SIGNAL_HANDLED', { key: 'LUX_LEAK:1', outcome: 'refused', reason: 'SIGNAL_QUOTE_REFUSED', detail: 'Signal refused #BTCUSDC: quoted in USDC; S0 trades USDT only', symbol: 'BTCUSDC' });
    journal.append('signal:LUX_LEAK', 'SIGNAL_HANDLED', { key: 'LUX_LEAK:2', outcome: 'accepted', symbol: 'BTCUSDT', decisionId: 'rd-1' });
    notifier.pump();
    clock.advanceBy(0);
    const q = [...journal.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => e.payload as { template: string; text: string; critical: boolean });
    expect(q.map((x) => x.template)).toEqual(['ERROR']);
    expect(q[0]!.text).toContain('SIGNAL_QUOTE_REFUSED');
    expect(q[0]!.text).toContain('quoted in USDC');
    expect(q[0]!.critical).toBe(true);
  });

  it('X-NTF-5 a notifier restarted on the same journal reads the entries again and queues nothing twice', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const first = notifierOn(journal);
    request(journal, 'tw-c-1');
    journal.recordOrderUpdate({ clientOrderId: 'tw-c-1', type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: 'v-2' });
    first.notifier.pump();
    clock.advanceBy(0);
    expect(queued(journal)).toHaveLength(1);
    const second = notifierOn(journal);
    journal.recordOrderUpdate({ clientOrderId: 'tw-c-1', type: 'ORDER_FILLED', state: 'filled', filledQuantity: new Decimal('0.5'), payload: { tradeId: 't2', price: new Decimal('100.5'), quantity: new Decimal('0.5'), fee: new Decimal('0.01'), isMaker: true } });
    second.notifier.pump();
    clock.advanceBy(0);
    expect(queued(journal).map((x) => x.template)).toEqual(['ORDER_PLACED', 'POSITION_OPENED']);
    expect(second.notifier.refusals()).toBe(0);
  });
});
