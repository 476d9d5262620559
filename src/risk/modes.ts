/**
 * The mode ladder DRY_RUN → PAPER → LIVE (X-MOD-1/2/7, X-CLK-1, C-12): profile aliases, whether a mode may send
 * orders, and the start gate that refuses an unsafe start with exit code 3. Pure; performs no I/O.
 *
 * DRY_RUN decisions are ordinary approvals carrying `dryRun: true` (on the decision and on the ApprovedOrder): the
 * runtime logs them per strategy and the execution path refuses to send them.
 */
import type { TradingMode } from './RiskConfig.ts';

/** Profile aliases onto the ladder (C-12): S2 TEST/TEST_MODE, S0 DEMO/testnet/PROD, S1 paper/live, S4 dry run. */
export const MODE_ALIASES: Readonly<Record<string, TradingMode>> = {
  dry_run: 'DRY_RUN',
  dryrun: 'DRY_RUN',
  paper: 'PAPER',
  test: 'PAPER',
  test_mode: 'PAPER',
  demo: 'PAPER',
  testnet: 'PAPER',
  live: 'LIVE',
  prod: 'LIVE',
  production: 'LIVE',
};

/** Returns the mode an alias names (case-insensitive), or undefined for an unknown name. */
export const resolveModeAlias = (name: string): TradingMode | undefined => MODE_ALIASES[name.trim().toLowerCase().replace(/-/g, '_')];

/** Returns whether a mode may send orders to a venue (DRY_RUN never does). */
export const modeSendsOrders = (mode: TradingMode): boolean => mode !== 'DRY_RUN';

/** What kind of endpoint a venue account points at (X-MOD-7). */
export type EndpointKind = 'simulator' | 'testnet' | 'demo' | 'production';

/** One go-live gate's verdict (X-MOD-3 evidence, selfChecks, signed release…). */
export interface StartGate {
  readonly name: string;
  readonly passed: boolean;
  readonly detail?: string | undefined;
}

/** The inputs of the start decision. */
export interface ModeStartInput {
  readonly mode: TradingMode;
  readonly endpointKind: EndpointKind;
  /** The explicit `live: true` config flag. */
  readonly liveFlag: boolean;
  /** The token the operator typed for this start. */
  readonly confirmationToken: string | undefined;
  /** The token the process printed/derived for this start. */
  readonly expectedToken: string | undefined;
  /** Measured |host/venue offset| after auto-sync. */
  readonly clockOffsetMs: number;
  /** Start gate limit (config clock.startGateMs, 100 ms). */
  readonly clockGateMs: number;
  readonly gates: ReadonlyArray<StartGate>;
}

/** Why a start is refused. */
export type ModeStartCode =
  | 'paper_requires_test_endpoint'
  | 'live_requires_production_endpoint'
  | 'live_requires_config_flag'
  | 'clock_gate_failed'
  | 'live_gates_failed'
  | 'live_requires_confirmation';

/** The start decision: ok, or a refusal with exit code 3 and a message for the operator. */
export type ModeStartResult =
  | { readonly ok: true; readonly mode: TradingMode; readonly sendsOrders: boolean }
  | { readonly ok: false; readonly code: ModeStartCode; readonly message: string; readonly exitCode: 3 };

const refuse = (code: ModeStartCode, message: string): ModeStartResult => ({ ok: false, code, message, exitCode: 3 });

/**
 * Decides whether the process may start in the given mode. Checks, in order: endpoint matches the mode (DRY_RUN and
 * PAPER only non-production, LIVE only production), LIVE's config flag, the clock start gate (|offset| < limit, every mode),
 * LIVE's gates, then LIVE's operator confirmation token.
 */
export const checkModeStart = (input: ModeStartInput): ModeStartResult => {
  const { mode, endpointKind } = input;
  // DRY_RUN on production is refused too, as `check` refuses it (config/load.ts `modeEndpointIssues`): one rule.
  if ((mode === 'PAPER' || mode === 'DRY_RUN') && endpointKind === 'production') {
    return refuse('paper_requires_test_endpoint', `${mode} may only use a simulator, testnet or demo endpoint; this account points at production`);
  }
  if (mode === 'LIVE' && endpointKind !== 'production') {
    return refuse('live_requires_production_endpoint', `LIVE needs a production endpoint; this account points at ${endpointKind}`);
  }
  if (mode === 'LIVE' && !input.liveFlag) return refuse('live_requires_config_flag', 'LIVE requires the explicit live flag in the profile config');
  if (!Number.isFinite(input.clockOffsetMs) || Math.abs(input.clockOffsetMs) >= input.clockGateMs) {
    return refuse('clock_gate_failed', `clock offset ${input.clockOffsetMs} ms is not below the start gate of ${input.clockGateMs} ms`);
  }
  if (mode === 'LIVE') {
    const failed = input.gates.filter((g) => !g.passed);
    if (failed.length > 0) {
      return refuse('live_gates_failed', `LIVE gates not passed: ${failed.map((g) => (g.detail === undefined ? g.name : `${g.name} (${g.detail})`)).join(', ')}`);
    }
    const { confirmationToken: got, expectedToken: want } = input;
    if (want === undefined || want.length === 0 || got === undefined || got !== want) {
      return refuse('live_requires_confirmation', 'LIVE requires the operator to type this start\'s confirmation token');
    }
  }
  return { ok: true, mode, sendsOrders: modeSendsOrders(mode) };
};
