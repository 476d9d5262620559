/**
 * `tradewarden reconcile --config <file> [--account <name>] [--apply]`: prints the differences between each venue
 * account's journal in the data directory (or the named account's) and the venue, one per line; exit 0 when there are none, 4 when there are (also after `--apply` if some could not be
 * settled), 3 when it refuses (broken journal, no persistent venue), 1 when the venue cannot be read.
 */
import { Either } from 'effect';
import { accountNamed, accountsOf } from '../../app/accounts.ts';
import { ReconcileRefused, runReconcile } from '../../app/reconcileCommand.ts';
import { loadConfigFile } from '../../config/load.ts';
import { loadSecrets } from '../../config/secrets.ts';
import { describeDifference } from '../../execution/Reconciler.ts';
import { acquireInstanceLock } from '../../journal/instanceLock.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** Runs the reconcile command. */
export const reconcileCommand = async (io: CliIo, args: ReadonlyArray<string>, global: GlobalOptions): Promise<number> => {
  if (global.config === undefined) {
    io.err('reconcile needs --config <file>');
    return ExitCode.usage;
  }
  const loaded = loadConfigFile(global.config);
  if (Either.isLeft(loaded)) {
    io.err(loaded.left.message);
    return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const apply = args.includes('--apply');
  const i = args.indexOf('--account');
  const name = i >= 0 ? args[i + 1] : undefined;
  if (i >= 0 && (name === undefined || name.startsWith('--'))) {
    io.err('reconcile --account needs a name');
    return ExitCode.usage;
  }
  const config = loaded.right.config;
  const named = name === undefined ? undefined : accountNamed(config, name);
  if (typeof named === 'string') {
    io.err(named);
    return ExitCode.usage;
  }
  const secrets = loadSecrets();
  // Never reconcile underneath a running instance of the same data directory (X-RT-6).
  let lock: { release: () => void };
  try {
    lock = acquireInstanceLock(global.dataDir);
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return ExitCode.safetyRefusal;
  }
  try {
    let settled = true;
    let clean = true;
    for (const account of named === undefined ? accountsOf(config) : [named]) {
      const r = await runReconcile({ config, account, dataDir: global.dataDir, apply, secrets });
      io.out(`journal ${r.journalPath}`);
      if (r.differences.length === 0 && r.unresolved.length === 0) {
        io.out('no differences between the journal and the venue');
        continue;
      }
      clean = false;
      io.out(`${r.differences.length} difference(s)${apply ? ' (applying)' : ''}:`);
      for (const d of r.differences) io.out(`  ${d.kind.padEnd(22)} ${describeDifference(d)}`);
      for (const a of r.applied) io.out(`  applied:    ${a}`);
      for (const s of r.skipped) io.out(`  skipped:    ${s}`);
      for (const f of r.failed) io.out(`  failed:     ${f}`);
      for (const u of r.unresolved) io.out(`  unresolved: ${u}`);
      settled &&= apply && r.failed.length === 0 && r.unresolved.length === 0 && r.skipped.length === 0;
    }
    return clean || settled ? ExitCode.ok : ExitCode.differences;
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return e instanceof ReconcileRefused ? ExitCode.safetyRefusal : ExitCode.runtimeFailure;
  } finally {
    lock.release();
  }
};
