/**
 * The lifecycle notifier on a real journal (X-ORD-2, X-NTF-2): nothing is notified before the venue's ACK — not even a
 * fill journaled before its ACK — a rejected request produces no success message (only ERROR), and a restarted
 * notifier reading the same entries again queues nothing twice. S0-18: the source and "IM confirmed" come from the
 * entries their writers journal (the RiskEngine's real approvals, the inbox's SIGNAL_HANDLED, VenueLeverage's
 * LEVERAGE_SET), in the order the runtime writes them; tests/notify/s0Fields.test.ts runs the writers themselves.
 */
import { describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../src/domain/money.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { LifecycleNotifier } from '../../src/notify/LifecycleNotifier.ts';
import { Outbox } from '../../src/notify/Outbox.ts';
import type { NotificationChannel } from '../../src/notify/types.ts';
import { decisionRecord, makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { config, market, NOW, portfolio, proposal } from '../risk/fixtures.ts';

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
    account: 'main', journal, outbox, events: ['ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'STOP_MOVED', 'POSITION_CLOSED', 'ERROR'], channels: ['telegram'], settleAsset: 'USDT', triggerSource: 'mark', logger: silentLogger(clock),
  });
  notifier.start();
  return { outbox, notifier };
};
const queued = (j: Journal): Array<{ seq: number; template: string; key: string }> =>
  [...j.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => ({ seq: e.seq, ...(e.payload as { template: string; key: string }) }));
const request = (j: Journal, id: string, decisionId?: string, strategyId: string | null = 'breakout') =>
  j.recordOrderRequested({
    clientOrderId: id, intentId: decisionId ?? `intent-${id}`, venue: 'sim', symbol: 'BTCUSDT', side: 'buy', quantity: new Decimal('0.5'), price: new Decimal('100'), orderType: 'limit',
    timeInForce: 'post_only', reduceOnly: false, role: 'entry', strategyId: strategyId ?? undefined, details: { decisionId },
  });
const ack = (j: Journal, id: string) => j.recordOrderUpdate({ clientOrderId: id, type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: `v-${id}` });

const risk = makeRiskEngine(config({ allowShorts: true }));
/**
 * Journals the RiskEngine's approval of a BTCUSDT perp entry as the runtime does (RISK_DECISION): a followed signal's
 * (`signals`, DYNAMIC at `leverage`) or a strategy's own (no leverage of its own); returns its decision id and leverage.
 */
const approve = (j: Journal, proposalId: string, leverage?: string, at = NOW) => {
  const hints = leverage === undefined ? undefined : { leverageMode: 'DYNAMIC', leverage: dec(leverage) };
  const strategyId = leverage === undefined ? 'breakout' : 'signals';
  const d = risk.check(proposal({ proposalId, strategyId, instrumentKind: 'perp' }), portfolio(), market(), at, hints);
  if (d.kind !== 'approve') throw new Error(`vetoed: ${d.veto.message}`);
  j.append('risk:BTCUSDT', 'RISK_DECISION', { proposalId, ...decisionRecord(d) });
  return { decisionId: d.decisionId, leverage: d.order.leverage.toString() };
};
/** Journals the inbox's outcome of an accepted signal (after its decision, in the same transaction at runtime). */
const handled = (j: Journal, source: string, messageId: string, decisionId: string) =>
  j.append(`signal:${source}`, 'SIGNAL_HANDLED', { key: `${source}:${messageId}`, outcome: 'accepted', symbol: 'BTCUSDT', decisionId, mode: 'DYNAMIC' });
/** Journals a VenueLeverage set of BTCUSDT: an entry's (read back: `effective`) or the account's at start. */
const leverageSet = (j: Journal, requested: string, result: 'set' | 'failed' | 'mismatch', clientOrderId?: string) =>
  j.append('leverage:BTCUSDT', 'LEVERAGE_SET', {
    symbol: 'BTCUSDT', requested: dec(requested), result,
    ...(clientOrderId === undefined ? { purpose: 'account' } : { purpose: 'entry', clientOrderId, ...(result === 'set' ? { effective: dec(requested) } : { reason: 'sim setLeverage rejected' }) }),
  });
/** The text queued for one message, by its key's tail (`ORDER_PLACED:<client order id>`). */
const textOf = (j: Journal, key: string): string | undefined =>
  [...j.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => e.payload as { key: string; text: string }).find((q) => q.key === `main:${key}`)?.text;
