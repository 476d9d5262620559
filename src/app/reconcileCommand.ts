/**
 * Composition root of `tradewarden reconcile`: compares the data directory's persistent journal for a venue account
 * (ADR 0006: `<data-dir>/journal/<venue>-<account>.sqlite`) with the venue's truth and, with `apply`, settles the
 * differences. Works against a venue that outlives the process: an external `tradewarden sim` (`venues.bybit.simUrl`).
 */
import { join } from 'node:path';
import { Redacted } from 'effect';
import type { AppConfig } from '../config/schema.ts';
import { reconcile, type ReconcileResult } from '../execution/Reconciler.ts';
import { openJournal, type Journal } from '../journal/Journal.ts';
import { journalFileState } from '../journal/fileState.ts';
import type { BybitVenue } from '../venues/bybit/BybitVenue.ts';
import { request } from 'undici';
import { wallClock, type Clock } from '../kernel/Clock.ts';
import { acceleratedClock } from '../venues/sim/server.ts';
import { decodeBybitConfig } from '../venues/bybit/BybitConfig.ts';
import { makeBybitVenue } from '../venues/bybit/BybitVenue.ts';
import { DEFAULT_SIM_API_KEYS } from '../venues/sim/bybit/defaults.ts';

/** The journal path of a venue account in a data directory (ADR 0006). */
export const persistentJournalPath = (dataDir: string, venue: string, account: string): string => join(dataDir, 'journal', `${venue}-${account}.sqlite`);

/** Why the command could not compare (exit 3): a broken journal chain, or no venue it can reach. */
export class ReconcileRefused extends Error {
  override readonly name = 'ReconcileRefused';
}

/**
 * Returns a clock running at `speed` anchored to the external simulator's server time. At ×speed every wall
 * millisecond of request latency is `speed` venue milliseconds, so the anchor is the sample with the smallest round
 * trip of several, taken at its wall midpoint (the adapter's ClockGate would otherwise block on the anchoring error).
 */
export const externalSimClock = async (simUrl: string, speed: number, base: Clock, signal: AbortSignal | undefined): Promise<Clock> => {
  let best: { readonly rtt: number; readonly time: number; readonly mid: number } | undefined;
  for (let i = 0; i < 7; i++) {
    const before = base.now();
    const res = await request(`${simUrl.replace(/\/$/, '')}/v5/market/time`, { method: 'GET', signal, headersTimeout: 10_000, bodyTimeout: 10_000 });
    const body = (await res.body.json()) as { readonly time?: unknown };
    const after = base.now();
    if (typeof body.time !== 'number') throw new Error(`the simulator at ${simUrl} did not report its time`);
    if (best === undefined || after - before < best.rtt) best = { rtt: after - before, time: body.time, mid: (before + after) / 2 };
  }
  const anchor = best!;
  return acceleratedClock(speed, anchor.time + Math.round((base.now() - anchor.mid) * speed), base);
};

/** Returns the Bybit adapter of a config whose venue outlives the process (an external `tradewarden sim`); throws ReconcileRefused otherwise. */
export const persistentVenue = async (opts: {
  readonly config: AppConfig;
  readonly simApiKey?: Redacted.Redacted<string> | undefined;
  readonly simApiSecret?: Redacted.Redacted<string> | undefined;
}): Promise<{ readonly venue: BybitVenue; readonly clock: Clock }> => {
  const { config } = opts;
  const baseUrl = config.venues.bybit.simUrl.trim();
  if (config.venues.bybit.environment !== 'sim' || baseUrl === '') {
    throw new ReconcileRefused('this command needs a venue that outlives the process: set venues.bybit.simUrl to a running `tradewarden sim` (testnet/mainnet are not wired yet)');
  }
  // The simulator replays at `sim.speed`: sign with a clock anchored to its time that runs as fast (as a run does).
  let clock: Clock;
  try {
    clock = config.sim.speed === 1 ? wallClock : await externalSimClock(baseUrl, config.sim.speed, wallClock, undefined);
  } catch (e) {
    throw new ReconcileRefused(`cannot reach the simulator at ${baseUrl}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const venue = makeBybitVenue(
    decodeBybitConfig({
      environment: 'sim',
      baseUrl: baseUrl.replace(/\/$/, ''),
      apiKey: opts.simApiKey ?? Redacted.make(DEFAULT_SIM_API_KEYS[0]!.key),
      apiSecret: opts.simApiSecret ?? Redacted.make(DEFAULT_SIM_API_KEYS[0]!.secret),
      // A simulator replaying at ×speed turns every wall millisecond of latency into `speed` venue milliseconds.
      recvWindowMs: Math.max(config.venues.bybit.recvWindowMs, Math.ceil(config.sim.speed * 250)),
      requestTimeoutMs: config.venues.bybit.requestTimeoutMs,
      triggerSource: config.venues.bybit.triggerSource,
    }),
    { clock },
  );
  return { venue, clock };
};

/** Runs one reconcile of the config's venue account against its persistent journal. */
export const runReconcile = async (opts: {
  readonly config: AppConfig;
  readonly dataDir: string;
  readonly apply: boolean;
  readonly simApiKey?: Redacted.Redacted<string> | undefined;
  readonly simApiSecret?: Redacted.Redacted<string> | undefined;
}): Promise<ReconcileResult & { readonly journalPath: string }> => {
  const { config } = opts;
  const { venue, clock } = await persistentVenue(opts);
  const journalPath = persistentJournalPath(opts.dataDir, 'bybit', config.sim.account);
  const state = journalFileState(journalPath);
  if (state.kind !== 'present') {
    await venue.close();
    throw new ReconcileRefused(
      state.kind === 'unreadable'
        ? state.detail
        : `journal ${journalPath} is ${state.kind === 'missing' ? 'missing' : 'empty'}: there is nothing to reconcile; \`tradewarden journal init --config <file>\` starts a fresh journal after reading the venue`,
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
    const result = await reconcile({ venue, journal, botId: config.botId, symbols: config.symbols }, { apply: opts.apply });
    return { ...result, journalPath };
  } finally {
    journal.close();
    await venue.close();
  }
};
