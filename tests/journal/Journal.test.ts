/** Tests of the journal store: hash chain, transactions, snapshots, the orders projection, kv and counters (DESIGN §4). */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalError } from '../../src/domain/errors.ts';
import { Decimal } from '../../src/domain/money.ts';
import { canonicalJson } from '../../src/journal/canonical.ts';
import { GENESIS_HASH } from '../../src/journal/hashChain.ts';
import { ORDER_REQUESTED } from '../../src/journal/Journal.ts';
import { SCHEMA_VERSION } from '../../src/journal/schema.ts';
import { openRawJournal, type RawJournal } from '../support/rawJournal.ts';
import { steppingClock, tempDir } from './fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let journal: RawJournal;
let path: string;

beforeEach(() => {
  tmp = tempDir('journal');
  path = tmp.file('nested/journal.sqlite');
  journal = openRawJournal({ path, clock: steppingClock() });
});
afterEach(() => {
  journal.close();
  tmp.cleanup();
});

const catchError = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

const orderInput = (clientOrderId: string) => ({
  clientOrderId,
  intentId: 'intent-1',
  venue: 'sim',
  symbol: 'BTCUSDT',
  side: 'buy' as const,
  quantity: new Decimal('0.010'),
  price: new Decimal('65000.5'),
  orderType: 'limit' as const,
  timeInForce: 'post_only' as const,
  reduceOnly: false,
});

describe('Journal append and hash chain', () => {
  it('X-LOG-3 chains entries: hash = sha256(prev_hash ‖ canonical({seq, ts, stream, type, payload})) from a zero genesis', () => {
    const a = journal.append('trade:sim:BTCUSDT', 'INTENT_APPROVED', { qty: new Decimal('1.50'), b: 2, a: 1 });
    const b = journal.append('trade:sim:BTCUSDT', 'ORDER_ACKED', { venueOrderId: 'v1' });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.prevHash.equals(GENESIS_HASH)).toBe(true);
    expect(b.prevHash.equals(a.hash)).toBe(true);
    expect(a.payloadJson).toBe('{"a":1,"b":2,"qty":"1.5"}');
    expect(a.payload).toEqual({ a: 1, b: 2, qty: '1.5' });
    for (const [entry, prev] of [[a, GENESIS_HASH], [b, a.hash]] as const) {
      const expected = createHash('sha256')
        .update(prev)
        .update(canonicalJson({ seq: entry.seq, ts: entry.ts, stream: entry.stream, type: entry.type, payload: entry.payload }))
        .digest();
      expect(entry.hash.equals(expected)).toBe(true);
    }
  });

  it('stamps entries with the injected clock', () => {
    const clock = steppingClock(5_000, 10);
    const j = openRawJournal({ path: tmp.file('clocked.sqlite'), clock });
    const before = clock.reads();
    const e = j.append('s', 'T', {});
    j.close();
    expect(clock.reads()).toBeGreaterThan(before);
    expect(e.ts % 10).toBe(0);
    expect(e.ts).toBeGreaterThanOrEqual(5_000);
  });

  it('X-LOG-4 reopens a WAL file with synchronous=FULL and continues the same chain', () => {
    const first = journal.append('s', 'A', { n: 1 });
    expect(journal.durability()).toEqual({ journalMode: 'wal', synchronous: 2 });
    journal.close();
    journal = openRawJournal({ path, clock: steppingClock(1_800_000_000_000) });
    expect(journal.durability()).toEqual({ journalMode: 'wal', synchronous: 2 });
    expect(journal.schemaVersion).toBe(SCHEMA_VERSION);
    const second = journal.append('s', 'B', { n: 2 });
    expect(second.seq).toBe(first.seq + 1);
    expect(second.prevHash.equals(first.hash)).toBe(true);
    expect(journal.verify()).toMatchObject({ ok: true, entries: 2, lastSeq: 2, headHash: second.hash.toString('hex') });
  });

  it('appendBatch commits all entries in one transaction or none of them', () => {
    journal.append('s', 'A', {});
    const batch = journal.appendBatch([
      { stream: 's', type: 'B', payload: { i: 1 } },
      { stream: 't', type: 'C', payload: { i: 2 } },
    ]);
    expect(batch.map((e) => e.seq)).toEqual([2, 3]);
    const error = catchError(() =>
      journal.appendBatch([
        { stream: 's', type: 'D', payload: { i: 3 } },
        { stream: 's', type: 'E', payload: { bad: NaN } },
      ]),
    );
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).message).toMatch(/non_finite_number/);
    expect(journal.lastSeq()).toBe(3);
    expect(journal.lastEventOfType('D')).toBeUndefined();
  });

  it('rejects empty stream or type names with JournalError', () => {
    expect(catchError(() => journal.append('', 'T', {}))).toBeInstanceOf(JournalError);
    expect(catchError(() => journal.append('s', '', {}))).toBeInstanceOf(JournalError);
    expect(journal.lastSeq()).toBe(0);
  });
});