const fieldsOf = (text: string | undefined): { readonly imConfirmed: string | undefined; readonly source: string | undefined } => ({
  imConfirmed: /\nIM confirmed: (\w+)\n/.exec(text ?? '')?.[1], source: /\nSource: (.+)$/.exec(text ?? '')?.[1],
});

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

describe('LifecycleNotifier: the source and IM confirmed (S0-18)', () => {
  for (const started of ['before', 'after'] as const) {
    it(`S0-18 X-NTF-4 a followed signal's ORDER_PLACED and POSITION_OPENED name its source and show IM confirmed yes after the entry's verified set (notifier started ${started} the decision)`, () => {
      const journal = openJournal({ path: ':memory:', clock });
      const early = started === 'before' ? notifierOn(journal) : undefined;
      const d = approve(journal, 'sig-8812', '8.25');
      request(journal, 'tw-signals-1', d.decisionId, 'signals');
      handled(journal, 'CRYPTORAKETEN', '8812', d.decisionId);
      // A restarted notifier reads the decision, the request and the outcome back (silently) before it goes on.
      const { notifier } = early ?? notifierOn(journal);
      leverageSet(journal, '8.25', 'set', 'tw-signals-1');
      ack(journal, 'tw-signals-1');
      journal.recordOrderUpdate({ clientOrderId: 'tw-signals-1', type: 'ORDER_FILLED', state: 'filled', filledQuantity: new Decimal('0.5'), payload: { tradeId: 't1', price: new Decimal('100'), quantity: new Decimal('0.5'), fee: new Decimal('0.01'), isMaker: true } });
      notifier.pump();
      clock.advanceBy(0);
      for (const template of ['ORDER_PLACED', 'POSITION_OPENED']) {
        const text = textOf(journal, `${template}:tw-signals-1`);
        expect(text, template).toContain('\nLeverage: x8.25\n');
        expect(fieldsOf(text), template).toEqual({ imConfirmed: 'yes', source: 'CRYPTORAKETEN' });
      }
      expect(notifier.refusals()).toBe(0);
    });
  }

  it('S0-18 X-NTF-4 a strategy\'s own entry shows its strategy id, and IM confirmed no on the account\'s start-up set, never read back', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    const d = approve(journal, 'p-1');
    // The account's leverage, set at start without a read-back, is the very leverage the IM is figured at: still no.
    leverageSet(journal, d.leverage, 'set');
    request(journal, 'tw-breakout-1', d.decisionId, 'breakout');
    ack(journal, 'tw-breakout-1');
    notifier.pump();
    clock.advanceBy(0);
    expect(fieldsOf(textOf(journal, 'ORDER_PLACED:tw-breakout-1'))).toEqual({ imConfirmed: 'no', source: 'breakout' });
  });

  it('S0-18 IM confirmed yes for an entry sent on a leverage a verified set confirmed before its request, kept by a later set confirming the same', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    const first = approve(journal, 'sig-1', '8.25');
    request(journal, 'tw-signals-1', first.decisionId, 'signals');
    leverageSet(journal, '8.25', 'set', 'tw-signals-1');
    ack(journal, 'tw-signals-1');
    // The second entry finds x8.25 held (VenueLeverage sets nothing); a third entry's set of x8.25 confirms it again.
    const second = approve(journal, 'sig-2', '8.25');
    request(journal, 'tw-signals-2', second.decisionId, 'signals');
    leverageSet(journal, '8.25', 'set', 'tw-signals-3');
    ack(journal, 'tw-signals-2');
    notifier.pump();
    clock.advanceBy(0);
    expect(fieldsOf(textOf(journal, 'ORDER_PLACED:tw-signals-2')).imConfirmed).toBe('yes');
  });

  for (const [name, interfere] of [
    ['the account\'s set, not read back', (j: Journal) => leverageSet(j, '8.25', 'set')],
    ['another entry\'s set of another leverage', (j: Journal) => leverageSet(j, '10', 'set', 'tw-signals-9')],
    ['another entry\'s failed set', (j: Journal) => leverageSet(j, '8.25', 'failed', 'tw-signals-9')],
  ] as const) {
    it(`S0-18 IM confirmed no when the entry may have gone out on another set between its request and its ACK: ${name}`, () => {
      const journal = openJournal({ path: ':memory:', clock });
      const { notifier } = notifierOn(journal);
      const first = approve(journal, 'sig-1', '8.25');
      request(journal, 'tw-signals-1', first.decisionId, 'signals');
      leverageSet(journal, '8.25', 'set', 'tw-signals-1');
      ack(journal, 'tw-signals-1');
      const second = approve(journal, 'sig-2', '8.25');
      request(journal, 'tw-signals-2', second.decisionId, 'signals');
      interfere(journal);
      ack(journal, 'tw-signals-2');
      notifier.pump();
      clock.advanceBy(0);
      expect(fieldsOf(textOf(journal, 'ORDER_PLACED:tw-signals-1')).imConfirmed).toBe('yes');
      expect(fieldsOf(textOf(journal, 'ORDER_PLACED:tw-signals-2')).imConfirmed).toBe('no');
    });
  }

  it('S0-18 IM confirmed no when the leverage set for the entry is not the one its IM is figured at', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    // A strategy's entry goes out at the account's leverage (x5 here), while its IM is figured at its approval's.
    const d = approve(journal, 'p-1');
    request(journal, 'tw-breakout-1', d.decisionId, 'breakout');
    leverageSet(journal, '5', 'set', 'tw-breakout-1');
    ack(journal, 'tw-breakout-1');
    notifier.pump();
    clock.advanceBy(0);
    expect(d.leverage).not.toBe('5');
    expect(fieldsOf(textOf(journal, 'ORDER_PLACED:tw-breakout-1')).imConfirmed).toBe('no');
  });

  it('S0-18 a later decision on a followed signal\'s proposal (its re-entry) keeps the signal\'s source', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    const first = approve(journal, 'sig-8820', '8.25');
    request(journal, 'tw-signals-1', first.decisionId, 'signals');
    handled(journal, 'LUX_LEAK', '3305', first.decisionId);
    const again = approve(journal, 'sig-8820', '8.25', NOW + 1);
    request(journal, 'tw-signals-2', again.decisionId, 'signals');
    ack(journal, 'tw-signals-2');
    notifier.pump();
    clock.advanceBy(0);
    expect(again.decisionId).not.toBe(first.decisionId);
    expect(fieldsOf(textOf(journal, 'ORDER_PLACED:tw-signals-2')).source).toBe('LUX_LEAK');
  });

  it('S0-18 X-NTF-2 an entry with neither a signal source nor a strategy id is refused, never sent without its source', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    const d = approve(journal, 'p-1');
    request(journal, 'tw-x-1', d.decisionId, null);
    ack(journal, 'tw-x-1');
    notifier.pump();
    clock.advanceBy(0);
    expect(textOf(journal, 'ORDER_PLACED:tw-x-1')).toBeUndefined();
    expect(notifier.refusals()).toBe(1);
  });
});

