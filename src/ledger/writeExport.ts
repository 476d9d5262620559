/**
 * Writes an export file under the overwrite policy (X-RPT-2, S2-13): an existing file is never overwritten in place.
 * `refuse` leaves it and refuses; `backup` first copies it to `<file>.<wall time, ISO 8601 basic>.bak` (never over
 * another backup), then replaces it atomically (temporary file + rename), so the dated backup is there before each
 * write. The wall time comes in as `now`; this module reads no clock.
 */
import { constants, copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LedgerError } from './LedgerError.ts';

/** What to do when the output file exists. */
export type OverwriteMode = 'refuse' | 'backup';

/** What a write did. */
export interface WriteOutcome {
  readonly file: string;
  /** The dated copy of the file that was there before, if any. */
  readonly backup: string | undefined;
}

/** Returns the ISO 8601 basic-format UTC text of an instant (`20261120T074813123Z`): sortable, and valid in any file name. */
export const basicIso = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');

/** Returns the first free backup name of `file` at `now`. */
export const backupName = (file: string, now: number): string => {
  const stem = `${file}.${basicIso(now)}`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? `${stem}.bak` : `${stem}-${n}.bak`;
    if (!existsSync(candidate)) return candidate;
  }
};

/** Gives `temporary`'s content the name `file` only if that name is free; a file system without hard links copies exclusively. */
const claimName = (temporary: string, file: string): void => {
  try {
    linkSync(temporary, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    copyFileSync(temporary, file, constants.COPYFILE_EXCL);
  }
};

const failed = (file: string, e: unknown): LedgerError =>
  new LedgerError({ reason: 'write_failed', message: `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}` });

/**
 * Writes `text` to `file` under `mode`. Throws LedgerError `exists` (refuse, with what to do instead) or `write_failed`.
 * The text goes to a temporary file first; with `refuse` it is then hard-linked to `file`, which fails when `file`
 * exists, so neither a file that appeared meanwhile nor a half-written export ever takes the name.
 */
export const writeExport = (file: string, text: string, mode: OverwriteMode, now: number): WriteOutcome => {
  const temporary = `${file}.${basicIso(now)}-${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, text, { flag: 'wx' });
  } catch (e) {
    throw failed(file, e);
  }
  try {
    try {
      claimName(temporary, file);
      return { file, backup: undefined };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw failed(file, e);
      if (mode === 'refuse') {
        throw new LedgerError({ reason: 'exists', message: `${file} exists; an export never overwrites one. Choose another --out, or pass --overwrite-mode backup (exports.overwriteMode: backup) to keep a dated copy and write it anew.` });
      }
    }
    const backup = backupName(file, now);
    try {
      copyFileSync(file, backup, constants.COPYFILE_EXCL);
      renameSync(temporary, file);
    } catch (e) {
      throw failed(file, e);
    }
    return { file, backup };
  } finally {
    rmSync(temporary, { force: true });
  }
};
