/**
 * The kill switch's state and transitions (X-RSK-1, C-19, S2-15): engage from a file flag, the CLI, the API, a
 * breaker or a run of critical errors; resume by an operator; and the effects the runtime must then perform. Pure and
 * serializable: the runtime polls the flag file, persists the state, and carries out `killEffects`.
 */
import { Schema } from 'effect';
import type { RiskConfig } from './RiskConfig.ts';
import type { PositionView, WorkingOrderView } from './views.ts';

/** Who engaged the kill switch. */
export const KillSource = Schema.Literal('file', 'cli', 'api', 'chat', 'breaker', 'critical_errors');
export type KillSource = typeof KillSource.Type;

/** The serializable kill-switch state. */
export const KillSwitchStateSchema = Schema.Struct({
  engaged: Schema.Boolean,
  reason: Schema.NullOr(Schema.String),
  since: Schema.NullOr(Schema.Number),
  flatten: Schema.Boolean,
  source: Schema.NullOr(KillSource),
  /** Timestamps of recent critical errors inside the counting window. */
  criticalErrors: Schema.Array(Schema.Number),
});

/** The kill-switch state (PortfolioView.kill accepts it). */
export interface KillSwitchState {
  readonly engaged: boolean;
  readonly reason: string | undefined;
  readonly since: number | undefined;
  readonly flatten: boolean;
  readonly source: KillSource | undefined;
  readonly criticalErrors: ReadonlyArray<number>;
}

/** The disengaged state. */
export const initialKillSwitch: KillSwitchState = { engaged: false, reason: undefined, since: undefined, flatten: false, source: undefined, criticalErrors: [] };

/**
 * Returns the engaged state. Engaging an engaged switch keeps the first reason, source and time (halt_reason + ts
 * persisted once) but a later request may add flatten.
 */
export const engageKill = (
  s: KillSwitchState,
  req: { readonly reason: string; readonly source: KillSource; readonly at: number; readonly flatten?: boolean | undefined },
  cfg: RiskConfig['killSwitch'],
): KillSwitchState => {
  const flatten = req.flatten ?? cfg.flatten;
  if (s.engaged) return s.flatten || !flatten ? s : { ...s, flatten: true };
  return { ...s, engaged: true, reason: req.reason, since: req.at, flatten, source: req.source };
};

/** Returns the disengaged state (an operator's resume); the critical-error count starts over. */
export const resumeKill = (s: KillSwitchState): KillSwitchState => ({ ...initialKillSwitch, criticalErrors: s.engaged ? [] : s.criticalErrors });

/**
 * Counts a critical error at `at`; reaching the threshold inside the window engages the switch with source
 * `critical_errors`. Returns the new state and whether this error tripped it.
 */
export const recordCriticalError = (
  s: KillSwitchState,
  at: number,
  cfg: RiskConfig['killSwitch'],
): { readonly state: KillSwitchState; readonly tripped: boolean } => {
  const criticalErrors = [...s.criticalErrors.filter((t) => t > at - cfg.criticalErrorWindowMs), at];
  const counted = { ...s, criticalErrors };
  if (s.engaged || criticalErrors.length < cfg.criticalErrorThreshold) return { state: counted, tripped: false };
  const reason = `${criticalErrors.length} critical errors within ${cfg.criticalErrorWindowMs} ms`;
  return { state: engageKill(counted, { reason, source: 'critical_errors', at }, cfg), tripped: true };
};

/** What the runtime must do after the switch engages (X-RSK-1): cancel, keep, flatten, alert. */
export interface KillEffects {
  /** Working entries, and reduce-only orders of symbols that are already flat: cancel within 10 s. */
  readonly cancel: ReadonlyArray<WorkingOrderView>;
  /** Reduce-only SL/TP protecting an open position: keep until that position is flat. */
  readonly keep: ReadonlyArray<WorkingOrderView>;
  /** Positions to close with reduce-only orders (only when flatten is set). */
  readonly flatten: ReadonlyArray<PositionView>;
  /** Raise within 5 s. */
  readonly alert: { readonly key: 'kill_switch'; readonly severity: 'CRITICAL'; readonly message: string };
}

/** Returns the effects of an engaged switch on the given book; nothing for a disengaged one. */
export const killEffects = (
  s: KillSwitchState,
  book: { readonly positions: ReadonlyArray<PositionView>; readonly workingOrders: ReadonlyArray<WorkingOrderView> },
): KillEffects | undefined => {
  if (!s.engaged) return undefined;
  const open = new Set(book.positions.filter((p) => !p.quantity.isZero()).map((p) => p.symbol));
  // Protections stay even when flattening: they are removed only once their position is flat (X-RSK-1).
  const keep = book.workingOrders.filter((o) => o.reduceOnly && open.has(o.symbol));
  const cancel = book.workingOrders.filter((o) => !keep.includes(o));
  return {
    cancel,
    keep,
    flatten: s.flatten ? book.positions.filter((p) => !p.quantity.isZero()) : [],
    alert: { key: 'kill_switch', severity: 'CRITICAL', message: `kill switch engaged (${s.source ?? 'unknown'}): ${s.reason ?? ''}` },
  };
};

/** Returns the JSON-safe form of the state, for the journal kv. */
export const encodeKillSwitchState = (s: KillSwitchState): typeof KillSwitchStateSchema.Encoded =>
  Schema.encodeSync(KillSwitchStateSchema)({ ...s, reason: s.reason ?? null, since: s.since ?? null, source: s.source ?? null });

/** Returns the state from its JSON-safe form; throws a ParseError on malformed input. */
export const decodeKillSwitchState = (raw: unknown): KillSwitchState => {
  const d = Schema.decodeUnknownSync(KillSwitchStateSchema)(raw);
  return { ...d, reason: d.reason ?? undefined, since: d.since ?? undefined, source: d.source ?? undefined };
};
