/**
 * The kill-switch flag file (X-RSK-1): `<data-dir>/KILL` holds the reason, whether to flatten, and when it was set.
 * `tradewarden kill` writes it (atomically), `tradewarden resume` removes it; a running instance polls it and a
 * starting one engages before its gate opens, so the switch survives restarts until an operator resumes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the flag file says. */
export interface KillFlag {
  readonly reason: string;
  readonly flatten: boolean;
  /** Epoch ms when the operator set it (informational). */
  readonly setAt: number;
}

/** Returns the flag file's path in a data directory. */
export const killFlagPath = (dataDir: string): string => join(dataDir, 'KILL');

/** Writes the flag atomically (write + rename). */
export const writeKillFlag = (dataDir: string, flag: KillFlag): void => {
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${killFlagPath(dataDir)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(flag)}\n`);
  renameSync(tmp, killFlagPath(dataDir));
};

/** Reads the flag; a present but unreadable file still engages the switch (fail safe). */
export const readKillFlag = (dataDir: string): KillFlag | undefined => {
  const path = killFlagPath(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<KillFlag>;
    return { reason: typeof raw.reason === 'string' ? raw.reason : 'kill flag', flatten: raw.flatten === true, setAt: typeof raw.setAt === 'number' ? raw.setAt : 0 };
  } catch {
    return { reason: 'unreadable kill flag file', flatten: false, setAt: 0 };
  }
};

/** Removes the flag; returns whether there was one. */
export const clearKillFlag = (dataDir: string): boolean => {
  const path = killFlagPath(dataDir);
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
};
