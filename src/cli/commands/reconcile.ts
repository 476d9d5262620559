/**
 * `tradewarden reconcile --config <file> [--apply]`: prints the differences between the data directory's journal and
 * the venue, one per line; exit 0 when there are none, 4 when there are (also after `--apply` if some could not be
 * settled), 3 when it refuses (broken journal, no persistent venue), 1 when the venue cannot be read.
 */
import { Either } from 'effect';
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
    const r = await runReconcile({
      config: loaded.right.config, dataDir: global.dataDir, apply,
      simApiKey: secrets.get('TW_SIM_API_KEY'), simApiSecret: secrets.get('TW_SIM_API_SECRET'),
    });
    io.out(`journal ${r.journalPath}`);
    if (r.differences.length === 0 && r.unresolved.length === 0) {
      io.out('no differences between the journal and the venue');
      return ExitCode.ok;
    }
    io.out(`${r.differences.length} difference(s)${apply ? ' (applying)' : ''}:`);
    for (const d of r.differences) io.out(`  ${d.kind.padEnd(22)} ${describeDifference(d)}`);
    for (const a of r.applied) io.out(`  applied:    ${a}`);
    for (const s of r.skipped) io.out(`  skipped:    ${s}`);
    for (const f of r.failed) io.out(`  failed:     ${f}`);
    for (const u of r.unresolved) io.out(`  unresolved: ${u}`);
    return apply && r.failed.length === 0 && r.unresolved.length === 0 && r.skipped.length === 0 ? ExitCode.ok : ExitCode.differences;
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return e instanceof ReconcileRefused ? ExitCode.safetyRefusal : ExitCode.runtimeFailure;
  } finally {
    lock.release();
  }
};
