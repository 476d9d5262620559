/**
 * Composition root of `tradewarden reconcile`: compares the data directory's persistent journal for a venue account
 * (ADR 0006: `<data-dir>/journal/<venue>-<account>.sqlite`) with the venue's truth and, with `apply`, settles the
 * differences. Works against a venue that outlives the process: an external `tradewarden sim` (`venues.bybit.simUrl`).
 */
import { join } from 'node:path';
import { Redacted } from 'effect';
import type { AppConfig } from '../config/schema.ts';
import { reconcile, type ReconcileResult } from '../execution/Reconciler.ts';
import { openJournal } from '../journal/Journal.ts';
import { wallClock } from '../kernel/Clock.ts';
import { decodeBybitConfig } from '../venues/bybit/BybitConfig.ts';
import { makeBybitVenue } from '../venues/bybit/BybitVenue.ts';
import { DEFAULT_SIM_API_KEYS } from '../venues/sim/bybit/defaults.ts';

/** The journal path of a venue account in a data directory (ADR 0006). */
export const persistentJournalPath = (dataDir: string, venue: string, account: string): string => join(dataDir, 'journal', `${venue}-${account}.sqlite`);

/** Why the command could not compare (exit 3): a broken journal chain, or no venue it can reach. */
export class ReconcileRefused extends Error {
  override readonly name = 'ReconcileRefused';
}

/** Runs one reconcile of the config's venue account against its persistent journal. */
export const runReconcile = async (opts: {
  readonly config: AppConfig;
  readonly dataDir: string;
  readonly apply: boolean;
  readonly simApiKey?: Redacted.Redacted<string> | undefined;
  readonly simApiSecret?: Redacted.Redacted<string> | undefined;
}): Promise<ReconcileResult & { readonly journalPath: string }> => {
  const { config } = opts;
  const baseUrl = config.venues.bybit.simUrl.trim();
  if (config.venues.bybit.environment !== 'sim' || baseUrl === '') {
    throw new ReconcileRefused('reconcile needs a venue that outlives the process: set venues.bybit.simUrl to a running `tradewarden sim` (testnet/mainnet are not wired yet)');
  }
  const journalPath = persistentJournalPath(opts.dataDir, 'bybit', config.sim.account);
  const journal = openJournal({ path: journalPath, clock: wallClock });
  const venue = makeBybitVenue(
    decodeBybitConfig({
      environment: 'sim',
      baseUrl: baseUrl.replace(/\/$/, ''),
      apiKey: opts.simApiKey ?? Redacted.make(DEFAULT_SIM_API_KEYS[0]!.key),
      apiSecret: opts.simApiSecret ?? Redacted.make(DEFAULT_SIM_API_KEYS[0]!.secret),
      recvWindowMs: config.venues.bybit.recvWindowMs,
      requestTimeoutMs: config.venues.bybit.requestTimeoutMs,
      triggerSource: config.venues.bybit.triggerSource,
    }),
    { clock: wallClock },
  );
  try {
    const verified = journal.verify();
    if (!verified.ok) throw new ReconcileRefused(`journal ${journalPath} is broken at seq ${verified.firstBadSeq} (${verified.problem}); refusing to reconcile`);
    const result = await reconcile({ venue, journal, botId: config.botId, symbols: config.symbols }, { apply: opts.apply });
    return { ...result, journalPath };
  } finally {
    journal.close();
    await venue.close();
  }
};
