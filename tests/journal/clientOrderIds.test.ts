/** Client order ids (X-ORD-1): format, length and charset invariant, and uniqueness across journal reopen. */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_MAX_LENGTH,
  ClientOrderIdError,
  INTENT_SEQUENCE,
  MAX_ATTEMPT,
  clientOrderIdPrefix,
  formatClientOrderId,
  nextClientOrderId,
  parseClientOrderId,
} from '../../src/journal/clientOrderIds.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { steppingClock, tempDir } from './fixtures.ts';

const SEED = 20261123;
const VENUE_SAFE = /^[A-Za-z0-9_-]+$/;

let tmp: ReturnType<typeof tempDir>;
let journal: Journal;
beforeEach(() => {
  tmp = tempDir('coid');
  journal = openJournal({ path: tmp.file('j.sqlite'), clock: steppingClock() });
});
afterEach(() => {
  journal.close();
  tmp.cleanup();
});

const word = (chars: string, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: 1, maxLength });
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';

describe('client order ids', () => {
  it('X-ORD-1 formats <bot>-<strategy>-<seq36>-<attempt36> and parses back', () => {
    const id = formatClientOrderId({ botId: 'tw1', strategyId: 'ma-cross', seq: 46655, attempt: 1 });
    expect(id).toBe('tw1-ma_cross-zzz-1');
    expect(parseClientOrderId(id)).toEqual({ bot: 'tw1', strategy: 'ma_cross', seq: 46655, attempt: 1, base: id, role: 'entry', n: 0 });
    // The role suffixes of the orders derived from an intent parse back to their base and role.
    expect(parseClientOrderId(`${id}-r2`)).toMatchObject({ base: id, role: 'entry', n: 2 });
    expect(parseClientOrderId(`${id}-x1`)).toMatchObject({ base: id, role: 'exit', n: 1 });
    expect(parseClientOrderId(`${id}-f3`)).toMatchObject({ base: id, role: 'flatten', n: 3 });
    expect(parseClientOrderId('web-123')).toBeUndefined();
  });

  it('X-ORD-1 the worst case is exactly 36 characters', () => {
    const id = formatClientOrderId({ botId: 'B'.repeat(40), strategyId: 's'.repeat(40), seq: Number.MAX_SAFE_INTEGER, attempt: MAX_ATTEMPT });
    expect(id).toHaveLength(CLIENT_ORDER_ID_MAX_LENGTH);
  });

  it('X-ORD-1 any valid input gives ≤ 36 venue-safe characters with a stable bot prefix (property)', () => {
    fc.assert(
      fc.property(
        word(ALNUM, 40),
        word(`${ALNUM}-`, 40),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: MAX_ATTEMPT }),
        (botId, strategyId, seq, attempt) => {
          const id = formatClientOrderId({ botId, strategyId, seq, attempt });
          expect(id.length).toBeLessThanOrEqual(CLIENT_ORDER_ID_MAX_LENGTH);
          expect(id).toMatch(VENUE_SAFE);
          expect(id.startsWith(clientOrderIdPrefix(botId))).toBe(true);
          expect(parseClientOrderId(id)).toMatchObject({ seq, attempt });
          // Deterministic: a retry rebuilds the same id.
          expect(formatClientOrderId({ botId, strategyId, seq, attempt })).toBe(id);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('refuses inputs that cannot form a safe id', () => {
    const bad: Array<Parameters<typeof formatClientOrderId>[0]> = [
      { botId: '', strategyId: 's', seq: 1 },
      { botId: 'a-b', strategyId: 's', seq: 1 },
      { botId: 'a', strategyId: 's.x', seq: 1 },
      { botId: 'a', strategyId: '', seq: 1 },
      { botId: 'a', strategyId: 's', seq: 0 },
      { botId: 'a', strategyId: 's', seq: 1.5 },
      { botId: 'a', strategyId: 's', seq: 1, attempt: MAX_ATTEMPT + 1 },
      { botId: 'a', strategyId: 's', seq: 1, attempt: -1 },
    ];
    for (const parts of bad) expect(() => formatClientOrderId(parts)).toThrow(ClientOrderIdError);
  });

  it('X-ORD-1 ids stay unique across journal reopen, even for strategies whose truncated names collide', () => {
    const path = tmp.file('j.sqlite');
    const ids = new Set<string>();
    const seqs: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 200; i++) {
        const strategyId = i % 2 === 0 ? 'momentum_fast_a' : 'momentum_fast_b';
        const { clientOrderId, seq } = nextClientOrderId(journal, { botId: 'tw', strategyId });
        ids.add(clientOrderId);
        seqs.push(seq);
      }
      journal.close();
      journal = openJournal({ path, clock: steppingClock() });
    }
    expect(ids.size).toBe(600);
    expect(seqs.every((s, i) => i === 0 || s > (seqs[i - 1] as number))).toBe(true);
  });

  it('X-ORD-1 a clock floor keeps ids unique after the journal file is replaced', () => {
    const first = nextClientOrderId(journal, { botId: 'tw', strategyId: 's', floorMs: 1_790_000_000_000 });
    const fresh = openJournal({ path: tmp.file('replacement.sqlite'), clock: steppingClock() });
    try {
      const later = nextClientOrderId(fresh, { botId: 'tw', strategyId: 's', floorMs: 1_790_000_000_500 });
      expect(later.seq).toBeGreaterThan(first.seq);
      expect(later.clientOrderId).not.toBe(first.clientOrderId);
    } finally {
      fresh.close();
    }
  });

  it('invalid input does not consume a sequence number', () => {
    const a = nextClientOrderId(journal, { botId: 'tw', strategyId: 's' });
    expect(() => nextClientOrderId(journal, { botId: 'bad bot', strategyId: 's' })).toThrow(ClientOrderIdError);
    expect(journal.nextSequence(INTENT_SEQUENCE)).toBe(a.seq + 1);
  });
});
