/**
 * The config sections of every venue's accounts (`venues.<account>` with its `kind`), each owned by its adapter
 * (`src/venues/<venue>/<Venue>Config.ts`), and the one question the config layer asks of any of them: what kind of
 * endpoint the account reaches (X-MOD-7). A new venue adds its section here. Pure schemas; no I/O.
 */
import { Schema } from 'effect';
import { BybitAccountSection } from './bybit/BybitConfig.ts';

/** Any venue account's section. */
export const VenueAccountSection = Schema.Union(BybitAccountSection);
export type VenueAccountSection = typeof VenueAccountSection.Type;

/** The venue kinds a config may name. */
export const VENUE_KINDS: ReadonlyArray<VenueAccountSection['kind']> = ['bybit'];

/** What kind of endpoint an account reaches: the built-in simulator, the venue's testnet, or production. */
export const endpointKindOf = (section: VenueAccountSection): 'simulator' | 'testnet' | 'production' => {
  switch (section.kind) {
    case 'bybit':
      return section.environment === 'sim' ? 'simulator' : section.environment === 'testnet' ? 'testnet' : 'production';
  }
};

/** Whether the account runs against a simulator started inside this process (no URL of an external one). */
export const inProcessSimulator = (section: VenueAccountSection): boolean => endpointKindOf(section) === 'simulator' && section.simUrl.trim() === '';
