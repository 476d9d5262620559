/**
 * `tradewarden journal init --config <file> [--account <name>] [--data-dir <dir>]`: starts a fresh persistent journal
 * for the config's venue account after reading the venue (exit 0), refuses when the account's journal holds entries or
 * cannot be read (exit 3), and exits 4 when the venue cannot be read. See app/journalInit.ts.
 */
import { Either } from 'effect';
import { runJournalInit } from '../../app/journalInit.ts';
import { ReconcileRefused } from '../../app/reconcileCommand.ts';
import { loadConfigFile } from '../../config/load.ts';
import { loadSecrets } from '../../config/secrets.ts';
import { describeActivity, VenueActivityUnknown } from '../../execution/JournalAdmission.ts';
import { acquireInstanceLock } from '../../journal/instanceLock.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** Runs `journal init`. */
export const journalInitCommand = async (io: CliIo, opts: { readonly account?: string | undefined }, global: GlobalOptions): Promise<number> => {
  if (global.config === undefined) {
    io.err('journal init needs --config <file> (the account and the venue come from it)');
    return ExitCode.usage;
  }
  const account = opts.account;
  const loaded = loadConfigFile(global.config);
  if (Either.isLeft(loaded)) {
    io.err(loaded.left.message);
    return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const secrets = loadSecrets();
  let lock: { release: () => void };
  try {
    lock = acquireInstanceLock(global.dataDir);
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return ExitCode.safetyRefusal;
  }
  try {
    const r = await runJournalInit({
      config: loaded.right.config, dataDir: global.dataDir, account, secrets,
    });
    for (const m of r.movedAside) io.out(`moved aside ${m.from} -> ${m.to}`);
    io.out(`journal ${r.journalPath} initialised: the venue shows ${describeActivity(r.activity)}`);
    io.out(`client order ids continue at sequence ${r.nextSequence} (past every id the venue knows)`);
    if (r.activity.openOrders.length > 0 || r.activity.positions.length > 0) {
      io.out(`the next start's recovery withdraws our ${r.activity.openOrders.length} open order(s) and adopts ${r.activity.positions.length} position(s) (protected; entries blocked until flat)`);
    }
    return ExitCode.ok;
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    if (e instanceof VenueActivityUnknown) return ExitCode.differences;
    if (e instanceof ReconcileRefused || (typeof e === 'object' && e !== null && '_tag' in e)) return ExitCode.safetyRefusal;
    return ExitCode.runtimeFailure;
  } finally {
    lock.release();
  }
};
