/**
 * Whether a venue account's persistent journal may be trusted at start (X-REC, ADR 0006): a journal that is missing
 * or empty while the venue shows activity under this bot's client-order-id prefix — or while its head record shows
 * that entries were once committed — is refused, because trusting it would reuse client order ids the venue already
 * knows and adopt old orders' state. A fresh journal for such an account is made only by `journal init`, which reads
 * the venue first. Reads the venue; never writes the journal and never places or cancels orders.
 */
import { Data, Effect, Either } from 'effect';
import { clientOrderIdPrefix, parseClientOrderId } from '../journal/clientOrderIds.ts';
import { readHeadRecord } from '../journal/headRecord.ts';
import { journalFileState } from '../journal/fileState.ts';
import { isRetryable, type Venue, type VenueError } from '../venues/Venue.ts';

/** How far back `journal init` and the start-up check look for our executions (the seven-day execution query window venues allow). */
export const ACTIVITY_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;

/** What the venue shows of this bot: our open orders, our recent executions, open positions of the symbols. */
export interface VenueActivity {
  readonly openOrders: ReadonlyArray<{ readonly symbol: string; readonly clientOrderId: string }>;
  readonly executions: ReadonlyArray<{ readonly symbol: string; readonly clientOrderId: string; readonly tradeId: string }>;
  readonly positions: ReadonlyArray<{ readonly symbol: string; readonly side: string; readonly quantity: string }>;
  /** The greatest intent sequence among our client order ids the venue knows (0 when none). */
  readonly maxSequence: number;
}

/** The venue could not be read, so nothing can be concluded about the journal (exit 4: the gate stays closed). */
export class VenueActivityUnknown extends Data.TaggedError('VenueActivityUnknown')<{ readonly step: string; readonly cause: VenueError }> {
  override get message(): string {
    return `cannot read the venue to judge the journal (${this.step}): ${this.cause.message}`;
  }
}

/** The journal may not be trusted; carries what to do (exit 3). */
export class JournalRefused extends Data.TaggedError('JournalRefused')<{ readonly path: string; readonly detail: string }> {
  override get message(): string {
    return `journal ${this.path} refused: ${this.detail}`;
  }
}

const READ_ATTEMPTS = 5;

