/**
 * The one error of the ledger exports: a readable refusal (no run to export, a journal that does not verify, an
 * existing file the policy protects, an amount GnuCash cannot hold exactly) with the precise cause in `reason`. The CLI
 * maps it to an exit code (`exitCodeOf`); nothing here prints. Pure.
 */
import { Data } from 'effect';

/** Why an export was refused. */
export type LedgerProblem =
  /** The data directory holds no run (or not the one asked for). */
  | 'no_run'
  /** A run directory without a readable summary.json, or a summary without the figures an export needs. */
  | 'bad_summary'
  /** A run's journal is missing. */
  | 'no_journal'
  /** A journal that cannot be opened or whose hash chain, head record or tables do not verify. */
  | 'journal_unreadable'
  /** The output file exists and the policy (`exports.overwriteMode: refuse`) keeps it. */
  | 'exists'
  /** `exports.mode: off`. */
  | 'exports_off'
  /** A paper run asked into the live book, or the other way round. */
  | 'wrong_book'
  /** An amount with more decimals than GnuCash keeps (10^9 at most) or beyond its 64-bit numerator. */
  | 'amount_out_of_range'
  /** A flag value the command cannot use (format, time zone, currency). */
  | 'bad_option'
  /** The file could not be written. */
  | 'write_failed';

/** A refused export: `reason` says why, `message` says it in a sentence for the operator. */
export class LedgerError extends Data.TaggedError('LedgerError')<{ readonly reason: LedgerProblem; readonly message: string }> {}

/** Returns the CLI exit code of a refusal: 3 for a journal that cannot be trusted, 1 for a failed write, else 2. */
export const exitCodeOf = (e: LedgerError): number => (e.reason === 'journal_unreadable' ? 3 : e.reason === 'write_failed' ? 1 : 2);
