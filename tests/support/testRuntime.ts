/**
 * Builds a VenueRuntime for tests and benches with the defaults the suites share (PAPER, bot `tw`, mark triggers,
 * USDT settle asset, fast retries, default reconcile settings); every field can be overridden. Test support only.
 */
import { dec } from '../../src/domain/money.ts';
import { VenueRuntime, type ReconcileSettings, type RuntimeSettings, type VenueRuntimeDeps } from '../../src/runtime/VenueRuntime.ts';

/** Default reconcile settings of the test runtimes. */
export const TEST_RECONCILE: ReconcileSettings = {
  intervalMs: 60_000, foreignPositions: 'adopt', adoptTakeProfitFraction: dec('0.04'), adoptStopLossFraction: dec('0.02'), quantityTolerance: dec(0),
};

/** Returns runtime settings with test defaults. */
export const testSettings = (over: Partial<RuntimeSettings> & Pick<RuntimeSettings, 'symbols'>): RuntimeSettings => ({
  profile: 'test', mode: 'PAPER', botId: 'tw', account: 'main', leverage: dec(5), triggerSource: 'mark', settleAsset: 'USDT',
  ackTimeoutMs: 5000, maxRepriceAttempts: 2, maxProtectionAttempts: 3, cooldownMs: 60_000, retry: { baseMs: 200, capMs: 5000, maxAttempts: 6 }, seed: 7,
  ...over,
});

/** Builds the runtime. */
export const makeTestRuntime = (deps: Omit<VenueRuntimeDeps, 'reconcile' | 'strategies'> & Partial<Pick<VenueRuntimeDeps, 'reconcile' | 'strategies'>>): VenueRuntime =>
  new VenueRuntime({ reconcile: TEST_RECONCILE, strategies: [], ...deps });
