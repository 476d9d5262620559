/**
 * `tradewarden export trades|daily|unresolved|gnucash [--data-dir D] [--run <run-id>] [--out F] [--config <file>]
 * [--overwrite-mode refuse|backup]`: writes a run's trade history (CSV or JSON), daily summary, unresolved-orders log
 * or GnuCash book from its journals and summary (src/ledger/), with no server, venue or running session. An existing
 * output file is refused (exit 2) unless the overwrite mode is backup; `exports.mode: off` refuses every export.
 * Exit 0 written, 2 a usage, policy or input refusal, 3 a journal that does not verify, 1 a failed write.
 */
import { Either } from 'effect';
import { loadConfigFile } from '../../config/load.ts';
import type { AppConfig } from '../../config/schema.ts';
import { wallClock } from '../../kernel/Clock.ts';
import { exportDaily, exportGnucash, exportTrades, exportUnresolved, type ExportOutcome, type ExportRequest } from '../../ledger/ledgerExports.ts';
import { exitCodeOf, LedgerError } from '../../ledger/LedgerError.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** The flags every export action takes (besides --data-dir and --config). */
export interface ExportOptions {
  readonly run?: string | undefined;
  readonly out?: string | undefined;
  readonly overwriteMode?: string | undefined;
}

/** The action and its own flags. */
export type ExportAction =
  | { readonly kind: 'trades'; readonly format?: string | undefined }
  | { readonly kind: 'daily'; readonly timeZone?: string | undefined }
  | { readonly kind: 'unresolved' }
  | { readonly kind: 'gnucash'; readonly book?: string | undefined; readonly currency?: string | undefined };

const oneOf = <T extends string>(flag: string, value: string | undefined, allowed: ReadonlyArray<T>): T | undefined => {
  if (value === undefined) return undefined;
  if ((allowed as ReadonlyArray<string>).includes(value)) return value as T;
  throw new LedgerError({ reason: 'bad_option', message: `--${flag} takes ${allowed.join(' or ')}, not ${JSON.stringify(value)}` });
};

const nonEmpty = (flag: string, value: string | undefined): string | undefined => {
  if (value !== undefined && value.trim() === '') throw new LedgerError({ reason: 'bad_option', message: `--${flag} needs a value (given empty)` });
  return value;
};

const runAction = (action: ExportAction, req: ExportRequest, config: AppConfig | undefined): ExportOutcome => {
  switch (action.kind) {
    case 'trades':
      return exportTrades({ ...req, format: oneOf('format', action.format, ['csv', 'json'] as const) ?? 'csv' });
    case 'daily':
      return exportDaily({ ...req, timeZone: nonEmpty('time-zone', action.timeZone), defaultTimeZone: config?.risk.tradingWindows.timeZone });
    case 'unresolved':
      return exportUnresolved(req);
    case 'gnucash': {
      const settle = config === undefined ? undefined : Object.values(config.venues).map((v) => v.settleAsset).find((s) => s !== undefined);
      return exportGnucash({ ...req, book: oneOf('book', action.book, ['paper', 'live'] as const), currency: nonEmpty('currency', action.currency), defaultCurrency: settle });
    }
  }
};

/** Runs one export action. */
export const exportCommand = (io: CliIo, action: ExportAction, opts: ExportOptions, global: GlobalOptions): number => {
  let config: AppConfig | undefined;
  if (global.config !== undefined) {
    const loaded = loadConfigFile(global.config);
    if (Either.isLeft(loaded)) {
      io.err(loaded.left.message);
      return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
    }
    config = loaded.right.config;
  }
  try {
    const req: ExportRequest = {
      dataDir: global.dataDir,
      runId: nonEmpty('run', opts.run),
      out: nonEmpty('out', opts.out),
      mode: config?.exports.mode ?? 'auto',
      overwriteMode: oneOf('overwrite-mode', opts.overwriteMode, ['refuse', 'backup'] as const) ?? config?.exports.overwriteMode ?? 'refuse',
      now: wallClock.now(),
    };
    const outcome = runAction(action, req, config);
    io.out(`export ${action.kind}: run ${outcome.runId}: ${outcome.detail}`);
    if (outcome.backup !== undefined) io.out(`backup: ${outcome.backup} (the file that was there before)`);
    io.out(`written: ${outcome.file}`);
    for (const w of outcome.warnings) io.err(`warning: the journal and the run summary disagree: ${w}`);
    return ExitCode.ok;
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    io.err(`export ${action.kind}: ${e.message}`);
    return exitCodeOf(e);
  }
};
