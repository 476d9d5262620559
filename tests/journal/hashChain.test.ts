/** Tests of the hash rule's one implementation (X-LOG-3): the one-shot path over a reused buffer hashes what the rule says. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryCanonicalText, entryHash } from '../../src/journal/hashChain.ts';

const SEED = 20261217;

// The rule spelled out with the streaming API: sha256(prev ‖ utf8(canonical text)).
const streamed = (prev: Uint8Array, seq: number, ts: number, stream: string, type: string, payloadJson: string): Buffer =>
  createHash('sha256').update(prev).update(entryCanonicalText(seq, ts, stream, type, payloadJson), 'utf8').digest();

describe('entryHash', () => {
  it('issue 17 X-LOG-3 equals sha256(prev ‖ utf8(entry text)) for any text, including astral and lone-surrogate characters (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 400 }),
        (prev, seq, ts, stream, type, payload) => {
          const payloadJson = JSON.stringify({ p: payload });
          expect(entryHash(prev, seq, ts, stream, type, payloadJson).equals(streamed(prev, seq, ts, stream, type, payloadJson))).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('issue 17 hashes large payloads (past the reused buffer) and back-to-back calls independently', () => {
    const big = JSON.stringify({ blob: 'é€😀'.repeat(30_000) });
    const small = '{"a":1}';
    const first = entryHash(GENESIS_HASH, 1, 5, 's', 'T', big);
    const second = entryHash(first, 2, 6, 's', 'T', small);
    const third = entryHash(second, 3, 7, 's', 'T', big.slice(0, 21_000) + '"}');
    expect(first.equals(streamed(GENESIS_HASH, 1, 5, 's', 'T', big))).toBe(true);
    expect(second.equals(streamed(first, 2, 6, 's', 'T', small))).toBe(true);
    expect(third.equals(streamed(second, 3, 7, 's', 'T', big.slice(0, 21_000) + '"}'))).toBe(true);
    // The returned hash is its own buffer: a later call does not change an earlier result.
    expect(first.equals(streamed(GENESIS_HASH, 1, 5, 's', 'T', big))).toBe(true);
    expect(second.equals(streamed(first, 2, 6, 's', 'T', small))).toBe(true);
  });

  it('issue 17 X-LOG-3 the entry text writes seq and ts exactly as JSON.stringify does, for any number', () => {
    const asJson = (seq: number, ts: number, stream: string, type: string, payloadJson: string): string =>
      `{"payload":${payloadJson},"seq":${JSON.stringify(seq)},"stream":${JSON.stringify(stream)},"ts":${JSON.stringify(ts)},"type":${JSON.stringify(type)}}`;
    const numberArb = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.double(), fc.constantFrom(-0, 2 ** 53, 1e21, -1, 0.5));
    fc.assert(
      fc.property(numberArb, numberArb, fc.string({ unit: 'binary', maxLength: 8 }), (seq, ts, stream) => {
        expect(entryCanonicalText(seq, ts, stream, 'T', '{}')).toBe(asJson(seq, ts, stream, 'T', '{}'));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
