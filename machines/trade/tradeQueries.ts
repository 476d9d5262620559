/**
 * Questions about a trade actor's snapshot that code outside the chart asks (the runtime, recovery, the risk views, the
 * restart drill): the chart's state names stay inside `machines/` (a lint rule bans comparing them elsewhere). Every
 * predicate takes a live snapshot or its persisted JSON (same `value` and `context` shape). Pure.
 */
import { dec } from '../../src/domain/money.ts';
import { openQuantity } from './tradeLogic.ts';
import type { TradeContext } from './tradeTypes.ts';

/** A live trade snapshot or its persisted JSON. */
export interface TradeSnapshotLike {
  readonly value: unknown;
  readonly context: TradeContext;
}

type Life = 'idle' | 'submitting' | 'querying' | 'working' | 'cancelling' | 'opened' | 'closing' | 'flattening' | 'closed';

const lifeOf = (s: TradeSnapshotLike): { readonly top: Life; readonly sub: string | undefined } => {
  const v = (s.value as { lifecycle?: unknown }).lifecycle;
  if (typeof v === 'string') return { top: v as Life, sub: undefined };
  const [top, sub] = Object.entries((v ?? {}) as Record<string, unknown>)[0] ?? ['idle', undefined];
  return { top: top as Life, sub: typeof sub === 'string' ? sub : undefined };
};

/** Whether the actor holds a position it manages (opened, or an exit or flatten under way). */
export const holdsPosition = (s: TradeSnapshotLike): boolean => {
  const { top } = lifeOf(s);
  return top === 'opened' || top === 'closing' || top === 'flattening';
};

/** Whether the actor is idle: no entry in flight, no position, no cooldown. */
export const isIdle = (s: TradeSnapshotLike): boolean => lifeOf(s).top === 'idle';

/**
 * Whether the actor is at rest: idle or cooling down after a closed cycle (nothing of ours live at the venue). A closed
 * position whose hedge leg is still being closed or awaited (S0-12) is not at rest.
 */
export const isAtRest = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  return top === 'idle' || (top === 'closed' && !HEDGE_WORK.has(sub ?? ''));
};

// S0-12: states in which the hedge leg's order or close is with the venue.
const HEDGE_WORK = new Set(['hedging', 'protectingHedge', 'unhedging', 'awaitingHedge']);

/** Whether the actor owns a hedge leg that is, or may be, open at the venue (S0-12): its fills and updates are the actor's. */
export const holdsHedge = (s: TradeSnapshotLike): boolean => {
  const h = (s.context as { readonly hedge?: TradeContext['hedge'] }).hedge;
  return h !== undefined && (h.status === 'opening' || h.status === 'protecting' || h.status === 'open' || h.status === 'closing');
};

/** Whether a request of the actor is in flight (judged as a disagreement only once everything should have settled). */
export const isTransient = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  return top === 'submitting' || top === 'querying' || top === 'cancelling' || top === 'closing' || top === 'flattening' ||
    (top === 'opened' && (sub === 'protecting' || sub === 'movingStop' || sub === 'laddering')) || ((top === 'opened' || top === 'closed') && HEDGE_WORK.has(sub ?? ''));
};

/** Whether a pyramid ladder step is with the venue (S0-9). */
export const isLaddering = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  return top === 'opened' && sub === 'laddering';
};

/** Whether an entry order of the actor may be live at the venue (sent, resting or being queried). */
export const hasEntryInFlight = (s: TradeSnapshotLike): boolean => {
  const { top } = lifeOf(s);
  return top === 'submitting' || top === 'working' || top === 'querying';
};

/** Whether the entry rests at the venue (acknowledged, possibly partly filled). */
export const isWorkingEntry = (s: TradeSnapshotLike): boolean => lifeOf(s).top === 'working';

/**
 * Whether an entry is in flight with part of it filled: a position exists before OPENED (a resting entry partly
 * filled, or the next part of a split entry on its way or being queried after earlier parts filled, S0-16).
 */
export const hasPartialEntry = (s: TradeSnapshotLike): boolean => hasEntryInFlight(s) && dec(openQuantity(s.context)).gt(0);