describe('Journal transactions', () => {
  it('commits an event, a snapshot and a projection row atomically', () => {
    journal.transaction(() => {
      journal.appendWithSnapshot('trade:sim:BTCUSDT', 'STEP', { to: 'working' }, { actorId: 'trade:sim:BTCUSDT', machineVersion: 'trade@1', snapshot: { value: 'working', context: { filled: '0' } } });
      journal.recordOrderRequested(orderInput('c-1'));
      journal.recordOrderUpdate({ clientOrderId: 'c-1', type: 'ORDER_ACKNOWLEDGED', state: 'new' });
    });
    expect(journal.lastSeq()).toBe(3);
    expect(journal.loadSnapshot('trade:sim:BTCUSDT')).toMatchObject({ seq: 1, machineVersion: 'trade@1', snapshot: { value: 'working' } });
    expect(journal.getOrder('c-1')?.state).toBe('new');
  });

  it('rolls back everything when the function throws and rethrows the caller error unchanged', () => {
    const boom = new Error('boom');
    const error = catchError(() =>
      journal.transaction(() => {
        journal.appendWithSnapshot('s', 'STEP', {}, { actorId: 'a', machineVersion: 'v1', snapshot: { x: 1 } });
        journal.kvSet('mode', 'PAPER');
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(journal.lastSeq()).toBe(0);
    expect(journal.loadSnapshot('a')).toBeUndefined();
    expect(journal.kvGet('mode')).toBeUndefined();
  });

  it('nested transactions are savepoints: a caught inner failure keeps the outer work', () => {
    journal.transaction(() => {
      journal.append('s', 'OUTER', {});
      const inner = catchError(() =>
        journal.transaction(() => {
          journal.append('s', 'INNER', {});
          throw new Error('inner');
        }),
      );
      expect(inner).toBeInstanceOf(Error);
      journal.append('s', 'AFTER', {});
    });
    expect([...journal.readEvents()].map((e) => e.type)).toEqual(['OUTER', 'AFTER']);
    expect(journal.verify().ok).toBe(true);
  });
});

describe('Journal snapshots', () => {
  it('keeps the latest snapshot per actor with its machine version and seq', () => {
    const snap = (actorId: string, machineVersion: string, snapshot: unknown) => journal.appendWithSnapshot(actorId, 'STEP', {}, { actorId, machineVersion, snapshot });
    snap('trade:b', 'trade@1', { value: 'idle' });
    snap('trade:a', 'trade@1', { value: 'working' });
    journal.append('s', 'OTHER', {});
    snap('trade:b', 'trade@2', { value: 'opened', context: { oep: new Decimal('100.10') } });
    expect(journal.loadSnapshot('trade:b')).toMatchObject({ actorId: 'trade:b', machineVersion: 'trade@2', seq: 4, snapshot: { value: 'opened', context: { oep: '100.1' } } });
    expect(journal.loadSnapshots().map((s) => [s.actorId, s.seq])).toEqual([
      ['trade:a', 2],
      ['trade:b', 4],
    ]);
    expect(journal.verify().ok).toBe(true);
    expect(journal.loadSnapshot('nope')).toBeUndefined();
  });
});

describe('Journal orders projection and the write-ahead record', () => {
  it('X-REC-1 recordOrderRequested commits ORDER_REQUESTED and the requested row, visible to another connection on return', () => {
    const { entry, order } = journal.recordOrderRequested({ ...orderInput('tw-s-1-0'), details: { attempt: 0 } });
    expect(entry.type).toBe(ORDER_REQUESTED);
    expect(entry.stream).toBe('order:tw-s-1-0');
    expect(entry.payload).toMatchObject({ clientOrderId: 'tw-s-1-0', quantity: '0.01', price: '65000.5', attempt: 0, timeInForce: 'post_only' });
    expect(order).toMatchObject({ state: 'requested', createdSeq: entry.seq, updatedSeq: entry.seq, venueOrderId: undefined });
    expect(order.quantity.eq('0.01')).toBe(true);
    // A second connection sees only committed data: the write-ahead record is durable before the request is sent.
    const reader = openRawJournal({ path, clock: steppingClock(), readonly: true });
    try {
      expect(reader.getOrder('tw-s-1-0')?.state).toBe('requested');
      expect(reader.lastEventOfType(ORDER_REQUESTED)?.seq).toBe(entry.seq);
      expect(reader.durability().synchronous).toBe(2);
    } finally {
      reader.close();
    }
  });

  it('X-ORD-1 refuses a second request with the same client order id and journals nothing for it', () => {
    journal.recordOrderRequested(orderInput('dup-1'));
    const error = catchError(() => journal.recordOrderRequested({ ...orderInput('dup-1'), intentId: 'intent-2' }));
    expect(error).toBeInstanceOf(JournalError);
    expect(String((error as JournalError).message)).toMatch(/already requested/);
    expect(journal.lastSeq()).toBe(1);
  });

  it('recordOrderUpdate journals ack and fill with the projection in step', () => {
    journal.recordOrderRequested(orderInput('c-2'));
    const ack = journal.recordOrderUpdate({ clientOrderId: 'c-2', type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: 'v-77' });
    const fill = journal.recordOrderUpdate({
      clientOrderId: 'c-2',
      type: 'ORDER_FILLED',
      state: 'filled',
      filledQuantity: new Decimal('0.01'),
      payload: { tradeId: 't-1', price: new Decimal('65000.5') },
    });
    expect(ack.order).toMatchObject({ state: 'new', venueOrderId: 'v-77', updatedSeq: ack.entry.seq });
    expect(fill.order).toMatchObject({ state: 'filled', venueOrderId: 'v-77', createdSeq: 1, updatedSeq: fill.entry.seq });
    expect(fill.order.filledQuantity.eq('0.01')).toBe(true);
    expect(fill.entry.payload).toMatchObject({ tradeId: 't-1', price: '65000.5', state: 'filled' });
    expect(catchError(() => journal.recordOrderUpdate({ clientOrderId: 'nope', type: 'ORDER_ACKNOWLEDGED', state: 'new' }))).toBeInstanceOf(JournalError);
  });

  it('refuses a second write-ahead record for an existing client order id, and keeps the first', () => {
    journal.recordOrderRequested(orderInput('c-3'));
    const error = catchError(() => journal.recordOrderRequested({ ...orderInput('c-3'), symbol: 'ETHUSDT' }));
    expect(error).toBeInstanceOf(JournalError);
    expect(journal.getOrder('c-3')?.symbol).toBe(orderInput('c-3').symbol);
  });

  it('ordersInState lists rows by creation order', () => {
    journal.recordOrderRequested(orderInput('o-1'));
    journal.recordOrderRequested(orderInput('o-2'));
    journal.recordOrderRequested(orderInput('o-3'));
    journal.recordOrderUpdate({ clientOrderId: 'o-2', type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: 'v2' });
    journal.recordOrderUpdate({ clientOrderId: 'o-3', type: 'ORDER_TIMEOUT', state: 'ambiguous' });
    expect(journal.ordersInState(['requested', 'ambiguous']).map((o) => o.clientOrderId)).toEqual(['o-1', 'o-3']);
    expect(journal.ordersInState(['new']).map((o) => o.clientOrderId)).toEqual(['o-2']);
    expect(journal.ordersInState([])).toEqual([]);
  });
});

describe('Journal kv, counters and reads', () => {
  it('stores kv values as canonical JSON with the current seq', () => {
    journal.append('s', 'A', {});
    journal.kvSet('kill', { active: true, reason: 'manual', at: 5 });
    expect(journal.kvGet('kill')).toEqual({ active: true, at: 5, reason: 'manual' });
    journal.kvSet('kill', false);
    expect(journal.kvGet('kill')).toBe(false);
    expect(journal.kvDelete('kill')).toBe(true);
    expect(journal.kvDelete('kill')).toBe(false);
    expect(journal.kvGet('kill')).toBeUndefined();
  });

  it('nextSequence is monotonic, persisted across reopen, and honours a floor', () => {
    expect([journal.nextSequence('x'), journal.nextSequence('x'), journal.nextSequence('y')]).toEqual([1, 2, 1]);
    journal.close();
    journal = openRawJournal({ path, clock: steppingClock() });
    expect(journal.nextSequence('x')).toBe(3);
    expect(journal.nextSequence('x', 1000)).toBe(1000);
    expect(journal.nextSequence('x', 10)).toBe(1001);
  });

  it('readEvents filters by fromSeq, stream, type and limit, in seq order', () => {
    for (let i = 1; i <= 10; i++) journal.append(i % 2 === 0 ? 'even' : 'odd', i % 3 === 0 ? 'THREE' : 'OTHER', { i });
    const seqs = (q: Parameters<RawJournal['readEvents']>[0]) => [...journal.readEvents(q)].map((e) => e.seq);
    expect(seqs({})).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seqs({ fromSeq: 8 })).toEqual([8, 9, 10]);
    expect(seqs({ stream: 'even' })).toEqual([2, 4, 6, 8, 10]);
    expect(seqs({ type: 'THREE', stream: 'odd' })).toEqual([3, 9]);
    expect(seqs({ fromSeq: 3, limit: 2 })).toEqual([3, 4]);
    expect(journal.lastEventOfType('THREE')?.payload).toEqual({ i: 9 });
  });

  it('a reader that stops early releases the connection for the next write', () => {
    for (let i = 1; i <= 5; i++) journal.append('s', 'T', { i });
    for (const e of journal.readEvents()) {
      if (e.seq === 2) break;
    }
    expect(journal.append('s', 'T', { i: 6 }).seq).toBe(6);
  });
});

describe('Journal failure modes', () => {
  it('a read-only journal reads but refuses writes with JournalError', () => {
    journal.append('s', 'A', { n: 1 });
    const reader = openRawJournal({ path, clock: steppingClock(), readonly: true });
    try {
      expect(reader.lastSeq()).toBe(1);
      const error = catchError(() => reader.append('s', 'B', {}));
      expect(error).toBeInstanceOf(JournalError);
      expect((error as JournalError).message).toMatch(/read-only/);
    } finally {
      reader.close();
    }
  });

  it('opening a missing file read-only or a newer schema fails with JournalError', () => {
    expect(catchError(() => openRawJournal({ path: tmp.file('missing.sqlite'), clock: steppingClock(), readonly: true }))).toBeInstanceOf(JournalError);
    journal.close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations (version, applied_ts) VALUES (?, 0)').run(SCHEMA_VERSION + 1);
    raw.close();
    const error = catchError(() => (journal = openRawJournal({ path, clock: steppingClock() })));
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).message).toMatch(/newer than this build/);
  });

  it('a closed journal throws JournalError instead of a driver error', () => {
    journal.close();
    journal.close();
    const error = catchError(() => journal.lastSeq());
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).message).toMatch(/closed/);
  });

  it('a clock returning a fractional time is refused rather than stored', () => {
    journal.close();
    const j = openRawJournal({ path, clock: { now: () => 1.5 } });
    try {
      expect(catchError(() => j.append('s', 'A', {}))).toBeInstanceOf(JournalError);
      expect(j.lastSeq()).toBe(0);
    } finally {
      j.close();
    }
  });
});
