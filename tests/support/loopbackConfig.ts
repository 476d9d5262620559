/**
 * The demo config (config/default.yaml) set up for a PAPER run over the wire protocol on loopback, as the session
 * tests use it: the accelerated clock at `speed`, the staleness limits widened (at ×speed one wall millisecond of
 * latency is `speed` venue milliseconds, and CI runs other files on the same two cores), and optionally the breakout's
 * exits tightened so that positions opened in the data also close in it. Test support only.
 */
import { Either } from 'effect';
import { loadConfigFile } from '../../src/config/load.ts';
import type { AppConfig } from '../../src/config/schema.ts';

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);

/** The decoded demo config and its hash. */
export const demo: { readonly config: AppConfig; readonly hash: string } = loaded.right;

/** Returns the demo config on the accelerated clock (see the file header). */
export const loopbackConfig = (opts: {
  readonly speed: number;
  /** Quote, bar and account age limits in venue ms (default 60 s, 300 s, 300 s). */
  readonly maxAgeMs?: { readonly quote: number; readonly bar: number; readonly account: number } | undefined;
  /** Breakout stop loss and take profit at 0.15 % (default: the config's). */
  readonly tightExits?: boolean | undefined;
}): AppConfig => {
  const base = demo.config;
  const age = opts.maxAgeMs ?? { quote: 60_000, bar: 300_000, account: 300_000 };
  return {
    ...base,
    sim: { ...base.sim, clock: 'accelerated', speed: opts.speed },
    risk: { ...base.risk, staleness: { ...base.risk.staleness, quoteMaxAgeMs: age.quote, barMaxAgeMs: age.bar, accountMaxAgeMs: age.account } },
    strategies: opts.tightExits === true ? { ...base.strategies, breakout: { ...base.strategies.breakout, stopLossFraction: 0.0015, takeProfitFraction: 0.0015 } } : base.strategies,
  };
};
