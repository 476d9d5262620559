/**
 * `tradewarden kill [--reason <text>] [--flatten]` and `tradewarden resume`: set or clear the kill-switch flag of a
 * data directory. A running instance acts on it within one poll (1 s); a starting instance engages before its gate
 * opens, so the switch stays engaged across restarts until `resume`.
 */
import { clearKillFlag, killFlagPath, readKillFlag, writeKillFlag } from '../../runtime/killFlag.ts';
import { wallClock } from '../../kernel/Clock.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** Runs the kill command. */
export const killCommand = (io: CliIo, opts: { readonly reason?: string | undefined; readonly flatten: boolean }, global: GlobalOptions): number => {
  const reason = opts.reason !== undefined && opts.reason.trim() !== '' ? opts.reason : 'operator kill';
  writeKillFlag(global.dataDir, { reason, flatten: opts.flatten, setAt: wallClock.now() });
  io.out(`kill switch set (${killFlagPath(global.dataDir)}): reason "${reason}"${opts.flatten ? ', flatten positions' : ', protections kept'}`);
  io.out('a running instance halts entries and cancels working orders within 1 s; it stays engaged until `tradewarden resume`');
  return ExitCode.ok;
};

/** Runs the resume command. */
export const resumeCommand = (io: CliIo, global: GlobalOptions): number => {
  const flag = readKillFlag(global.dataDir);
  if (!clearKillFlag(global.dataDir)) {
    io.out(`no kill switch set in ${global.dataDir}`);
    return ExitCode.ok;
  }
  io.out(`kill switch cleared (was: "${flag?.reason ?? ''}"); a running instance resumes within 1 s`);
  return ExitCode.ok;
};
