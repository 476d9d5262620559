/**
 * Tests of group commit (issue 17 item 3): batched appends chain each entry from the one before it with the head kept
 * in memory inside the write transaction; a rolled-back savepoint or transaction never leaves a stale head; the head
 * record is written once per committed transaction; and any program of appends, batches and nested transactions, some
 * of them throwing, leaves exactly what a one-entry-per-transaction journal of the committed operations would hold.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalError } from '../../src/domain/errors.ts';
import { Decimal } from '../../src/domain/money.ts';
import type { Clock } from '../../src/kernel/Clock.ts';
import type { JournalEntry } from '../../src/journal/Journal.ts';
import { readHeadRecord } from '../../src/journal/headRecord.ts';
import { verifyJournal } from '../../src/journal/verify.ts';
import { openRawJournal, type RawJournal } from '../support/rawJournal.ts';
import { referenceCanonicalJson } from './canonicalReference.ts';
import { steppingClock, tempDir } from './fixtures.ts';

const SEED = 20261217;

// Every read gives the same time, so two journals fed the same committed entries hold byte-identical chains.
const fixedClock: Clock = { now: () => 1_790_000_000_000 };

let tmp: ReturnType<typeof tempDir>;
let journal: RawJournal;
let path: string;

beforeEach(() => {
  tmp = tempDir('group-commit');
  path = tmp.file('journal.sqlite');
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

// What a committed entry is, without the lazy payload: the stored columns.
const stored = (e: JournalEntry) => ({ seq: e.seq, ts: e.ts, stream: e.stream, type: e.type, payloadJson: e.payloadJson, prevHash: e.prevHash.toString('hex'), hash: e.hash.toString('hex') });
const all = (j: RawJournal) => [...j.readEvents()].map(stored);

// The newest generation in the head file's two slots: how many times the head record has been written.
const headWrites = (journalPath: string): bigint => {
  const bytes = readFileSync(`${journalPath}.head`);
  let newest = 0n;
  for (const offset of [0, 128]) {
    if (bytes.length >= offset + 16 && bytes.subarray(offset, offset + 8).toString('ascii') === 'TWHEAD01') {
      const generation = bytes.readBigUInt64BE(offset + 8);
      if (generation > newest) newest = generation;
    }
  }
  return newest;
};

const orderPayload = (i: number) => ({
  clientOrderId: `tw-sma_cross-${i}-0`,
  side: i % 2 === 0 ? 'buy' : 'sell',
  quantity: new Decimal('0.0100'),
  price: new Decimal(65_000 + i).div(10),
  reduceOnly: false,
  note: undefined,
});

const orderInput = (clientOrderId: string) => ({
  clientOrderId,
  intentId: `intent-${clientOrderId}`,
  venue: 'sim',
  symbol: 'BTCUSDT',
  side: 'buy' as const,
  quantity: new Decimal('0.010'),
  price: new Decimal('65000.5'),
});

describe('group commit: the chain head inside a write transaction', () => {
  it('issue 17 X-LOG-3 appendBatch chains each entry from the one before it, exactly as one append per transaction does', () => {
    const batched = openRawJournal({ path: tmp.file('batched.sqlite'), clock: fixedClock });
    const single = openRawJournal({ path: tmp.file('single.sqlite'), clock: fixedClock });
    try {
      const items = Array.from({ length: 50 }, (_, i) => ({ stream: `order:${i % 7}`, type: i % 3 === 0 ? 'ORDER_REQUESTED' : 'STEP', payload: orderPayload(i) }));
      batched.append('s', 'FIRST', { n: 1 });
      const returned = batched.appendBatch(items);
      batched.appendBatch(items.slice(0, 5));
      single.append('s', 'FIRST', { n: 1 });
      for (const item of [...items, ...items.slice(0, 5)]) single.append(item.stream, item.type, item.payload);
      expect(returned.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
      for (let i = 1; i < returned.length; i++) expect(returned[i]?.prevHash.equals(returned[i - 1]?.hash ?? Buffer.alloc(0))).toBe(true);
      expect(all(batched)).toEqual(all(single));
      expect(batched.verify()).toMatchObject({ ok: true, entries: 56 });
    } finally {
      batched.close();
      single.close();
    }
  });

  it('issue 17 entries returned by appendBatch carry the canonical payload (Decimals as strings), equal to what readEvents reads back', () => {
    const returned = journal.appendBatch([
      { stream: 'order:a', type: 'ORDER_REQUESTED', payload: orderPayload(1) },
      { stream: 'order:b', type: 'ORDER_REQUESTED', payload: { nested: { q: new Decimal('1.500'), list: [new Decimal('-0'), 2] } } },
    ]);
    expect(returned[0]?.payload).toEqual({ clientOrderId: 'tw-sma_cross-1-0', side: 'sell', quantity: '0.01', price: '6500.1', reduceOnly: false });
    expect(returned[1]?.payload).toEqual({ nested: { list: ['0', 2], q: '1.5' } });
    // Parsed once: the same object on every read.
    expect(returned[0]?.payload).toBe(returned[0]?.payload);
    expect(returned).toEqual([...journal.readEvents()]);
    expect(returned.map((e) => JSON.stringify(e.payload))).toEqual(returned.map((e) => e.payloadJson));
  });

  it('issue 17 changing the hashes of a returned entry does not touch the chain the next entry links to', () => {
    const [a, b] = journal.appendBatch([
      { stream: 's', type: 'A', payload: {} },
      { stream: 's', type: 'B', payload: {} },
    ]);
    const bHash = Buffer.from(b?.hash ?? Buffer.alloc(0));
    a?.hash.fill(1);
    b?.prevHash.fill(2);
    b?.hash.fill(3);
    const c = journal.transaction(() => {
      const first = journal.append('s', 'C', {});
      first.hash.fill(4);
      first.prevHash.fill(5);
      return [first, journal.append('s', 'D', {})] as const;
    });
    expect(c[0].seq).toBe(3);
    expect(journal.verify()).toMatchObject({ ok: true, entries: 4 });
    expect([...journal.readEvents({ fromSeq: 3, limit: 1 })][0]?.prevHash.equals(bHash)).toBe(true);
  });

  it("issue 17 a caller's throw inside transaction(fn) after some appends leaves no stale head: the next write continues the committed chain", () => {
    const first = journal.append('s', 'A', { n: 1 });
    const boom = new Error('caller');
    const error = catchError(() =>
      journal.transaction(() => {
        journal.append('s', 'GONE', { n: 2 });
        journal.appendBatch([
          { stream: 's', type: 'GONE', payload: { n: 3 } },
          { stream: 's', type: 'GONE', payload: { n: 4 } },
        ]);
        journal.recordOrderRequested(orderInput('gone-1'));
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(journal.lastSeq()).toBe(1);
    const next = journal.append('s', 'B', {});
    expect(next.seq).toBe(2);
    expect(next.prevHash.equals(first.hash)).toBe(true);
    const batch = journal.appendBatch([{ stream: 's', type: 'C', payload: {} }]);
    expect(batch[0]?.seq).toBe(3);
    expect(journal.getOrder('gone-1')).toBeUndefined();
    expect(journal.verify()).toMatchObject({ ok: true, entries: 3, lastSeq: 3 });
  });

  it('I17 X-ORD-2 whenCommitted is undefined outside a transaction, resolves after the outermost commit (also from a savepoint), and rejects on a rollback', async () => {
    expect(journal.whenCommitted()).toBeUndefined();
    const events: string[] = [];
    let outer: Promise<void> | undefined;
    let inner: Promise<void> | undefined;
    journal.transaction(() => {
      journal.append('s', 'A', {});
      outer = journal.whenCommitted()!.then(() => void events.push(`outer after commit, ${String(journal.lastSeq())} committed`));
      journal.transaction(() => {
        journal.append('s', 'B', {});
        inner = journal.whenCommitted()!.then(() => void events.push('inner'));
      });
      events.push('transaction body done');
    });
    await Promise.all([outer, inner]);
    expect(events).toEqual(['transaction body done', 'outer after commit, 2 committed', 'inner']);

    const boom = new Error('decision failed');
    let rolledBack: Promise<void> | undefined;
    expect(catchError(() => journal.transaction(() => {
      journal.append('s', 'GONE', {});
      rolledBack = journal.whenCommitted();
      throw boom;
    }))).toBe(boom);
    await expect(rolledBack).rejects.toBe(boom);
    expect(journal.lastSeq()).toBe(2);
    expect(journal.whenCommitted()).toBeUndefined();
  });

  it('issue 17 a savepoint that rolls back inside an outer transaction restores the head it started from', () => {
    journal.append('s', 'BEFORE', {});
    journal.transaction(() => {
      const a = journal.append('s', 'A', {});
      const inner = catchError(() =>
        journal.transaction(() => {
          journal.append('s', 'GONE', {});
          journal.appendBatch([{ stream: 's', type: 'GONE', payload: {} }]);
          journal.transaction(() => journal.append('s', 'GONE', {}));
          throw new Error('inner');
        }),
      );
      expect(inner).toBeInstanceOf(Error);
      const b = journal.append('s', 'B', {});
      expect(b.seq).toBe(a.seq + 1);
      expect(b.prevHash.equals(a.hash)).toBe(true);
      // A batch that fails half-way is a savepoint too.
      const failed = catchError(() =>
        journal.appendBatch([
          { stream: 's', type: 'GONE', payload: { ok: 1 } },
          { stream: 's', type: 'GONE', payload: { bad: NaN } },
        ]),
      );
      expect(failed).toBeInstanceOf(JournalError);
      const c = journal.appendBatch([{ stream: 's', type: 'C', payload: {} }])[0];
      expect(c?.seq).toBe(b.seq + 1);
      expect(c?.prevHash.equals(b.hash)).toBe(true);
    });
    expect([...journal.readEvents()].map((e) => [e.seq, e.type])).toEqual([
      [1, 'BEFORE'],
      [2, 'A'],
      [3, 'B'],
      [4, 'C'],
    ]);
    expect(journal.verify()).toMatchObject({ ok: true, entries: 4 });
  });

  it('issue 17 a savepoint that committed inside an outer transaction that rolls back leaves nothing, and the next transaction reads the head again', () => {
    const first = journal.append('s', 'A', {});
    const error = catchError(() =>
      journal.transaction(() => {
        journal.transaction(() => journal.appendBatch(Array.from({ length: 10 }, (_, i) => ({ stream: 's', type: 'GONE', payload: { i } }))));
        journal.append('s', 'GONE', {});
        throw new Error('outer');
      }),
    );
    expect(error).toBeInstanceOf(Error);
    const next = journal.transaction(() => journal.appendBatch([{ stream: 's', type: 'B', payload: {} }]));
    expect(next[0]?.seq).toBe(2);
    expect(next[0]?.prevHash.equals(first.hash)).toBe(true);
    expect(journal.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('issue 17 each transaction reads the head afresh: entries another connection committed in between are chained after', () => {
    const file = tmp.file('shared.sqlite');
    const a = openRawJournal({ path: file, clock: steppingClock(), headRecord: false });
    const b = openRawJournal({ path: file, clock: steppingClock(), headRecord: false });
    try {
      a.appendBatch([{ stream: 'a', type: 'X', payload: {} }, { stream: 'a', type: 'X', payload: {} }]);
      b.append('b', 'Y', {});
      const third = a.appendBatch([{ stream: 'a', type: 'X', payload: {} }]);
      b.transaction(() => b.append('b', 'Y', {}));
      expect(third[0]?.seq).toBe(4);
      expect([...a.readEvents()].map((e) => e.stream)).toEqual(['a', 'a', 'b', 'a', 'b']);
      expect(a.verify()).toMatchObject({ ok: true, entries: 5 });
    } finally {
      a.close();
      b.close();
    }
  });

  it('issue 17 order, kv and snapshot writes inside a batch transaction take their seq from the cached head and stay covered', () => {
    journal.transaction(() => {
      journal.appendBatch([{ stream: 's', type: 'A', payload: {} }]);
      const { entry, order } = journal.recordOrderRequested(orderInput('c-1'));
      expect(order.createdSeq).toBe(entry.seq);
      journal.kvSet('mode', { at: new Decimal('1.0') });
      journal.appendWithSnapshot('trade:a', 'STEP', {}, { actorId: 'trade:a', machineVersion: 'trade@1', snapshot: { v: 1 } });
      journal.recordOrderUpdate({ clientOrderId: 'c-1', type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: 'v-1' });
    });
    expect(journal.lastSeq()).toBe(5);
    expect(journal.getOrder('c-1')).toMatchObject({ createdSeq: 2, updatedSeq: 5, state: 'new' });
    expect(journal.verify()).toMatchObject({ ok: true, entries: 5 });
  });

  it('issue 17 a head cached past a rollback cannot commit: the check before commit rolls the transaction back', () => {
    const first = journal.append('s', 'A', {});
    // White-box: make the cached head claim an entry the file does not hold, as a missed rollback would.
    const internals = journal as unknown as { chainHead: { seq: number; hash: Buffer; base: number } | undefined };
    const error = catchError(() =>
      journal.transaction(() => {
        const e = journal.append('s', 'B', {});
        internals.chainHead = { seq: e.seq + 1, hash: e.hash, base: first.seq };
        journal.append('s', 'C', {});
      }),
    );
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).message).toMatch(/chain head check/);
    expect(journal.lastSeq()).toBe(1);
    expect(journal.verify()).toMatchObject({ ok: true, entries: 1 });
    expect(journal.append('s', 'D', {}).seq).toBe(2);
  });
});

describe('group commit: the head record', () => {
  it('issue 17 the head record is written once per committed outermost transaction, never per entry', () => {
    const start = headWrites(path);
    journal.appendBatch(Array.from({ length: 100 }, (_, i) => ({ stream: 's', type: 'A', payload: { i } })));
    expect(headWrites(path)).toBe(start + 1n);
    journal.transaction(() => {
      journal.append('s', 'B', {});
      journal.transaction(() => journal.appendBatch([{ stream: 's', type: 'B', payload: {} }, { stream: 's', type: 'B', payload: {} }]));
      catchError(() => journal.transaction(() => {
        journal.append('s', 'GONE', {});
        throw new Error('inner');
      }));
      journal.kvSet('k', 1);
    });
    expect(headWrites(path)).toBe(start + 2n);
    catchError(() => journal.transaction(() => {
      journal.appendBatch([{ stream: 's', type: 'GONE', payload: {} }]);
      throw new Error('outer');
    }));
    journal.transaction(() => journal.lastSeq());
    expect(headWrites(path)).toBe(start + 2n);
    const recorded = readHeadRecord(path);
    const last = journal.lastEventOfType('KV_SET');
    expect(recorded).toEqual({ kind: 'present', head: { seq: journal.lastSeq(), hash: last?.hash.toString('hex') } });
    expect(journal.lastSeq()).toBe(104);
  });
});

// A program of journal operations. A leaf fails when it is poisoned (a NaN payload, refused after the entries before it
// in a batch were inserted); a transaction fails when its function throws at `throwAt` or a child fails uncaught.
type Payload = Readonly<Record<string, unknown>>;
type Item = { readonly stream: string; readonly type: string; readonly payload: Payload };
type Op =
  | { readonly kind: 'append'; readonly item: Item; readonly poison: boolean }
  | { readonly kind: 'batch'; readonly items: ReadonlyArray<Item>; readonly poisonAt: number | null }
  | { readonly kind: 'kv'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'order' }
  | { readonly kind: 'tx'; readonly body: ReadonlyArray<Op>; readonly catchFailures: boolean; readonly throwAt: number | null };

// What one committed leaf did, to be replayed on the reference journal one entry per transaction.
type Effect =
  | { readonly kind: 'append'; readonly item: Item; readonly entry: JournalEntry }
  | { readonly kind: 'kv'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'order'; readonly clientOrderId: string; readonly entry: JournalEntry };

class CallerThrow extends Error {}

const POISON: Payload = { bad: NaN };

// The model: whether an operation fails, from its shape alone.
const fails = (op: Op): boolean => {
  switch (op.kind) {
    case 'append':
      return op.poison;
    case 'batch':
      return op.poisonAt !== null && op.poisonAt < op.items.length;
    case 'kv':
    case 'order':
      return false;
    case 'tx': {
      const throwAt = op.throwAt !== null && op.throwAt <= op.body.length ? op.throwAt : op.body.length + 1;
      if (!op.catchFailures && op.body.slice(0, throwAt).some(fails)) return true;
      return throwAt <= op.body.length;
    }
  }
};

const isExpectedFailure = (e: unknown): boolean => e instanceof JournalError || e instanceof CallerThrow;

// Runs one operation on the journal under test; returns the effects of its committed part, throws when it fails.
const run = (j: RawJournal, op: Op, ids: { next: number }): Effect[] => {
  switch (op.kind) {
    case 'append': {
      const entry = j.append(op.item.stream, op.item.type, op.poison ? POISON : op.item.payload);
      return [{ kind: 'append', item: op.item, entry }];
    }
    case 'batch': {
      const items = op.items.map((item, i) => (i === op.poisonAt ? { ...item, payload: POISON } : item));
      return j.appendBatch(items).map((entry, i) => ({ kind: 'append', item: items[i] as Item, entry }));
    }
    case 'kv':
      j.kvSet(op.key, op.value);
      return [{ kind: 'kv', key: op.key, value: op.value }];
    case 'order': {
      const clientOrderId = `o-${ids.next++}`;
      return [{ kind: 'order', clientOrderId, entry: j.recordOrderRequested(orderInput(clientOrderId)).entry }];
    }
    case 'tx':
      return j.transaction(() => {
        const effects: Effect[] = [];
        op.body.forEach((child, i) => {
          if (op.throwAt === i) throw new CallerThrow('caller');
          effects.push(...(op.catchFailures ? attempt(j, child, ids) : run(j, child, ids)));
        });
        if (op.throwAt === op.body.length) throw new CallerThrow('caller');
        return effects;
      });
  }
};

// Runs an operation whose failure the caller catches, checking that it fails exactly when the model says it must.
const attempt = (j: RawJournal, op: Op, ids: { next: number }): Effect[] => {
  try {
    const effects = run(j, op, ids);
    expect(fails(op), 'the operation succeeded though the model says it fails').toBe(false);
    return effects;
  } catch (e) {
    if (!isExpectedFailure(e)) throw e;
    expect(fails(op), `the operation failed though the model says it succeeds: ${String(e)}`).toBe(true);
    return [];
  }
};

const decimalArb = fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 8 })).map(([digits, scale]) => new Decimal(`${digits}e-${scale}`));
const payloadArb: fc.Arbitrary<Payload> = fc.dictionary(
  fc.constantFrom('a', 'b', 'qty', 'price', 'side', 'nested'),
  fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), decimalArb, fc.record({ q: decimalArb, tag: fc.string({ maxLength: 3 }) })),
  { maxKeys: 4 },
);
const itemArb: fc.Arbitrary<Item> = fc.record({ stream: fc.constantFrom('s', 'order:x', 'trade:a'), type: fc.constantFrom('A', 'B', 'STEP'), payload: payloadArb });
const { op: opArb } = fc.letrec<{ op: Op; leaf: Op; tx: Op }>((tie) => ({
  op: fc.oneof({ maxDepth: 3, depthIdentifier: 'op' }, { arbitrary: tie('leaf'), weight: 3 }, { arbitrary: tie('tx'), weight: 2 }),
  leaf: fc.oneof(
    fc.record({ kind: fc.constant('append' as const), item: itemArb, poison: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }) }),
    fc.record({ kind: fc.constant('batch' as const), items: fc.array(itemArb, { minLength: 1, maxLength: 6 }), poisonAt: fc.option(fc.nat(7), { freq: 3, nil: null }) }),
    fc.record({ kind: fc.constant('kv' as const), key: fc.constantFrom('k1', 'k2'), value: fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), payloadArb) }),
    fc.constant({ kind: 'order' as const }),
  ),
  tx: fc.record({
    kind: fc.constant('tx' as const),
    body: fc.array(tie('op'), { maxLength: 4, depthIdentifier: 'op' }),
    catchFailures: fc.boolean(),
    throwAt: fc.option(fc.nat(4), { freq: 3, nil: null }),
  }),
}));

describe('group commit: any program of appends, batches and nested transactions (property)', () => {
  it('issue 17 X-LOG-3 random programs with nested savepoints, some throwing, leave a verified journal equal to a one-entry-per-transaction journal of the committed operations', () => {
    let runNo = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 8 }), (program) => {
        const file = tmp.file(`program-${runNo++}.sqlite`);
        const underTest = openRawJournal({ path: file, clock: fixedClock });
        const reference = openRawJournal({ path: ':memory:', clock: fixedClock });
        try {
          const ids = { next: 1 };
          const committed = program.flatMap((op) => attempt(underTest, op, ids));
          // The reference: every committed leaf again, each in its own transaction.
          for (const effect of committed) {
            if (effect.kind === 'append') reference.append(effect.item.stream, effect.item.type, effect.item.payload);
            else if (effect.kind === 'kv') reference.kvSet(effect.key, effect.value);
            else reference.recordOrderRequested(orderInput(effect.clientOrderId));
          }
          const expected = all(reference);
          expect(all(underTest)).toEqual(expected);
          // What each committed call returned is the entry that stayed in the file.
          for (const effect of committed) if (effect.kind !== 'kv') expect(stored(effect.entry)).toEqual(expected[effect.entry.seq - 1]);
          expect(expected.map((e) => e.seq)).toEqual(expected.map((_, i) => i + 1));
          // verify() also checks the head record against the file, and the tables against the entries.
          expect(underTest.verify()).toMatchObject({ ok: true, entries: expected.length });
          const head = readHeadRecord(file);
          expect(head).toEqual({ kind: 'present', head: { seq: expected.length, hash: expected.at(-1)?.hash ?? '0'.repeat(64) } });
        } finally {
          underTest.close();
          reference.close();
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

// Batches of every size around the rows appendBatch puts in one INSERT (64): below, at, across one and two chunks.
const bigPayloadArb: fc.Arbitrary<Payload> = fc.dictionary(
  fc.oneof(fc.constantFrom('a', 'qty', 'price', 'side', 'clientOrderId', '0', '10', 'é', 'Z'), fc.string({ maxLength: 3 })),
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    decimalArb,
    fc.array(fc.oneof(decimalArb, fc.string({ maxLength: 3 })), { maxLength: 3 }),
    fc.record({ q: decimalArb, tag: fc.string({ maxLength: 3 }) }),
  ),
  { maxKeys: 8 },
);
const batchArb = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(63, 64, 65, 127, 128, 129), fc.integer({ min: 60, max: 200 })),
    fc.option(fc.nat(210), { freq: 2, nil: null }),
  )
  .chain(([size, poisonAt]) =>
    fc.record({
      items: fc.array(
        fc.record({ stream: fc.oneof(fc.constantFrom('s', 'order:tw-1', 'trade:é"\\'), fc.string({ unit: 'binary', maxLength: 4 }).map((x) => `x${x}`)), type: fc.constantFrom('A', 'ORDER_REQUESTED'), payload: bigPayloadArb }),
        { minLength: size, maxLength: size },
      ),
      poisonAt: fc.constant(poisonAt !== null && poisonAt < size ? poisonAt : null),
    }),
  );

// The hash rule computed from the reference serializer alone: sha256(prev ‖ utf8(canonical({payload, seq, stream, ts, type}))).
const referenceHash = (prev: Buffer, seq: number, ts: number, stream: string, type: string, payload: unknown): string =>
  createHash('sha256').update(prev).update(referenceCanonicalJson({ payload, seq, stream, ts, type }), 'utf8').digest('hex');

describe('group commit: many rows per INSERT (property)', () => {
  it('issue 17 X-LOG-3 appendBatch of any size writes, returns and hashes byte for byte what one append per entry and the reference serializer give, reads the clock once per entry, and a refused entry anywhere in a chunk commits nothing', () => {
    let runNo = 0;
    fc.assert(
      fc.property(fc.array(batchArb, { minLength: 1, maxLength: 3 }), (batches) => {
        const file = tmp.file(`chunks-${runNo++}.sqlite`);
        const clock = steppingClock();
        const referenceClock = steppingClock();
        const underTest = openRawJournal({ path: file, clock });
        const reference = openRawJournal({ path: ':memory:', clock: referenceClock });
        try {
          for (const batch of batches) {
            const items = batch.items.map((item, i) => (i === batch.poisonAt ? { ...item, payload: { ...item.payload, bad: NaN } } : item));
            const before = underTest.lastSeq();
            if (batch.poisonAt !== null) {
              const error = catchError(() => underTest.appendBatch(items));
              expect(error).toBeInstanceOf(JournalError);
              expect((error as JournalError).message).toContain('$.bad: non_finite_number');
              expect(underTest.lastSeq()).toBe(before);
              // The entries before the refused one read the clock, in order, as they did one INSERT at a time.
              for (let i = 0; i < batch.poisonAt; i++) referenceClock.now();
              continue;
            }
            const returned = underTest.appendBatch(items);
            const expected = items.map((item) => reference.append(item.stream, item.type, item.payload));
            expect(returned.map(stored)).toEqual(expected.map(stored));
            returned.forEach((entry, i) => {
              const item = items[i] as Item;
              expect(entry.seq).toBe(before + i + 1);
              expect(entry.payloadJson).toBe(referenceCanonicalJson(item.payload));
              expect(entry.hash.toString('hex')).toBe(referenceHash(entry.prevHash, entry.seq, entry.ts, entry.stream, entry.type, item.payload));
              expect(entry.payload).toEqual(JSON.parse(entry.payloadJson));
            });
          }
          expect(clock.reads()).toBe(referenceClock.reads());
          const rows = all(underTest);
          expect(rows).toEqual(all(reference));
          underTest.close();
          expect(verifyJournal(file)).toMatchObject({ ok: true, entries: rows.length });
        } finally {
          underTest.close();
          reference.close();
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('issue 17 X-LOG-3 a refused entry in a later chunk of a batch inside a transaction rolls back only that batch: the caller catches it and the rest commits, chained', () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ stream: `order:${i}`, type: 'A', payload: orderPayload(i) }));
    const poisoned = items.map((item, i) => (i === 140 ? { ...item, payload: { ...item.payload, bad: NaN } } : item));
    const kept = journal.transaction(() => {
      const first = journal.appendBatch(items.slice(0, 70));
      expect(catchError(() => journal.appendBatch(poisoned))).toBeInstanceOf(JournalError);
      return [...first, ...journal.appendBatch(items.slice(70))];
    });
    expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(all(journal)).toEqual(kept.map(stored));
    expect(journal.verify()).toMatchObject({ ok: true, entries: 150 });
    expect(readHeadRecord(path)).toEqual({ kind: 'present', head: { seq: 150, hash: kept.at(-1)?.hash.toString('hex') } });
  });
});
