/**
 * The drawdown breaker's state (X-RSK-3, S2-4): rolling drawdown over a time window, session drawdown since the
 * session start, and daily loss since the start of the day in the profile's IANA zone. A breach latches until an
 * operator clears it. Pure and serializable (the runtime persists it in the journal kv); time comes in with each point.
 */
import { Schema } from 'effect';
import { Decimal, ZERO } from '../domain/money.ts';
import { DecimalFromString } from '../domain/schemas.ts';
import type { RiskConfig } from './RiskConfig.ts';

/** Which breaker tripped. */
export const DrawdownReason = Schema.Literal('rolling_drawdown', 'session_drawdown', 'daily_loss');
export type DrawdownReason = typeof DrawdownReason.Type;

/** A latched breach; numbers are decimal strings (fractions of equity). */
export const DrawdownBreach = Schema.Struct({
  reason: DrawdownReason,
  observed: Schema.String,
  limit: Schema.String,
  at: Schema.Number,
});
export type DrawdownBreach = typeof DrawdownBreach.Type;

const EquityPoint = Schema.Struct({ ts: Schema.Number, equity: DecimalFromString });

/** The serializable breaker state (decimals encode as strings). */
export const DrawdownStateSchema = Schema.Struct({
  timeZone: Schema.String,
  /** Local calendar day (YYYY-MM-DD in timeZone) of the last point. */
  dayKey: Schema.String,
  dayStartEquity: DecimalFromString,
  sessionStartTs: Schema.Number,
  sessionPeak: DecimalFromString,
  /** Monotonic deque of the rolling window: equities strictly decreasing from front to back; the front is the peak. */
  window: Schema.Array(EquityPoint),
  lastEquity: DecimalFromString,
  lastTs: Schema.Number,
  breach: Schema.NullOr(DrawdownBreach),
});

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** Returns the local calendar day (YYYY-MM-DD) of an instant in an IANA zone; deterministic for a given ts. */
export const localDayKey = (ts: number, timeZone: string): string => {
  let f = dayFormatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(ts);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}`;
};

/** The breaker state. */
export interface DrawdownState {
  readonly timeZone: string;
  readonly dayKey: string;
  readonly dayStartEquity: Decimal;
  readonly sessionStartTs: number;
  readonly sessionPeak: Decimal;
  readonly window: ReadonlyArray<{ readonly ts: number; readonly equity: Decimal }>;
  readonly lastEquity: Decimal;
  readonly lastTs: number;
  readonly breach: DrawdownBreach | undefined;
}

/** The three measures, as fractions of the reference equity (0 when equity is at or above it). */
export interface DrawdownMeasures {
  readonly rollingDrawdown: Decimal;
  readonly sessionDrawdown: Decimal;
  readonly dailyLoss: Decimal;
}

/** Returns a fresh state whose session and day start at the given equity. */
export const initDrawdown = (equity: Decimal, ts: number, timeZone: string): DrawdownState => ({
  timeZone,
  dayKey: localDayKey(ts, timeZone),
  dayStartEquity: equity,
  sessionStartTs: ts,
  sessionPeak: equity,
  window: [{ ts, equity }],
  lastEquity: equity,
  lastTs: ts,
  breach: undefined,
});

const lossFraction = (reference: Decimal, equity: Decimal): Decimal =>
  reference.gt(0) && equity.lt(reference) ? reference.minus(equity).div(reference) : ZERO;

/** Returns the current measures of a state. */
export const drawdownMeasures = (s: DrawdownState): DrawdownMeasures => ({
  rollingDrawdown: lossFraction(s.window[0]?.equity ?? s.lastEquity, s.lastEquity),
  sessionDrawdown: lossFraction(s.sessionPeak, s.lastEquity),
  dailyLoss: lossFraction(s.dayStartEquity, s.lastEquity),
});

/**
 * Adds an equity point (points older than the last are ignored) and returns the new state plus the breach this point
 * caused, if it caused one. A measure exactly at its limit does not trip; the first day of a new local date starts
 * from the last equity seen before the boundary.
 */
export const recordEquity = (
  s: DrawdownState,
  equity: Decimal,
  ts: number,
  cfg: RiskConfig['drawdown'],
): { readonly state: DrawdownState; readonly tripped: DrawdownBreach | undefined } => {
  if (ts < s.lastTs) return { state: s, tripped: undefined };
  const dayKey = localDayKey(ts, s.timeZone);
  const dayStartEquity = dayKey === s.dayKey ? s.dayStartEquity : s.lastEquity;
  const window = s.window.filter((p) => p.ts >= ts - cfg.rollingWindowMs && p.equity.gt(equity));
  window.push({ ts, equity });
  const next: DrawdownState = {
    ...s,
    dayKey,
    dayStartEquity,
    sessionPeak: equity.gt(s.sessionPeak) ? equity : s.sessionPeak,
    window,
    lastEquity: equity,
    lastTs: ts,
  };
  if (next.breach !== undefined) return { state: next, tripped: undefined };
  const m = drawdownMeasures(next);
  const checks: ReadonlyArray<readonly [DrawdownReason, Decimal, number]> = [
    ['daily_loss', m.dailyLoss, cfg.dailyLossLimitFraction],
    ['session_drawdown', m.sessionDrawdown, cfg.maxSessionDrawdownFraction],
    ['rolling_drawdown', m.rollingDrawdown, cfg.maxRollingDrawdownFraction],
  ];
  for (const [reason, observed, limit] of checks) {
    if (observed.gt(limit)) {
      const tripped: DrawdownBreach = { reason, observed: observed.toString(), limit: String(limit), at: ts };
      return { state: { ...next, breach: tripped }, tripped };
    }
  }
  return { state: next, tripped: undefined };
};

/** Returns the state with a new session starting at the given equity (the latched breach is kept). */
export const startSession = (s: DrawdownState, equity: Decimal, ts: number): DrawdownState => ({
  ...s,
  sessionStartTs: ts,
  sessionPeak: equity,
  lastEquity: equity,
  lastTs: Math.max(ts, s.lastTs),
});

/** Returns the state with the latched breach cleared (an operator's explicit resume). */
export const clearDrawdownBreach = (s: DrawdownState): DrawdownState => ({ ...s, breach: undefined });

/** Returns the JSON-safe form of a state, for the journal kv. */
export const encodeDrawdownState = (s: DrawdownState): typeof DrawdownStateSchema.Encoded =>
  Schema.encodeSync(DrawdownStateSchema)({ ...s, breach: s.breach ?? null });

/** Returns the state from its JSON-safe form; throws a ParseError on malformed input. */
export const decodeDrawdownState = (raw: unknown): DrawdownState => {
  const d = Schema.decodeUnknownSync(DrawdownStateSchema)(raw);
  return { ...d, breach: d.breach ?? undefined };
};
