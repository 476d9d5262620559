/**
 * Config helpers for tests: a decoded config with one venue account's section patched (the demo's account is
 * `main`). Test support only.
 */
import type { AppConfig } from '../../src/config/schema.ts';
import type { VenueAccountSection } from '../../src/venues/accountSections.ts';

/** Returns `config` with `venues.<name>` patched (it must exist). */
export const withAccount = (config: AppConfig, patch: Partial<VenueAccountSection>, name = 'main'): AppConfig => {
  const section = config.venues[name];
  if (section === undefined) throw new Error(`the config has no venue account ${name}`);
  return { ...config, venues: { ...config.venues, [name]: { ...section, ...patch } } };
};
