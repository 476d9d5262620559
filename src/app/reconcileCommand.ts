/**
 * Composition root of `tradewarden reconcile`: compares a venue account's persistent journal (ADR 0006:
 * `<data-dir>/journal/<kind>-<account>.sqlite`) with the venue's truth and, with `apply`, settles the differences.
 * Works against a venue that outlives the process: an external `tradewarden sim` (`simUrl`) or a real endpoint.
 * Also the one place the offline commands (`reconcile`, `journal init`) get such a venue from.
 */
import type { AppConfig } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import { reconcile, type ReconcileResult } from '../execution/Reconciler.ts';
import { openJournal, type Journal } from '../journal/Journal.ts';
import { journalFileState } from '../journal/fileState.ts';
import { wallClock, type Clock } from '../kernel/Clock.ts';
import type { WireVenue } from '../venues/Venue.ts';
import { persistentJournalPath, sessionKindOf, type SessionAccount } from './accounts.ts';
import { externalClock } from './sessionClock.ts';
import { credentialsFor, MissingCredentials } from './venues.ts';

export { persistentJournalPath } from './accounts.ts';

/** Why the command could not compare (exit 3): a broken journal chain, or no venue it can reach. */
export class ReconcileRefused extends Error {
  override readonly name = 'ReconcileRefused';
}

/** Returns the adapter of an account whose venue outlives the process, with the clock it signs with; throws ReconcileRefused otherwise. */
export const persistentVenue = async (opts: {
  readonly config: AppConfig;
  readonly account: SessionAccount;
  readonly secrets?: Secrets | undefined;
}): Promise<{ readonly venue: WireVenue; readonly clock: Clock }> => {
  const { config, account } = opts;
  const decided = sessionKindOf(config);
  const kind = 'kind' in decided ? decided.kind : undefined;
  if (kind !== 'external' && kind !== 'venue') {
    throw new ReconcileRefused(`this command needs a venue that outlives the process: set venues.${account.name}.simUrl to a running \`tradewarden sim\`, or use a testnet/mainnet account`);
  }
  const speed = kind === 'venue' ? 1 : config.sim.speed;
  // A simulator replaying at `sim.speed`: sign with a clock anchored to its time that runs as fast (as a run does).
  let clock: Clock = wallClock;
  if (speed !== 1) {
    try {
      clock = await externalClock(account, speed, wallClock, undefined);
    } catch (e) {
      throw new ReconcileRefused(`cannot reach the simulator at ${account.simUrl}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let credentials;
  try {
    credentials = credentialsFor(account.name, account.section, opts.secrets);
  } catch (e) {
    if (e instanceof MissingCredentials) throw new ReconcileRefused(e.message);
    throw e;
  }
  const venue = account.binding.connect(account.section, {
    baseUrl: kind === 'external' ? account.simUrl : account.binding.endpointOverride(account.section),
    credentials, clock, speed,
    clockGate: { blockAboveMs: config.risk.clock.blockAboveMs * speed, resumeAtOrBelowMs: config.risk.clock.resumeAtOrBelowMs * speed },
  });
  return { venue, clock };
};

/** Runs one reconcile of a venue account against its persistent journal. */
export const runReconcile = async (opts: {
  readonly config: AppConfig;
  readonly account: SessionAccount;
  readonly dataDir: string;
  readonly apply: boolean;
  readonly secrets?: Secrets | undefined;
}): Promise<ReconcileResult & { readonly journalPath: string }> => {
  const { config, account } = opts;
  const { venue, clock } = await persistentVenue(opts);
  const journalPath = persistentJournalPath(opts.dataDir, account.section.kind, account.name);
  const state = journalFileState(journalPath);
  if (state.kind !== 'present') {
    await venue.close();
    throw new ReconcileRefused(
      state.kind === 'unreadable'
        ? state.detail
        : `journal ${journalPath} is ${state.kind === 'missing' ? 'missing' : 'empty'}: there is nothing to reconcile; \`tradewarden journal init --config <file> --account ${account.name}\` starts a fresh journal after reading the venue`,
    );
  }
  let journal: Journal;
  try {
    journal = openJournal({ path: journalPath, clock, claim: true });
  } catch (e) {
    await venue.close();
    throw new ReconcileRefused(e instanceof Error ? e.message : String(e));
  }
  try {
    const verified = journal.verify();
    if (!verified.ok) throw new ReconcileRefused(`journal ${journalPath} is broken at seq ${verified.firstBadSeq} (${verified.problem}); refusing to reconcile`);
    const result = await reconcile({ venue, journal, botId: config.botId, symbols: account.symbols }, { apply: opts.apply });
    return { ...result, journalPath };
  } finally {
    journal.close();
    await venue.close();
  }
};