/** Journals one trade-actor step of BTCUSDT as ActorHost does (the event, the lifecycle states before and after it). */
const step = (j: Journal, type: string, from: string, to: string) =>
  j.appendWithSnapshot('trade:sim:BTCUSDT', 'ACTOR_EVENT', { event: { type, at: clock.now() }, from, to }, { actorId: 'trade:sim:BTCUSDT', machineVersion: 'test', snapshot: { value: to } });
/** Journals an ExecutionEngine.protect record of BTCUSDT (TP 102, the given stop, on the mark price). */
const protection = (j: Journal, type: 'PROTECTION_REQUESTED' | 'PROTECTION_SET' | 'PROTECTION_FAILED', stopLoss: string) =>
  j.append('protection:BTCUSDT', type, { symbol: 'BTCUSDT', takeProfit: dec('102'), stopLoss: dec(stopLoss), trigger: 'mark', ...(type === 'PROTECTION_FAILED' ? { reason: 'venue refused' } : {}) });
/** The runtime's protect round trip: the request, the venue's answer, and the actor's step on it. */
const protect = (j: Journal, stopLoss: string, answer: 'PROTECTION_SET' | 'PROTECTION_FAILED', from: string, to: string) => {
  protection(j, 'PROTECTION_REQUESTED', stopLoss);
  const confirmation = protection(j, answer, stopLoss);
  return { confirmation, step: step(j, answer === 'PROTECTION_SET' ? 'venue.protectionSet' : 'venue.protectionFailed', from, to) };
};
const stopTexts = (j: Journal) =>
  [...j.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => e.payload as { template: string; text: string; sourceSeq: number })
    .filter((q) => q.template === 'STOP_MOVED').map((q) => ({ template: q.template, text: q.text, sourceSeq: q.sourceSeq }));