// A read that failed in passing (a timeout, a 5xx, a signature the venue found stale under load: it did nothing) is
// asked again, signed afresh; anything else, or the last attempt, leaves the activity unknown.
const read = async <A>(step: string, effect: Effect.Effect<A, VenueError>): Promise<A> => {
  for (let attempt = 1; ; attempt++) {
    const r = await Effect.runPromise(Effect.either(effect));
    if (Either.isRight(r)) return r.right;
    if (!(isRetryable(r.left) || r.left.reason.kind === 'clock_skew') || attempt >= READ_ATTEMPTS) throw new VenueActivityUnknown({ step, cause: r.left });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
};

/** Reads what the venue shows under this bot's prefix (open orders, executions in the look-back, positions). */
export const readVenueActivity = async (opts: {
  readonly venue: Venue;
  readonly botId: string;
  readonly symbols: ReadonlyArray<string>;
  readonly now: number;
}): Promise<VenueActivity> => {
  const prefix = clientOrderIdPrefix(opts.botId);
  const ours = (id: string): boolean => id.startsWith(prefix);
  const seqOf = (id: string): number => parseClientOrderId(id)?.seq ?? 0;
  const open = (await read('open orders', opts.venue.openOrders())).filter((o) => ours(o.clientOrderId));
  const executions = [];
  for (const symbol of opts.symbols) {
    for (const f of await read(`executions of ${symbol}`, opts.venue.executionsSince(opts.now - ACTIVITY_LOOKBACK_MS, symbol))) {
      if (ours(f.clientOrderId)) executions.push({ symbol: f.symbol, clientOrderId: f.clientOrderId, tradeId: f.tradeId });
    }
  }
  const positions = (await read('positions', opts.venue.positions()))
    .filter((p) => p.side !== 'flat' && p.quantity.gt(0) && opts.symbols.includes(p.symbol))
    .map((p) => ({ symbol: p.symbol, side: p.side, quantity: p.quantity.toString() }));
  const ids = [...open.map((o) => o.clientOrderId), ...executions.map((e) => e.clientOrderId)];
  return {
    openOrders: open.map((o) => ({ symbol: o.symbol, clientOrderId: o.clientOrderId })),
    executions,
    positions,
    maxSequence: ids.reduce((m, id) => Math.max(m, seqOf(id)), 0),
  };
};

/** Returns a one-line description of venue activity for messages. */
export const describeActivity = (a: VenueActivity): string =>
  [
    `${a.openOrders.length} open order(s) of ours`,
    `${a.executions.length} execution(s) of ours in the last 7 days`,
    `${a.positions.length} open position(s)${a.positions.length > 0 ? ` (${a.positions.map((p) => `${p.symbol} ${p.side} ${p.quantity}`).join(', ')})` : ''}`,
  ].join(', ');

/**
 * Judges a persistent journal without the venue: `present` (it holds entries: open it, its chain, head record and
 * tables are verified then), or `needs_venue` (missing or empty, and its head record never saw an entry: only the
 * venue's activity can tell whether a fresh journal is safe). Throws JournalRefused for an unreadable file, or for a
 * missing or empty journal whose head record shows committed entries.
 */
export const judgeJournalOffline = (path: string, initCommand: string): { readonly kind: 'present' | 'needs_venue'; readonly what: string } => {
  const state = journalFileState(path);
  if (state.kind === 'unreadable') throw new JournalRefused({ path, detail: `${state.detail}. Keep it as evidence; see docs/operations.md, "A damaged journal".` });
  if (state.kind === 'present') return { kind: 'present', what: `holds ${state.entries} entries` };
  const what = state.kind === 'missing' ? 'is missing' : `is empty (${state.detail})`;
  const head = readHeadRecord(path);
  if (head.kind === 'present' && head.head.seq > 0) {
    throw new JournalRefused({
      path,
      detail: `the journal ${what} but its head record says ${head.head.seq} entries were committed to it: entries 1..${head.head.seq} are missing (the journal was lost, emptied or replaced). Restore it, or run \`${initCommand}\` (docs/operations.md, "A damaged journal").`,
    });
  }
  if (head.kind === 'unreadable') throw new JournalRefused({ path, detail: `the journal ${what} and ${head.detail}. Run \`${initCommand}\`.` });
  return { kind: 'needs_venue', what };
};

/**
 * Decides whether the persistent journal at `path` may be opened for trading. A journal with entries is admitted
 * (its chain, head record and tables are verified when it opens). A missing or empty one is admitted only when its
 * head record never saw an entry and the venue shows no activity of this bot; otherwise JournalRefused names
 * `journal init`. Throws VenueActivityUnknown when the venue cannot be read.
 */
export const admitPersistentJournal = async (opts: {
  readonly path: string;
  readonly venue: Venue;
  readonly botId: string;
  readonly symbols: ReadonlyArray<string>;
  readonly now: number;
  /** The command an operator runs to start a fresh journal, for the message. */
  readonly initCommand: string;
}): Promise<{ readonly fresh: boolean }> => {
  const offline = judgeJournalOffline(opts.path, opts.initCommand);
  if (offline.kind === 'present') return { fresh: false };
  const activity = await readVenueActivity(opts);
  if (activity.openOrders.length > 0 || activity.executions.length > 0 || activity.positions.length > 0) {
    throw new JournalRefused({
      path: opts.path,
      detail: `the journal ${offline.what} but the venue shows activity of this bot: ${describeActivity(activity)}. Trusting an empty journal would reuse client order ids the venue knows. Run \`${opts.initCommand}\` to reconcile and start a fresh journal (docs/operations.md, "A damaged journal").`,
    });
  }
  return { fresh: true };
};
