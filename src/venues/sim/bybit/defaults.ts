/**
 * The documented simulator-only credentials and funding of a standalone Bybit façade (`tradewarden sim`). These are
 * not secrets: they only open the loopback simulator, which holds no real money.
 */
import type { BybitSimApiKey } from './BybitSimServer.ts';

/**
 * The default sim API keys: `sim-key-1` / `sim-secret-1` trade for account `main`, `sim-key-2` / `sim-secret-2` for
 * account `second` (a config with two venue accounts on one simulator).
 */
export const DEFAULT_SIM_API_KEYS: ReadonlyArray<BybitSimApiKey> = [
  { key: 'sim-key-1', secret: 'sim-secret-1', account: 'main' },
  { key: 'sim-key-2', secret: 'sim-secret-2', account: 'second' },
];

/** Every default account starts with 100,000 USDT. */
export const DEFAULT_SIM_FUNDING = { coin: 'USDT', amount: '100000' } as const;
