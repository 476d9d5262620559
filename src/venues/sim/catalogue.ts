/**
 * The instruments the built-in simulator lists: the one catalogue the paper runs, the loopback run and the config
 * preflight share. An instrument comes from a venue profile — its table, or for a symbol the table does not list,
 * the profile's rule applied to the first close of the symbol's data — so a new data file replays without code
 * edits. Pure; performs no I/O (callers load the bars).
 */
import { Data } from 'effect';
import type { Instrument } from '../../domain/Instrument.ts';
import { BYBIT_LINEAR_PROFILE } from './bybit/profile.ts';
import type { SimVenueProfile } from './engine/profiles.ts';
import type { Bar } from './replay/loadBarsCsv.ts';

/** The symbols the simulator lists without data (the Bybit profile's table), in the order the bundled demo trades them. */
export const SIM_SYMBOLS = ['BTCUSDT', 'ADAUSDT'] as const;
export type SimSymbol = (typeof SIM_SYMBOLS)[number];

/**
 * Returns the simulator's instrument for a symbol: the profile's (Bybit linear by default) table entry, else — when
 * bars are given — the instrument the profile derives from their first close; undefined when it cannot list it.
 */
export const simInstrument = (symbol: string, profile: SimVenueProfile = BYBIT_LINEAR_PROFILE, bars?: ReadonlyArray<Bar>): Instrument | undefined =>
  profile.instrument(symbol, bars?.[0]?.close);

/** One symbol to list and the bars it will replay. */
export interface CatalogueFeed {
  readonly symbol: string;
  readonly bars: ReadonlyArray<Bar>;
}

/** Why a catalogue cannot be built: the profile can list none of these symbols (not in its table, no rule fits). */
export class CatalogueError extends Data.TaggedError('CatalogueError')<{
  readonly profile: string;
  readonly reason: 'unlisted_symbols';
  readonly symbols: ReadonlyArray<string>;
}> {
  override get message(): string {
    return `the ${this.profile} profile cannot list ${this.symbols.join(', ')}`;
  }
}

/** Returns the instruments of the feeds, in feed order; throws `CatalogueError` naming every symbol the profile cannot list. */
export const simCatalogue = (profile: SimVenueProfile, feeds: ReadonlyArray<CatalogueFeed>): ReadonlyArray<Instrument> => {
  const missing: string[] = [];
  const out: Instrument[] = [];
  for (const feed of feeds) {
    const instrument = simInstrument(feed.symbol, profile, feed.bars);
    if (instrument === undefined) missing.push(feed.symbol);
    else out.push(instrument);
  }
  if (missing.length > 0) throw new CatalogueError({ profile: profile.id, reason: 'unlisted_symbols', symbols: missing });
  return out;
};
