/**
 * Deterministic GnuCash GUIDs: 32 lower-case hex digits from a SHA-256 of the run, the book and the object's key (an
 * account's full name, a trade id, a split's place in its trade), so two exports of the same run are byte-identical and
 * a trade keeps its GUID in every export of its run. Pure.
 */
import { createHash } from 'node:crypto';

/** Returns the GUID of one object of a book. */
export const guidOf = (runId: string, book: string, kind: 'book' | 'account' | 'transaction' | 'split', key: string): string =>
  createHash('sha256').update(`tradewarden/gnucash\u0000${runId}\u0000${book}\u0000${kind}\u0000${key}`).digest('hex').slice(0, 32);
