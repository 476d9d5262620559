/**
 * Composition root of `tradewarden journal init`: starts a fresh persistent journal for a venue account whose journal
 * is missing or empty, after reading the venue. It records what the venue showed (our open orders, our recent
 * executions, open positions) in a JOURNAL_INITIALIZED entry and moves the client-order-id space past every id the
 * venue knows, so nothing the next run sends can collide with an earlier order. It never replaces a journal that
 * holds entries, never deletes a file (an empty one is moved aside), and places or cancels nothing: the next start's
 * recovery withdraws our stray orders and adopts the positions.
 */
import { existsSync, renameSync } from 'node:fs';
import { Effect, Either } from 'effect';
import type { AppConfig } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import { readVenueActivity, type VenueActivity } from '../execution/JournalAdmission.ts';
import { INTENT_SEQUENCE } from '../journal/clientOrderIds.ts';
import type { JournalEventType } from '../journal/events.ts';
import { journalFileState } from '../journal/fileState.ts';
import { headRecordPath } from '../journal/headRecord.ts';
import { openJournal } from '../journal/Journal.ts';
import { wallClock, type Clock } from '../kernel/Clock.ts';
import { accountNamed, persistentJournalPath } from './accounts.ts';
import { persistentVenue, ReconcileRefused } from './reconcileCommand.ts';

/** Event type of the first entry of a journal made by `journal init`. */
export const JOURNAL_INITIALIZED = 'JOURNAL_INITIALIZED' satisfies JournalEventType;

/** What `journal init` did. */
export interface JournalInitResult {
  readonly journalPath: string;
  readonly activity: VenueActivity;
  /** The first intent sequence the fresh journal will hand out. */
  readonly nextSequence: number;
  /** Files moved aside (an empty journal, a stale head record), with their new names. */
  readonly movedAside: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/** Starts a fresh persistent journal for the config's account; throws ReconcileRefused when it must not. */
export const runJournalInit = async (opts: {
  readonly config: AppConfig;
  readonly dataDir: string;
  /** The account's name; may be left out when the config has one account. */
  readonly account?: string | undefined;
  readonly secrets?: Secrets | undefined;
  readonly clock?: Clock | undefined;
}): Promise<JournalInitResult> => {
  const { config } = opts;
  const named = accountNamed(config, opts.account);
  if (typeof named === 'string') throw new ReconcileRefused(named);
  const account = named.name;
  const journalPath = persistentJournalPath(opts.dataDir, named.section.kind, account);
  const state = journalFileState(journalPath);
  if (state.kind === 'present') {
    throw new ReconcileRefused(
      `journal ${journalPath} holds ${state.entries} entries; init never replaces a journal. If it is damaged, move it aside (keep it: it is the evidence) and run init again (docs/operations.md, "A damaged journal").`,
    );
  }
  if (state.kind === 'unreadable') {
    throw new ReconcileRefused(`${state.detail}; move it aside (keep it) and run init again (docs/operations.md, "A damaged journal").`);
  }
  const { venue, clock: venueClock } = await persistentVenue({ config, account: named, secrets: opts.secrets });
  try {
    // Venue time (the simulator may run at its own speed): the id floor must be at or above every id it has seen.
    const time = await Effect.runPromise(Effect.either(venue.serverTime()));
    if (Either.isLeft(time)) throw new ReconcileRefused(`cannot read the venue's time: ${time.left.message}`);
    const venueNow = time.right;
    const activity = await readVenueActivity({ venue, botId: config.botId, symbols: named.symbols, now: venueNow });
    const stamp = new Date(wallClock.now()).toISOString().replace(/[:.]/g, '-');
    const movedAside: Array<{ readonly from: string; readonly to: string }> = [];
    for (const from of [state.kind === 'empty' ? journalPath : undefined, headRecordPath(journalPath), `${journalPath}-wal`, `${journalPath}-shm`]) {
      if (from === undefined || !existsSync(from)) continue;
      const to = `${from}.replaced-${stamp}`;
      renameSync(from, to);
      movedAside.push({ from, to });
    }
    const journal = openJournal({ path: journalPath, clock: opts.clock ?? venueClock, claim: true });
    try {
      const floor = Math.max(activity.maxSequence + 1, Math.ceil(venueNow));
      journal.append('journal', JOURNAL_INITIALIZED, {
        account, venue: venue.id, botId: config.botId, symbols: named.symbols, venueTime: venueNow,
        openOrders: activity.openOrders, executions: activity.executions.length, positions: activity.positions,
        maxSequenceSeen: activity.maxSequence, sequenceFloor: floor, movedAside,
      });
      // The counter is set past every id the venue knows (and floored at venue time, as every run does).
      const next = journal.nextSequence(INTENT_SEQUENCE, floor);
      return { journalPath, activity, nextSequence: next + 1, movedAside };
    } finally {
      journal.close();
    }
  } finally {
    await venue.close();
  }
};
