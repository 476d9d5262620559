/**
 * What follows a veto outside the engine: the typed error an Effect caller may fail with (X-ORD-10 `CapacityExceeded`,
 * DESIGN §6 `RiskVeto`) and the alert a safety veto must raise (X-RSK-2 `STALENESS`, X-NTF-3). A veto is a business
 * outcome, journaled as an event; these helpers never throw. Pure; performs no I/O.
 */
import { Data } from 'effect';
import type { Veto } from './views.ts';

/** A capacity cap was full (S0-6, S2-5): no order sent, alarm raised. */
export class CapacityExceeded extends Data.TaggedError('CapacityExceeded')<{ readonly proposalId: string; readonly veto: Veto }> {
  override get message(): string {
    return `capacity exceeded (${this.veto.capType}): ${this.veto.message}`;
  }
}

/** Any other veto, for callers that surface it as a typed failure. */
export class RiskVeto extends Data.TaggedError('RiskVeto')<{ readonly proposalId: string; readonly veto: Veto }> {
  override get message(): string {
    return `${this.veto.reason} (${this.veto.capType}): ${this.veto.message}`;
  }
}

/** Returns the typed error of a veto: CapacityExceeded for capacity caps, RiskVeto otherwise. */
export const vetoError = (proposalId: string, veto: Veto): CapacityExceeded | RiskVeto =>
  veto.reason === 'capacity_exceeded' ? new CapacityExceeded({ proposalId, veto }) : new RiskVeto({ proposalId, veto });

/** An alert to raise through the AlertPort (structurally its `AlertInput`). */
export interface VetoAlert {
  readonly key: string;
  readonly severity: 'INFO' | 'WARN' | 'CRITICAL';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

const CRITICAL = new Set(['kill_switch', 'halted', 'drawdown_breach', 'broker_desync', 'dependency_down', 'clock_skew_block']);
// Exposure caps (symbol, theme, total) veto routinely while a position is open — a strategy re-proposing the trade it
// already holds — so they go to the journal and logs only; an alert for each would escalate for as long as it is held.
const WARN = new Set(['staleness_quote', 'staleness_bar', 'staleness_account', 'product_disabled', 'market_quality', 'capacity_exceeded']);

/**
 * Returns the alert a veto calls for, keyed so the router dedupes repeats (`staleness:BTCUSDT`), or undefined for
 * routine vetoes (cooldown, strategy caps, sizing) that only go to the journal and metrics.
 */
export const alertForVeto = (symbol: string, veto: Veto): VetoAlert | undefined => {
  const fields = { symbol, veto_reason: veto.reason, cap_type: veto.capType, current: veto.current, proposed: veto.proposed, limit: veto.limit };
  if (CRITICAL.has(veto.reason)) return { key: veto.reason, severity: 'CRITICAL', message: veto.message, fields };
  if (veto.reason.startsWith('staleness_')) return { key: `staleness:${symbol}`, severity: 'WARN', message: `STALENESS ${veto.message}`, fields };
  if (WARN.has(veto.reason)) return { key: `${veto.reason}:${symbol}`, severity: 'WARN', message: veto.message, fields };
  return undefined;
};

/** Returns the alert keys an approval for `symbol` shows to be over (the symbol's warning conditions). */
export const alertsResolvedBy = (symbol: string): ReadonlyArray<string> =>
  ['staleness', 'symbol_cap', 'total_cap', 'theme_cap', 'capacity_exceeded', 'market_quality', 'product_disabled'].map((k) => `${k}:${symbol}`);