/** Whether the actor waits for the venue to confirm TP/SL of its open position. */
export const isProtecting = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  return top === 'opened' && sub === 'protecting';
};

// The venue holds a confirmed TP/SL: the entry's, break-even's or the trailer's (a move in flight keeps the old one).
// While the hedge (S0-12) is worked the position keeps its confirmed TP/SL.
const PROTECTED = new Set(['protected', 'movingStop', 'breakEven', 'trailing', 'hedging', 'protectingHedge', 'hedged', 'unhedging']);

/** Whether a stop move (break-even or trailer) of the actor's open position awaits the venue's answer. */
export const isMovingStop = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  return top === 'opened' && sub === 'movingStop';
};

/** Whether the venue confirmed TP/SL of the actor's open position (moved or not). */
export const isProtected = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  return top === 'opened' && sub !== undefined && PROTECTED.has(sub);
};

/**
 * The stop phase a journaled lifecycle state (an ACTOR_EVENT's `from` or `to`) stands for: a move awaiting the venue,
 * the stop at break-even, or the trailer's; undefined for any other state (S0-11, S0-13, S0-18's STOP_MOVED).
 */
export const journaledStopPhase = (state: unknown): 'moving' | 'breakEven' | 'trailing' | undefined =>
  state === 'opened.movingStop' ? 'moving' : state === 'opened.breakEven' ? 'breakEven' : state === 'opened.trailing' ? 'trailing' : undefined;

/**
 * Whether the actor's stop is managed (S0-11, S0-13) and may move on a mark: protected, no move in flight — or an
 * entry still resting with a part filled (S0-7's second leg), which a break-even mark withdraws so the position is
 * managed as opened.
 */
export const takesMarks = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  if (s.context.intent?.management === undefined) return false;
  if (top === 'working') return dec(openQuantity(s.context)).gt(0);
  return top === 'opened' && (sub === 'protected' || sub === 'breakEven' || sub === 'trailing');
};

/**
 * Whether the actor's position may climb its pyramid ladder now (S0-9): opened and protected with no stop move in
 * flight, trading running and the symbol's market data live (a halt or MARKET_PAUSED stops the ladder as it stops
 * entries), no flatten asked for. The chart's ladder guards hold the same conditions.
 */
export const climbsLadder = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  const v = s.value as { control?: unknown; entries?: unknown };
  return s.context.intent?.ladder !== undefined && top === 'opened' && (sub === 'protected' || sub === 'breakEven' || sub === 'trailing') &&
    v.control === 'running' && v.entries === 'allowed' && !s.context.flattenRequested;
};

/** Whether the actor's position may be hedged now (S0-12): protected, with a hedge plan, trading running on live data. */
export const watchesHedge = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  const v = s.value as { control?: unknown; entries?: unknown };
  return s.context.intent?.hedge !== undefined && top === 'opened' && sub === 'protected' && v.control === 'running' && v.entries === 'allowed' && !s.context.flattenRequested;
};

/** Whether the actor is waiting for the venue to confirm its hedge leg's TP/SL (S0-12). */
export const isProtectingHedge = (s: TradeSnapshotLike): boolean => {
  const { top, sub } = lifeOf(s);
  return top === 'opened' && sub === 'protectingHedge';
};

/** Whether the actor's entry was just sent (no ack yet). */
export const isSubmitting = (s: TradeSnapshotLike): boolean => lifeOf(s).top === 'submitting';

/** Whether the actor is withdrawing its entry (a cancel asked of the venue). */
export const isCancelling = (s: TradeSnapshotLike): boolean => lifeOf(s).top === 'cancelling';

/** Whether the actor holds its opened position (protecting or protected), not closing or flattening it. */
export const isOpened = (s: TradeSnapshotLike): boolean => lifeOf(s).top === 'opened';

/** Whether the actor accepts a strategy exit now (it holds a position and is not already closing it). */
export const acceptsExit = isOpened;

/** Whether the actor accepts a new entry now (idle, its kill switch not engaged, its market not paused). */
export const acceptsEntry = (s: TradeSnapshotLike): boolean => {
  const v = s.value as { control?: unknown; entries?: unknown };
  return isIdle(s) && v.control !== 'halted' && v.entries !== 'paused';
};
