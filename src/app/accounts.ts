/**
 * The venue accounts of a config, resolved through the binding registry (name, section, binding, symbols, trading
 * settings, endpoint kind), and the one question a session asks of all of them together: which kind of session they
 * make — the in-process simulator on the virtual clock, the in-process simulator over the wire protocol, an external
 * simulator, or real venues. Journal file names live here too (ADR 0006: one journal per account). Pure; no I/O.
 */
import { join } from 'node:path';
import type { AppConfig } from '../config/schema.ts';
import { endpointKindOf, type VenueAccountSection } from '../venues/accountSections.ts';
import { bindingOf, type AccountTrading, type VenueBinding } from './venues.ts';

/** One venue account of a session. */
export interface SessionAccount {
  /** The account's name in the config (`venues.<name>`). */
  readonly name: string;
  readonly section: VenueAccountSection;
  readonly binding: VenueBinding;
  readonly symbols: ReadonlyArray<string>;
  readonly trading: AccountTrading;
  readonly endpoint: 'simulator' | 'testnet' | 'production';
  /** The simulator account it trades (simulator endpoints only; its own name by default). */
  readonly simAccount: string;
  /** The external simulator's URL ('' for the in-process simulator or a real endpoint). */
  readonly simUrl: string;
}

/**
 * What the accounts make together: `virtual` (in-process simulator, venue calls in-process, virtual clock), `loopback`
 * (in-process simulator behind its wire façade, accelerated clock), `external` (a `tradewarden sim` at `simUrl`,
 * persistent journals), `venue` (testnet or production endpoints, wall clock, persistent journals).
 */
export type SessionKind = 'virtual' | 'loopback' | 'external' | 'venue';

/** Returns the config's accounts in config order. */
export const accountsOf = (config: AppConfig): ReadonlyArray<SessionAccount> =>
  Object.entries(config.venues).map(([name, section]) => {
    const binding = bindingOf(section);
    return {
      name, section, binding, symbols: section.symbols, trading: binding.trading(section), endpoint: endpointKindOf(section),
      simAccount: binding.simAccount(section, name), simUrl: binding.simUrl(section),
    };
  });

/** Every symbol of the session, account by account. */
export const sessionSymbols = (config: AppConfig): ReadonlyArray<string> => Object.values(config.venues).flatMap((a) => a.symbols);

const kindOfAccount = (a: SessionAccount, wire: boolean): SessionKind =>
  a.endpoint !== 'simulator' ? 'venue' : a.simUrl !== '' ? 'external' : wire ? 'loopback' : 'virtual';

/**
 * Returns the session kind of a config (`wire`: run the in-process simulator behind its façade even on the virtual
 * clock setting), or a sentence saying why its accounts cannot share one session: one session has one clock, so its
 * accounts are all in-process, all on one external simulator, or all on real endpoints.
 */
export const sessionKindOf = (config: AppConfig, wire = false): { readonly kind: SessionKind } | { readonly problem: string; readonly path: string } => {
  const accounts = accountsOf(config);
  const useWire = wire || config.sim.clock === 'accelerated';
  const kinds = new Set(accounts.map((a) => kindOfAccount(a, useWire)));
  if (kinds.size > 1) {
    const described = accounts.map((a) => `${a.name}: ${kindOfAccount(a, useWire)}`).join(', ');
    return { path: 'venues', problem: `the accounts of one session share one clock: all on the in-process simulator, all on one external simulator, or all on real endpoints (here ${described})` };
  }
  const urls = new Set(accounts.filter((a) => a.simUrl !== '').map((a) => a.simUrl.replace(/\/+$/, '')));
  if (urls.size > 1) return { path: 'venues', problem: `the accounts of one session use one external simulator; here ${[...urls].join(', ')}` };
  return { kind: [...kinds][0] ?? 'virtual' };
};

/** The file name of an account's journal (`<kind>-<name>.sqlite`) in a run's or a data directory's journal folder. */
export const journalFileName = (account: Pick<SessionAccount, 'name' | 'section'>): string => `${account.section.kind}-${account.name}.sqlite`;

/** The persistent journal of a venue account in a data directory (ADR 0006: `journal/<kind>-<name>.sqlite`). */
export const persistentJournalPath = (dataDir: string, kind: string, account: string): string => join(dataDir, 'journal', `${kind}-${account}.sqlite`);

/** Returns the account of a config by name, or a sentence listing the names it has. */
export const accountNamed = (config: AppConfig, name: string | undefined): SessionAccount | string => {
  const accounts = accountsOf(config);
  if (name === undefined) return accounts.length === 1 ? accounts[0]! : `the config has ${String(accounts.length)} venue accounts (${accounts.map((a) => a.name).join(', ')}); name one with --account`;
  return accounts.find((a) => a.name === name) ?? `the config has no venue account "${name}" (it has ${accounts.map((a) => a.name).join(', ')})`;
};
