/**
 * The hash rule of the journal chain (X-LOG-3): `hash = sha256(prev_hash ‖ canonical({seq, ts, stream, type, payload}))`
 * with a 32-byte zero genesis. Writer and verifier both call this file, so the rule exists once. Pure; no I/O.
 */
import { createHash, hash } from 'node:crypto';

/** The `prev_hash` of the first entry: 32 zero bytes. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** Length in bytes of every `hash` and `prev_hash` (SHA-256). */
export const HASH_BYTES = 32;

// JSON.stringify's text of a number; for a safe integer (every seq and ts) that is its decimal form, which String()
// writes a little faster.
const numberText = (n: number): string => (Number.isSafeInteger(n) ? String(n) : JSON.stringify(n));

/**
 * Returns the canonical text of an entry from its stored parts. `payloadJson` is embedded byte-for-byte (it is already
 * canonical when written by the journal), so the hash covers exactly what is stored; the result equals
 * `canonicalJson({ seq, ts, stream, type, payload })` for a canonical payload (keys sorted: payload, seq, stream, ts, type).
 */
export const entryCanonicalText = (seq: number, ts: number, stream: string, type: string, payloadJson: string): string =>
  `{"payload":${payloadJson},"seq":${numberText(seq)},"stream":${JSON.stringify(stream)},"ts":${numberText(ts)},"type":${JSON.stringify(type)}}`;

// One buffer for `prev ‖ text` of ordinary entries, hashed in one call (every append and every verified entry passes
// here); texts that could need more than it holds are streamed instead. Synchronous use only, so never shared.
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** Returns sha256(prev ‖ utf8(entryCanonicalText(...))). */
export const entryHash = (prev: Uint8Array, seq: number, ts: number, stream: string, type: string, payloadJson: string): Buffer => {
  const text = entryCanonicalText(seq, ts, stream, type, payloadJson);
  // A UTF-16 code unit is at most 3 bytes of UTF-8, so this bound is never short.
  if (prev.length + text.length * 3 > SCRATCH_BYTES) return createHash('sha256').update(prev).update(text, 'utf8').digest();
  scratch.set(prev, 0);
  const end = prev.length + scratch.write(text, prev.length, 'utf8');
  // The digest as a 'binary' (latin1) string, one char per byte so the round trip is exact, copied into a pooled
  // Buffer: about 0.35 µs less per hash than the 'buffer' output, whose every result is its own ArrayBuffer.
  return Buffer.from(hash('sha256', scratch.subarray(0, end), 'binary'), 'binary');
};
