/**
 * `tradewarden reconcile --config <file> [--account <name>] [--apply] [--json]`: prints the differences between each
 * venue account's journal in the data directory (or the named account's) and the venue, one per line (with `--json`,
 * one document: every account's differences with their fields, what was applied, skipped, failed or left unresolved);
 * exit 0 when there are none, 4 when there are (also after `--apply` if some could not be settled), 3 when it refuses
 * (broken journal, no persistent venue), 1 when the venue cannot be read.
 */
import { Either } from 'effect';
import { accountNamed, accountsOf } from '../../app/accounts.ts';
import { ReconcileRefused, runReconcile } from '../../app/reconcileCommand.ts';
import { loadConfigFile } from '../../config/load.ts';
import { loadSecrets } from '../../config/secrets.ts';
import { describeDifference, type Difference } from '../../execution/Reconciler.ts';
import { acquireInstanceLock } from '../../journal/instanceLock.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** One account's part of the `--json` document. */
export interface ReconcileAccountReport {
  readonly account: string;
  readonly journal: string;
  /** Each difference with its fields (decimals as strings) and the line the text output prints for it. */
  readonly differences: ReadonlyArray<Difference & { readonly description: string }>;
  readonly applied: ReadonlyArray<string>;
  readonly skipped: ReadonlyArray<string>;
  readonly failed: ReadonlyArray<string>;
  readonly unresolved: ReadonlyArray<string>;
}

/** Runs the reconcile command. */
export const reconcileCommand = async (io: CliIo, opts: { readonly account?: string | undefined; readonly apply: boolean }, global: GlobalOptions): Promise<number> => {
  if (global.config === undefined) {
    io.err('reconcile needs --config <file>');
    return ExitCode.usage;
  }
  const loaded = loadConfigFile(global.config);
  if (Either.isLeft(loaded)) {
    io.err(loaded.left.message);
    return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const { apply } = opts;
  const config = loaded.right.config;
  const named = opts.account === undefined ? undefined : accountNamed(config, opts.account);
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
  // --json: stdout carries one document, written once every account is done (or the first one failed).
  const reports: ReconcileAccountReport[] = [];
  const document = (exit: number, error?: string): string =>
    JSON.stringify({ config: global.config, dataDir: global.dataDir, apply, clean: reports.every((r) => r.differences.length === 0 && r.unresolved.length === 0), exitCode: exit, ...(error === undefined ? {} : { error }), accounts: reports }, null, 2);
  const text = (line: string): void => {
    if (!global.json) io.out(line);
  };
  try {
    let settled = true;
    let clean = true;
    for (const account of named === undefined ? accountsOf(config) : [named]) {
      const r = await runReconcile({ config, account, dataDir: global.dataDir, apply, secrets });
      reports.push({ account: account.name, journal: r.journalPath, differences: r.differences.map((d) => ({ ...d, description: describeDifference(d) })), applied: r.applied, skipped: r.skipped, failed: r.failed, unresolved: r.unresolved });
      text(`journal ${r.journalPath}`);
      if (r.differences.length === 0 && r.unresolved.length === 0) {
        text('no differences between the journal and the venue');
        continue;
      }
      clean = false;
      text(`${r.differences.length} difference(s)${apply ? ' (applying)' : ''}:`);
      for (const d of r.differences) text(`  ${d.kind.padEnd(22)} ${describeDifference(d)}`);
      for (const a of r.applied) text(`  applied:    ${a}`);
      for (const s of r.skipped) text(`  skipped:    ${s}`);
      for (const f of r.failed) text(`  failed:     ${f}`);
      for (const u of r.unresolved) text(`  unresolved: ${u}`);
      settled &&= apply && r.failed.length === 0 && r.unresolved.length === 0 && r.skipped.length === 0;
    }
    const exit = clean || settled ? ExitCode.ok : ExitCode.differences;
    if (global.json) io.out(document(exit));
    return exit;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const exit = e instanceof ReconcileRefused ? ExitCode.safetyRefusal : ExitCode.runtimeFailure;
    io.err(message);
    if (global.json) io.out(document(exit, message));
    return exit;
  } finally {
    lock.release();
  }
};