describe('LifecycleNotifier: STOP_MOVED (S0-11, S0-13, S0-18)', () => {
  it('S0-11 S0-13 S0-18 X-ORD-2 only a stop move the venue confirmed is notified: not the entry\'s protection, not a refused move, not the request; a move settled by recovery after a restart is, with the stop the venue held', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const first = notifierOn(journal);
    request(journal, 'tw-s-1');
    ack(journal, 'tw-s-1');
    journal.recordOrderUpdate({ clientOrderId: 'tw-s-1', type: 'ORDER_FILLED', state: 'filled', filledQuantity: new Decimal('0.5'), payload: { tradeId: 't1', price: new Decimal('100'), quantity: new Decimal('0.5'), fee: new Decimal('0.01'), isMaker: true } });
    step(journal, 'venue.filled', 'working', 'opened.protecting');
    protect(journal, '99', 'PROTECTION_SET', 'opened.protecting', 'opened.protected');
    // A break-even move the venue refused: the entry's stop stands (back to protected), only ERROR is sent.
    step(journal, 'market.mark', 'opened.protected', 'opened.movingStop');
    protect(journal, '100.01', 'PROTECTION_FAILED', 'opened.movingStop', 'opened.protected');
    first.notifier.pump();
    clock.advanceBy(0);
    expect(stopTexts(journal)).toEqual([]);
    // Asked again, requested and not yet answered: nothing; confirmed: STOP_MOVED, gated on the actor's step after the set.
    step(journal, 'market.mark', 'opened.protected', 'opened.movingStop');
    protection(journal, 'PROTECTION_REQUESTED', '100.01');
    first.notifier.pump();
    clock.advanceBy(0);
    expect(stopTexts(journal)).toEqual([]);
    const set = protection(journal, 'PROTECTION_SET', '100.01');
    const breakEven = step(journal, 'venue.protectionSet', 'opened.movingStop', 'opened.breakEven');
    first.notifier.pump();
    clock.advanceBy(0);
    expect(stopTexts(journal)).toEqual([{
      template: 'STOP_MOVED', sourceSeq: breakEven.seq,
      text: '🔒 STOP MOVED #BTCUSDT\nSide: LONG\nMoved by: break-even\nNew SL: 100.01 (+0.01 %)\nPrevious SL: 99 (-1.00 %)\nOEP: 100\nTP: 102 (+2.00 %)\nTrigger: Mark\nSource: breakout',
    }]);
    expect(breakEven.seq).toBeGreaterThan(set.seq);
    // A trailer move in flight at a crash: after the restart recovery reads the venue's stop, equal to the request, and
    // settles the move; the restarted notifier sends it with that stop, once.
    step(journal, 'market.mark', 'opened.breakEven', 'opened.movingStop');
    protection(journal, 'PROTECTION_REQUESTED', '100.5');
    const second = notifierOn(journal);
    journal.append('trade:sim:BTCUSDT', 'ACTOR_RESTORED', { symbol: 'BTCUSDT', fromSeq: 1, state: 'opened.movingStop' });
    const settled = step(journal, 'venue.protectionSet', 'opened.movingStop', 'opened.trailing');
    second.notifier.pump();
    clock.advanceBy(0);
    const texts = stopTexts(journal);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toMatchObject({ sourceSeq: settled.seq });
    expect(texts[1]!.text).toContain('\nMoved by: trailing\nNew SL: 100.5 (+0.50 %)\nPrevious SL: 100.01 (+0.01 %)\nOEP: 100\n');
    // The trailer's next move is measured from the stop recovery confirmed.
    step(journal, 'market.mark', 'opened.trailing', 'opened.movingStop');
    protect(journal, '101', 'PROTECTION_SET', 'opened.movingStop', 'opened.trailing');
    second.notifier.pump();
    clock.advanceBy(0);
    expect(stopTexts(journal).map((q) => /\nNew SL: (\S+) .*\nPrevious SL: (\S+) /s.exec(q.text)?.slice(1))).toEqual([['100.01', '99'], ['100.5', '100.01'], ['101', '100.5']]);
    expect(first.notifier.refusals() + second.notifier.refusals()).toBe(0);
  });

  it('S0-11 S0-18 X-NTF-2 a confirmed move of a cycle whose entry the notifier never saw is refused (no side, OEP or source), never sent half-filled', () => {
    const journal = openJournal({ path: ':memory:', clock });
    const { notifier } = notifierOn(journal);
    protection(journal, 'PROTECTION_SET', '99');
    step(journal, 'market.mark', 'opened.protected', 'opened.movingStop');
    protect(journal, '100.01', 'PROTECTION_SET', 'opened.movingStop', 'opened.breakEven');
    notifier.pump();
    clock.advanceBy(0);
    expect(stopTexts(journal)).toEqual([]);
    expect(notifier.refusals()).toBe(1);
  });
});
