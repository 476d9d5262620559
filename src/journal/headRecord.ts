/**
 * The durable head record of a journal: `<journal>.head`, a small file outside SQLite's WAL that holds the sequence
 * number and hash of the last committed entry, rewritten after every commit. A restart compares it with the journal,
 * so committed entries lost with a deleted or truncated `-wal` file are detected instead of silently forgotten.
 * Two checksummed slots are written alternately, so a torn write leaves the previous head readable.
 */
import { closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { HASH_BYTES } from './hashChain.ts';

/** The head of a journal as recorded: the last committed entry's seq and hash (lowercase hex). */
export interface HeadRecord {
  readonly seq: number;
  readonly hash: string;
}

const MAGIC = Buffer.from('TWHEAD01', 'ascii');
const SLOT_BYTES = 128;
// magic (8) | generation u64 (8) | seq u64 (8) | hash (32) | sha256 of the first 56 bytes (32) | zero padding
const BODY_BYTES = MAGIC.length + 8 + 8 + HASH_BYTES;

/** Returns the head file path of a journal file. */
export const headRecordPath = (journalPath: string): string => `${journalPath}.head`;

const encodeSlot = (generation: bigint, seq: number, hash: Buffer): Buffer => {
  const slot = Buffer.alloc(SLOT_BYTES);
  MAGIC.copy(slot, 0);
  slot.writeBigUInt64BE(generation, 8);
  slot.writeBigUInt64BE(BigInt(seq), 16);
  hash.copy(slot, 24);
  createHash('sha256').update(slot.subarray(0, BODY_BYTES)).digest().copy(slot, BODY_BYTES);
  return slot;
};

const decodeSlot = (slot: Buffer): { readonly generation: bigint; readonly head: HeadRecord } | undefined => {
  if (slot.length < SLOT_BYTES || !slot.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const sum = createHash('sha256').update(slot.subarray(0, BODY_BYTES)).digest();
  if (!sum.equals(slot.subarray(BODY_BYTES, BODY_BYTES + 32))) return undefined;
  const seq = slot.readBigUInt64BE(16);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { generation: slot.readBigUInt64BE(8), head: { seq: Number(seq), hash: slot.subarray(24, 24 + HASH_BYTES).toString('hex') } };
};

/** What a head file holds: absent, unreadable (neither slot is valid), or a head. */
export type HeadFileState = { readonly kind: 'absent' } | { readonly kind: 'unreadable'; readonly detail: string } | { readonly kind: 'present'; readonly head: HeadRecord };

/** Reads the head file of a journal; never throws. */
export const readHeadRecord = (journalPath: string): HeadFileState => {
  const path = headRecordPath(journalPath);
  if (!existsSync(path)) return { kind: 'absent' };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return { kind: 'unreadable', detail: `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const slots = [decodeSlot(bytes.subarray(0, SLOT_BYTES)), decodeSlot(bytes.subarray(SLOT_BYTES, 2 * SLOT_BYTES))].filter((s) => s !== undefined);
  if (slots.length === 0) return { kind: 'unreadable', detail: `${path} holds no valid head record (${bytes.length} bytes)` };
  const newest = slots.reduce((a, b) => (b.generation > a.generation ? b : a));
  return { kind: 'present', head: newest.head };
};

/** Writes the head after each commit; opened once per journal connection. */
export interface HeadRecordWriter {
  /** Records a new head (page-cache write; survives a process crash). */
  write(seq: number, hash: Buffer): void;
  /** Flushes the file to disk (at checkpoints and close). */
  sync(): void;
  close(): void;
}

/** Opens (creating it when absent) the head file of a journal for writing. */
export const openHeadRecordWriter = (journalPath: string): HeadRecordWriter => {
  const path = headRecordPath(journalPath);
  const before = readHeadRecord(journalPath);
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  let generation = 0n;
  if (before.kind === 'present') {
    // Continue after the newest valid slot, so the alternation never overwrites the head a reader would pick.
    const bytes = readFileSync(path);
    for (const s of [decodeSlot(bytes.subarray(0, SLOT_BYTES)), decodeSlot(bytes.subarray(SLOT_BYTES, 2 * SLOT_BYTES))]) {
      if (s !== undefined && s.generation > generation) generation = s.generation;
    }
  }
  let open = true;
  return {
    write: (seq, hash) => {
      if (!open) return;
      generation += 1n;
      writeSync(fd, encodeSlot(generation, seq, hash), 0, SLOT_BYTES, Number(generation % 2n) * SLOT_BYTES);
    },
    sync: () => {
      if (open) fsyncSync(fd);
    },
    close: () => {
      if (!open) return;
      open = false;
      fsyncSync(fd);
      closeSync(fd);
    },
  };
};
