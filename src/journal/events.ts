/**
 * The journal event catalogue (issue 11): every event type tradewarden writes, each with the effect/Schema of its
 * payload. The schemas describe a payload twice: their `Type` is what a writer hands the journal (Decimals as Decimal,
 * optional fields possibly undefined) and what `decodeJournalPayload` returns; their `Encoded` side is the canonical
 * JSON the journal stores (Decimals as plain decimal strings, undefined fields omitted; see canonical.ts). Fields the
 * journal adds itself (`orderRow` on order events, `snapshotOf`/`snapshotDigest` on actor events, see coverage.ts) are
 * part of the stored payload and so of the schema. Payloads are closed: a field no schema names is a mismatch, except
 * inside the one genuinely open value, the trade-chart event of ACTOR_EVENT (its vocabulary lives in machines/, which
 * the journal does not import), and the kv value of KV_SET (any canonical JSON).
 *
 * The catalogue binds the writers at compile time: `Journal.append` takes only `AppendEventType`s with their
 * `JournalPayload`, `appendWithSnapshot` only `SnapshotEventType`s, `recordOrderUpdate` only `OrderUpdateEventType`s;
 * the journal's own entries (kv, counters, table anchors) are written by the journal alone. Pure; performs no I/O.
 */
import { Data, Either, ParseResult, Schema } from 'effect';
import { TradingMode } from '../config/risk.ts';
import { parseDecimal } from '../domain/money.ts';
import type { OrderType, Position, Side, TimeInForce, TriggerSource } from '../domain/orders.ts';
import { DecimalFromString } from '../domain/schemas.ts';
import { ORDER_ROW_FIELD, SNAPSHOT_DIGEST_FIELD, SNAPSHOT_OF_FIELD } from './coverage.ts';
import type { JournalOrderState } from './Journal.ts';

// ---- building blocks -------------------------------------------------------------------------------------------

/** A Decimal the writer passes as a Decimal; journaled as its canonical decimal string. */
const Dec = DecimalFromString;

/** A decimal the writer already holds as text (the trade chart's context, approval records, venue activity). */
const DecimalText = Schema.String.pipe(
  Schema.filter((s) => parseDecimal(s)?.isFinite() === true || `Expected a decimal string, got ${JSON.stringify(s)}`),
).annotations({ identifier: 'DecimalText' });

const Strings = Schema.Array(Schema.String);

// The vocabularies below are typed against their domain types: Schema is invariant in its type, so a value added to
// (or removed from) the domain type without the catalogue following is a compile error here.
const SideSchema: Schema.Schema<Side> = Schema.Literal('buy', 'sell');
const PositionSideSchema: Schema.Schema<Position['side']> = Schema.Literal('long', 'short', 'flat');
const OrderTypeSchema: Schema.Schema<OrderType> = Schema.Literal('market', 'limit');
const TimeInForceSchema: Schema.Schema<TimeInForce> = Schema.Literal('gtc', 'ioc', 'fok', 'post_only');
const TriggerSourceSchema: Schema.Schema<TriggerSource> = Schema.Literal('mark', 'last', 'index');
// The kill switch's sources (risk/KillSwitch.ts `KillSource`; the journal does not import risk/, TradingState's write checks it).
const KillSourceSchema = Schema.Literal('file', 'cli', 'api', 'chat', 'breaker', 'critical_errors');
const OrderStateSchema: Schema.Schema<JournalOrderState> = Schema.Literal(
  'requested', 'ambiguous', 'new', 'partially_filled', 'untriggered', 'filled', 'cancelled', 'rejected', 'expired', 'triggered', 'deactivated',
);
/** Why reconcile touched something: the kind of the difference it resolved (execution/Reconciler.ts `Difference`; its writes check it). */
const DifferenceKindSchema = Schema.Literal('orphan_order', 'unsettled_order', 'status_mismatch', 'missing_at_venue', 'unprotected_position', 'foreign_position');

/**
 * One trade-chart event (machines/trade/tradeTypes.ts `TradeEvent`): every one carries its `type` and the host time
 * `at`; its other fields depend on the type and are kept as they are. One of the two open values of the catalogue (with
 * KV_SET's value); open by a parse-options annotation rather than a record signature, so the chart's interface-typed
 * events stay assignable to it.
 */
const TradeChartEventSchema = Schema.Struct({ type: Schema.String, at: Schema.Number }).annotations({
  identifier: 'TradeChartEvent',
  parseOptions: { onExcessProperty: 'preserve' },
});

/**
 * The integrator's downscale of a proposal to its strategy's own at-risk cap (S3-6), on the RISK_DECISION of the
 * smaller proposal: the cap's figures as fractions of NAV (text, like a veto's) and the notional fraction asked for
 * and kept.
 */
export const StrategyCapRecord = Schema.Struct({
  reason: Schema.Literal('strategy_cap'),
  cap_type: Schema.String,
  current: Schema.String,
  proposed: Schema.String,
  limit: Schema.String,
  requested_notional_fraction: Schema.String,
  notional_fraction: Schema.String,
  message: Schema.String,
});
export type StrategyCapRecord = typeof StrategyCapRecord.Type;

/** An approved order as the RiskEngine journals it (`ApprovedOrder.toJSON`; re-minted from it on restart, ApprovalBook.rehydrate). */
export const ApprovedOrderRecord = Schema.Struct({
  decisionId: Schema.String,
  proposalId: Schema.String,
  strategyId: Schema.String,
  symbol: Schema.String,
  side: SideSchema,
  intent: Schema.Literal('entry', 'exit'),
  quantity: DecimalText,
  limitPrice: DecimalText,
  timeInForce: TimeInForceSchema,
  reduceOnly: Schema.Boolean,
  stopLoss: Schema.NullOr(DecimalText),
  takeProfit: Schema.NullOr(DecimalText),
  stopLossFraction: DecimalText,
  takeProfitFraction: DecimalText,
  autoStopLoss: Schema.Boolean,
  leverage: DecimalText,
  /** The trade's own leverage, set at the venue before the entry (absent in journals written before it existed). */
  perTradeLeverage: Schema.optional(Schema.Boolean),
  notional: DecimalText,
  worstCaseNotional: DecimalText,
  requiresSplit: Schema.Boolean,
  /** S0-7: the second post-only leg's price of a dual entry (absent for a one-order entry, and in older journals). */
  secondLimitPrice: Schema.optional(DecimalText),
  /** S0-10: which of stopLoss / takeProfit are the trade's exact levels (a followed signal's); absent: both from fractions. */
  exactLevels: Schema.optional(Schema.Struct({ takeProfit: Schema.Boolean, stopLoss: Schema.Boolean })),
  mode: TradingMode,
  dryRun: Schema.Boolean,
  decidedAt: Schema.Number,
  expiresAt: Schema.Number,
}).annotations({ identifier: 'ApprovedOrderRecord' });
/** The journaled record of an approved order. */
export type ApprovedOrderRecord = typeof ApprovedOrderRecord.Type;

/** The fields every order event carries: written by `recordOrderUpdate` (and the row digest by the journal). */
const orderUpdateFields = {
  clientOrderId: Schema.String,
  state: OrderStateSchema,
  venueOrderId: Schema.optional(Schema.String),
  filledQuantity: Schema.optional(Dec),
  [ORDER_ROW_FIELD]: Schema.String,
} as const;

/** The fields `appendWithSnapshot` adds to an actor event. */
const snapshotFields = { [SNAPSHOT_OF_FIELD]: Schema.String, [SNAPSHOT_DIGEST_FIELD]: Schema.String } as const;

/** What reconcile notes on every entry it writes for a difference. */
const reconcileNote = { reason: DifferenceKindSchema, description: Schema.String } as const;

const protectionFields = {
  symbol: Schema.String,
  takeProfit: Schema.optional(Dec),
  stopLoss: Schema.optional(Dec),
  trigger: TriggerSourceSchema,
} as const;

const reasonOnly = { reason: Schema.String } as const;

/** A venue fill (`Fill`, domain/orders.ts). */
const fillFields = {
  tradeId: Schema.String,
  venueOrderId: Schema.String,
  clientOrderId: Schema.String,
  symbol: Schema.String,
  side: SideSchema,
  price: Dec,
  quantity: Dec,
  fee: Dec,
  feeAsset: Schema.String,
  isMaker: Schema.Boolean,
  ts: Schema.Number,
} as const;

const digestAt = Schema.Struct({ seq: Schema.Int, digest: Schema.String });

// ---- the catalogue ---------------------------------------------------------------------------------------------

/** Events the journal writes itself (kv, counters, the v1 → v2 table anchor); no other module may write them. */
export const JOURNAL_OWN_EVENTS = {
  /** `kvSet`: the new value of a key and the digest of its canonical text. */
  KV_SET: Schema.Struct({ key: Schema.String, value: Schema.Unknown, digest: Schema.String }),
  /** `kvDelete`: a key removed. */
  KV_DELETED: Schema.Struct({ key: Schema.String }),
  /** `nextSequence`: a persisted counter's new value (client order ids draw from `intent_seq`). */
  COUNTER_ADVANCED: Schema.Struct({ name: Schema.String, value: Schema.Int }),
  /** Opening a journal written before its tables were covered: the digests of every row it held (coverage.ts). */
  TABLES_ANCHORED: Schema.Struct({
    orders: Schema.Record({ key: Schema.String, value: digestAt }),
    snapshots: Schema.Record({ key: Schema.String, value: digestAt }),
    kv: Schema.Record({ key: Schema.String, value: digestAt }),
    counters: Schema.Record({ key: Schema.String, value: Schema.Int }),
  }),
} as const;

/** Order events: each commits together with the orders-projection row it leaves (`recordOrderRequested`/`Update`). */
export const ORDER_EVENTS = {
  /** ExecutionEngine.submit: the write-ahead record, committed before the request leaves the process. */
  ORDER_REQUESTED: Schema.Struct({
    clientOrderId: Schema.String,
    intentId: Schema.String,
    venue: Schema.String,
    symbol: Schema.String,
    side: SideSchema,
    quantity: Dec,
    price: Schema.optional(Dec),
    orderType: Schema.optional(OrderTypeSchema),
    timeInForce: Schema.optional(TimeInForceSchema),
    reduceOnly: Schema.optional(Schema.Boolean),
    /** What the order is for (`entry`, `exit`, `flatten`). */
    role: Schema.optional(Schema.String),
    strategyId: Schema.optional(Schema.String),
    /** The RiskEngine decision the order was sent under. */
    decisionId: Schema.optional(Schema.String),
    [ORDER_ROW_FIELD]: Schema.String,
  }),
  /** ExecutionEngine.submit: the venue accepted the order (its venue order id). */
  ORDER_ACKNOWLEDGED: Schema.Struct(orderUpdateFields),
  /**
   * The venue refused the order: at submit (its code, category and message) or, later, on the account stream (its
   * reject reason, null when the venue gives none).
   */
  ORDER_REJECTED: Schema.Union(
    Schema.Struct({ ...orderUpdateFields, code: Schema.String, category: Schema.String, message: Schema.String }),
    Schema.Struct({ ...orderUpdateFields, reason: Schema.NullOr(Schema.String) }),
  ),
  /** ExecutionEngine.submit: the outcome is unknown (timeout, transport, 5xx, a duplicate client id); query, never resend. */
  ORDER_AMBIGUOUS: Schema.Struct({ ...orderUpdateFields, reason: Schema.String }),
  /** ExecutionEngine.query: the venue does not know the client order id (the order never arrived). */
  ORDER_NOT_FOUND: Schema.Struct(orderUpdateFields),
  /** ExecutionEngine.query: the venue's status of the order. */
  ORDER_QUERIED: Schema.Struct(orderUpdateFields),
  /** ExecutionEngine.recordFill: one fill of our order, with the projection's new filled quantity. */
  ORDER_FILLED: Schema.Struct({
    ...orderUpdateFields,
    tradeId: Schema.String,
    price: Dec,
    quantity: Dec,
    fee: Dec,
    isMaker: Schema.Boolean,
  }),
  /** ExecutionEngine.recordOrderUpdate: the account stream closed the order as cancelled. */
  ORDER_CANCELLED: Schema.Struct({ ...orderUpdateFields, reason: Schema.NullOr(Schema.String) }),
  /** ExecutionEngine.recordOrderUpdate: the account stream closed the order as expired. */
  ORDER_EXPIRED: Schema.Struct({ ...orderUpdateFields, reason: Schema.NullOr(Schema.String) }),
  /** Reconcile: an unsettled order the venue does not know, marked rejected. */
  RECONCILED_REJECTED: Schema.Struct({ ...orderUpdateFields, ...reconcileNote }),
  /** Reconcile: an unsettled order takes the venue's status. */
  RECONCILED_ADOPTED: Schema.Struct({ ...orderUpdateFields, ...reconcileNote }),
  /** Reconcile: a known order whose status or filled quantity disagreed with the venue's. */
  RECONCILED_STATUS: Schema.Struct({ ...orderUpdateFields, ...reconcileNote }),
  /** Reconcile: an open order the venue no longer knows, closed as cancelled (fills stay as journaled). */
  RECONCILED_MISSING: Schema.Struct({ ...orderUpdateFields, ...reconcileNote, inferred: Schema.Literal('closed_unknown') }),
} as const;

/** Trade-actor events that store the actor's snapshot in the same commit (`appendWithSnapshot`). */
export const SNAPSHOT_EVENTS = {
  /** ActorHost: a new trade actor (no snapshot to restore). */
  ACTOR_STARTED: Schema.Struct({ symbol: Schema.String, version: Schema.String, state: Schema.String, ...snapshotFields }),
  /** ActorHost.send: one event delivered to the actor, with the lifecycle states before and after it. */
  ACTOR_EVENT: Schema.Struct({
    event: TradeChartEventSchema, from: Schema.String, to: Schema.String,
    /** S0-8: the cycle's OEP seal once its first fill is known (src/domain/oep.ts). */
    oepHash: Schema.optional(Schema.String),
    ...snapshotFields,
  }),
} as const;

/** Events written with `Journal.append`. */
export const APPENDED_EVENTS = {
  // -- trade actors and the runtime
  /** ActorHost: an actor restored from its snapshot at `fromSeq`. */
  ACTOR_RESTORED: Schema.Struct({ symbol: Schema.String, fromSeq: Schema.Int, state: Schema.String }),
  /** VenueRuntime: an actor failed (a defect); the supervisor restarts or quarantines its symbol. */
  ACTOR_DEFECT: Schema.Struct({ message: Schema.String }),
  /** VenueRuntime.openGate: the trading gate opened after recovery. */
  GATE_OPENED: Schema.Struct({ symbols: Strings, mode: TradingMode }),
  /** VenueRuntime.stop: the runtime stopped; every actor's lifecycle state. */
  RUNTIME_STOPPED: Schema.Struct({ reason: Schema.String, states: Schema.Record({ key: Schema.String, value: Schema.String }) }),
  /** IntentPerformer: a trade cycle ended (the chart's `position.closed`, decimals as text). */
  TRADE_CLOSED: Schema.Struct({
    type: Schema.Literal('position.closed'),
    symbol: Schema.String,
    intentId: Schema.String,
    side: SideSchema,
    quantity: DecimalText,
    entryPrice: DecimalText,
    averageEntryPrice: DecimalText,
    averageExitPrice: Schema.NullOr(DecimalText),
    realizedPnl: DecimalText,
    fees: DecimalText,
    reason: Schema.Literal('takeProfit', 'stopLoss', 'liquidation', 'external', 'exit'),
  }),
  /** IntentPerformer: a partial venue-side stop left the position without TP/SL; the chart closes it (X-ORD-6). */
  POSITION_UNPROTECTED: Schema.Struct({ symbol: Schema.String, intentId: Schema.NullOr(Schema.String), action: Schema.Literal('close') }),
  /**
   * IntentPerformer: a pyramid ladder step (S0-9) the trade actor reached (`done`: after the venue's fill or leverage
   * confirmation; `none`: nothing to ask the venue) or stopped at (`blocked`, with the reason), written after the
   * actor's transition. `quantity` is the position's open quantity, `leverage` the position's, `oep` its first fill.
   */
  LADDER_STEP: Schema.Struct({
    symbol: Schema.String, intentId: Schema.String, step: Schema.Int, result: Schema.Literal('done', 'none', 'blocked'),
    oep: Schema.String, quantity: Schema.String, leverage: Schema.NullOr(Schema.String), reason: Schema.optional(Schema.String),
  }),
  /**
   * IntentPerformer: the position's hedge leg (S0-12), written after the actor's transition: `on` once the venue
   * filled it and holds its TP/SL, `off` once it is flat (with its net PnL), `refused` when it was not opened or not
   * protected (with the reason). `quantity` is the leg's size, `oep` the position's first fill.
   */
  HEDGE_STEP: Schema.Struct({
    symbol: Schema.String, intentId: Schema.String, action: Schema.Literal('on', 'off', 'refused'), oep: Schema.String, quantity: Schema.String,
    takeProfit: Schema.NullOr(Schema.String), stopLoss: Schema.NullOr(Schema.String), pnl: Schema.optional(Schema.String), reason: Schema.optional(Schema.String),
  }),
  /** AccountEventRouter: a fill that is not one of our actors' orders (a venue-side TP/SL, a liquidation, a manual close). */
  VENUE_FILL: Schema.Struct(fillFields),
  /** AccountEventRouter: an adopted position went flat, entries are allowed again. */
  SYMBOL_UNBLOCKED: Schema.Struct(reasonOnly),
  /** Supervisor: a symbol quarantined (no new entries; protections stay). */
  SYMBOL_QUARANTINED: Schema.Struct(reasonOnly),
  /** A symbol's entries blocked (adopted position, a disagreement recovery could not resolve). */
  SYMBOL_BLOCKED: Schema.Struct(reasonOnly),
  /** A symbol's market stream is not live: entries paused (X-WS-2/5). */
  MARKET_PAUSED: Schema.Struct({ symbol: Schema.String, reason: Schema.String }),
  /** A symbol's market stream is live again. */
  MARKET_RESUMED: Schema.Struct({ symbol: Schema.String, reason: Schema.String }),

  // -- risk
  /** The RiskEngine's decision on a proposal, or on an actor's exit (`actor`), X-LOG-7/8. */
  RISK_DECISION: Schema.Union(
    Schema.Struct({
      kind: Schema.Literal('approve'),
      proposalId: Schema.String,
      decisionId: Schema.String,
      dryRun: Schema.Boolean,
      order: ApprovedOrderRecord,
      /** The actor whose exit was approved (exits only). */
      actor: Schema.optional(Schema.String),
      /** The integrator scaled the proposal down to its strategy's own cap first (S3-6). */
      strategyCap: Schema.optional(StrategyCapRecord),
    }),
    Schema.Struct({
      kind: Schema.Literal('veto'),
      proposalId: Schema.String,
      decisionId: Schema.String,
      rule: Schema.String,
      veto_reason: Schema.String,
      cap_type: Schema.String,
      current: Schema.String,
      proposed: Schema.String,
      limit: Schema.String,
      message: Schema.String,
      /** The integrator scaled the proposal down to its strategy's own cap before this later veto (S3-6). */
      strategyCap: Schema.optional(StrategyCapRecord),
    }),
  ),
  /** TradingState.engage: the kill switch engaged (its state is in kv `kill`). */
  KILL_ENGAGED: Schema.Struct({ reason: Schema.optional(Schema.String), source: Schema.optional(KillSourceSchema), flatten: Schema.Boolean }),
  /** TradingState.resume: an operator cleared the kill switch. */
  KILL_RESUMED: Schema.Struct({}),
  /**
   * The control service (HTTP API, dashboard, chat): an operator's action with who asked and why, journaled before it
   * acts; `outcome` is written on a second entry once it is known.
   */
  OPERATOR_CONTROL: Schema.Struct({
    action: Schema.Literal('kill', 'resume', 'flatten', 'strategy_enable', 'strategy_disable', 'unblock'),
    who: Schema.String,
    reason: Schema.String,
    symbol: Schema.optional(Schema.String),
    strategy: Schema.optional(Schema.String),
    flatten: Schema.optional(Schema.Boolean),
    outcome: Schema.optional(Schema.Struct({ ok: Schema.Boolean, detail: Schema.String })),
  }),
  // -- signal intake (src/signals/intake, S0-3): every message is journaled before it is parsed; one outcome each.
  /** A message from a signal source, committed before anything reads it; `key` (`<source>:<message id>`) dedupes it. */
  SIGNAL_RECEIVED: Schema.Struct({
    key: Schema.String,
    source: Schema.String,
    via: Schema.Literal('telegram', 'webhook', 'replay'),
    messageId: Schema.String,
    text: Schema.String,
    /** sha256 (hex) of the text. */
    digest: Schema.String,
    postedAt: Schema.Number,
  }),
  /** What became of a received message: acted on (the RiskEngine's decision id), refused (the reason), or skipped. */
  SIGNAL_HANDLED: Schema.Struct({
    key: Schema.String,
    outcome: Schema.Literal('accepted', 'refused', 'duplicate', 'stale', 'governance_incomplete'),
    reason: Schema.optional(Schema.String),
    detail: Schema.optional(Schema.String),
    symbol: Schema.optional(Schema.String),
    decisionId: Schema.optional(Schema.String),
    /** An accepted signal's mode (its stale-entry preset applies after a restart too, S0-17). */
    mode: Schema.optional(Schema.String),
  }),
  /** A signal's entry rested unfilled past its mode's preset and was withdrawn (S0-17); a filled part stays. */
  SIGNAL_ENTRY_STALE: Schema.Struct({
    symbol: Schema.String, decisionId: Schema.String, clientOrderId: Schema.NullOr(Schema.String), mode: Schema.String, preset: Schema.String, ageMs: Schema.Number, filledQuantity: Schema.String,
  }),
  // -- signal re-entry (src/signals/intake/ReEntryWatch.ts, S0-14, S0-8)
  /**
   * What a re-entry of an accepted signal proposes, committed with its SIGNAL_HANDLED: the signal's side, fractions
   * and leverage hints, so a stop-out in a later run is re-entered exactly as this one would have been.
   */
  SIGNAL_REENTRY_PLAN: Schema.Struct({
    signalDecisionId: Schema.String, symbol: Schema.String, side: SideSchema, mode: Schema.String, leverage: Schema.NullOr(DecimalText),
    notionalFraction: Schema.Number, stopLossFraction: Schema.Number, takeProfitFraction: Schema.Number,
  }),
  /** One re-entry try, journaled before it is proposed (in the proposal's commit): a restart never proposes it again. */
  SIGNAL_REENTRY_TRY: Schema.Struct({
    signalDecisionId: Schema.String, symbol: Schema.String, try: Schema.Int, dueAt: Schema.Number, proposalId: Schema.String,
    /** The signal's OEP (the first fill of its first trade): the try's post-only limit (S0-8). */
    oep: DecimalText,
  }),
  /**
   * What became of a try: `sent` (approved, its entry sent to the actor; `decisionId`, `deadline`), `vetoed` (the RiskEngine's
   * reason and message), `not_traded`, `withdrawn` (unfilled at its deadline, cancelled), `unfilled` (ended at the venue unfilled),
   * `filled` (the chain ends) or `superseded` (a newer signal for the symbol was accepted).
   */
  SIGNAL_REENTRY_RESULT: Schema.Struct({
    signalDecisionId: Schema.String, symbol: Schema.String, try: Schema.Int,
    result: Schema.Literal('sent', 'vetoed', 'not_traded', 'withdrawn', 'unfilled', 'filled', 'superseded'),
    decisionId: Schema.NullOr(Schema.String), at: Schema.Number,
    deadline: Schema.optional(Schema.Number), reason: Schema.optional(Schema.String), detail: Schema.optional(Schema.String),
    clientOrderId: Schema.optional(Schema.NullOr(Schema.String)),
  }),
  /** The last try ended unfilled: no re-entry runs for the symbol until a new signal for it is accepted. */
  SIGNAL_REENTRY_PAUSED: Schema.Struct({
    symbol: Schema.String, signalDecisionId: Schema.String, tries: Schema.Int, state: Schema.Literal('paused_until_signal'),
  }),
  /** The session's dependency gate (X-RSK-6, S0-20): a gating dependency went down (trading OFF) or came back (ON). */
  DEPENDENCY_CHANGED: Schema.Struct({ dependency: Schema.String, health: Schema.Literal('up', 'down') }),

  // -- notifications (src/notify/Outbox.ts, X-NTF-5): one QUEUED per message and channel before its first delivery
  // attempt, then exactly one SENT (the channel took it) or DROPPED (given up); a restart re-queues the rest.
  /** The outbox accepted a message for a channel (`text` is what is re-sent after a restart; `digest` its SHA-256). */
  NOTIFY_QUEUED: Schema.Struct({
    key: Schema.String,
    channel: Schema.String,
    template: Schema.String,
    digest: Schema.String,
    text: Schema.String,
    critical: Schema.Boolean,
    /** The journal entry the message was made from (lifecycle messages; the ACK or fill it is gated on). */
    sourceSeq: Schema.optional(Schema.Int),
  }),
  /** The channel took the message. */
  NOTIFY_SENT: Schema.Struct({ key: Schema.String, channel: Schema.String, attempts: Schema.Int }),
  /** The outbox gave the message up: refused by the channel, out of attempts, or pushed out of a full outbox. */
  NOTIFY_DROPPED: Schema.Struct({ key: Schema.String, channel: Schema.String, attempts: Schema.Int, reason: Schema.Literal('refused', 'exhausted', 'overflow'), detail: Schema.String }),
  /** TradingState.recordEquity: a drawdown or daily-loss breaker tripped (X-RSK-3); fractions as text. */
  DRAWDOWN_BREACH: Schema.Struct({
    reason: Schema.Literal('rolling_drawdown', 'session_drawdown', 'daily_loss'),
    observed: Schema.String,
    limit: Schema.String,
    at: Schema.Number,
  }),

  // -- execution
  /** ExecutionEngine.protect: TP/SL about to be set at the venue. */
  PROTECTION_REQUESTED: Schema.Struct(protectionFields),
  /** ExecutionEngine.protect: the venue set them. */
  PROTECTION_SET: Schema.Struct(protectionFields),
  /** ExecutionEngine.protect: the venue refused or did not answer. */
  PROTECTION_FAILED: Schema.Struct({ ...protectionFields, reason: Schema.String }),
  /**
   * VenueLeverage: leverage set at the venue for a symbol — at start the account's (`account`), before an entry the
   * leverage its approval carries (`entry`, with the entry's client order id), a pyramid ladder's Step 4 (`ladder`, with
   * the intent and the step, S0-9) — written once the venue answered.
   * `set`: confirmed (also "not modified"); `failed`: refused, unanswered, or not readable back (`reason`); `mismatch`:
   * the venue said yes but reports another effective leverage. `effective` is what the venue reports afterwards.
   */
  LEVERAGE_SET: Schema.Struct({
    symbol: Schema.String,
    requested: Dec,
    purpose: Schema.Literal('account', 'entry', 'ladder'),
    clientOrderId: Schema.optional(Schema.String),
    intentId: Schema.optional(Schema.String),
    step: Schema.optional(Schema.Number),
    result: Schema.Literal('set', 'failed', 'mismatch'),
    effective: Schema.optional(Dec),
    reason: Schema.optional(Schema.String),
  }),

  // -- recovery, reconcile and the periodic venue check
  /** Recovery: TP/SL re-attached to a restored actor's position. */
  RECOVERY_REPROTECTED: Schema.Struct({
    symbol: Schema.String,
    state: Schema.String,
    takeProfit: Schema.optional(Dec),
    stopLoss: Schema.optional(Dec),
    outcome: Schema.String,
  }),
  /** Recovery: a position no actor holds, adopted (protected, entries blocked until flat). */
  RECOVERY_POSITION_ADOPTED: Schema.Struct({ symbol: Schema.String, side: Schema.NullOr(PositionSideSchema), quantity: Schema.NullOr(Dec) }),
  /** Recovery: an open order of ours that no actor owns, withdrawn. */
  RECOVERY_STRAY_CANCELLED: Schema.Struct({ symbol: Schema.String, clientOrderId: Schema.String, venueOrderId: Schema.String }),
  /** Recovery: what it did and found (`RecoveryReport`). */
  RECOVERY_REPORT: Schema.Struct({
    durationMs: Schema.Number,
    actions: Strings,
    mismatches: Schema.Record({ key: Schema.String, value: Strings }),
    states: Schema.Record({ key: Schema.String, value: Schema.String }),
    reconcile: Schema.Struct({ differences: Schema.Int, applied: Strings, skipped: Strings, failed: Strings, unresolved: Strings }),
    adopted: Strings,
  }),
  /** Reconcile: an open venue order with our prefix and no journal row, cancelled (or already gone). */
  RECONCILED_ORPHAN_CANCELLED: Schema.Struct({
    ...reconcileNote,
    clientOrderId: Schema.String,
    venueOrderId: Schema.String,
    symbol: Schema.String,
    alreadyGone: Schema.Boolean,
  }),
  /** Reconcile: a foreign position adopted. */
  RECONCILED_POSITION_ADOPTED: Schema.Struct({ ...reconcileNote, symbol: Schema.String, side: PositionSideSchema, quantity: Dec }),
  /**
   * A position's missing TP/SL set again: by reconcile (the protection it set) or by the periodic venue check
   * (`reason` is the check's reason, `outcome` the venue event of the attempt); for an adopted position (X-ORD-6)
   * also the levels sent and where they came from (its entry, or its mark when the market was past those).
   */
  RECONCILED_PROTECTED: Schema.Union(
    Schema.Struct({ ...reconcileNote, ...protectionFields }),
    Schema.Struct({
      symbol: Schema.String, reason: Schema.String, outcome: Schema.String,
      adopted: Schema.optional(Schema.Literal(true)), from: Schema.optional(Schema.Literal('entry', 'mark')),
      takeProfit: Schema.optional(Schema.NullOr(Dec)), stopLoss: Schema.optional(Schema.NullOr(Dec)),
    }),
  ),
  /** Reconcile: the one summary of an applied run. */
  RECONCILE_REPORT: Schema.Struct({
    botId: Schema.String,
    venue: Schema.String,
    symbols: Strings,
    counts: Schema.Record({ key: Schema.String, value: Schema.Int }),
    differences: Strings,
    applied: Strings,
    skipped: Strings,
    failed: Strings,
    unresolved: Strings,
  }),
  /** VenueCheck: fills the account stream never delivered, applied by trade id. */
  RECONCILED_FILLS: Schema.Struct({ symbol: Schema.String, reason: Schema.String, fills: Strings }),
  /** VenueCheck: actors and venue disagreed on two checks in a row (entries stop). */
  BROKER_DESYNC: Schema.Struct({ reason: Schema.String, symbols: Strings, issues: Strings }),
  /** VenueCheck: they agree again. */
  BROKER_RESYNCED: Schema.Struct(reasonOnly),

  // -- connections
  /** BookSyncStrategy: an order book rebuilt from a snapshot and the buffered deltas. */
  BOOK_RESYNCED: Schema.Struct({
    stream: Schema.String,
    symbol: Schema.String,
    snapshotUpdateId: Schema.Number,
    bookUpdateId: Schema.NullOr(Schema.Number),
    dropped: Schema.Int,
    replayed: Schema.Int,
  }),
  /** AccountSyncStrategy: the private stream reconnected (a reconcile follows). */
  STREAM_RECONNECTED: Schema.Struct({ stream: Schema.String, connection: Schema.Int }),
  /** ConnectionHost: a sequence gap on a stream (`expected` may be `snapshot`). */
  STREAM_GAP: Schema.Struct({ stream: Schema.String, symbol: Schema.String, expected: Schema.String, received: Schema.String }),

  // -- administration
  /** `journal init`: a fresh persistent journal, with what the venue showed of this bot. */
  JOURNAL_INITIALIZED: Schema.Struct({
    account: Schema.String,
    venue: Schema.String,
    botId: Schema.String,
    symbols: Strings,
    venueTime: Schema.Number,
    openOrders: Schema.Array(Schema.Struct({ symbol: Schema.String, clientOrderId: Schema.String })),
    executions: Schema.Int,
    positions: Schema.Array(Schema.Struct({ symbol: Schema.String, side: Schema.String, quantity: DecimalText })),
    maxSequenceSeen: Schema.Number,
    sequenceFloor: Schema.Number,
    movedAside: Schema.Array(Schema.Struct({ from: Schema.String, to: Schema.String })),
  }),
} as const;

/** Every journal event type with the schema of its payload. */
export const JOURNAL_EVENTS = { ...JOURNAL_OWN_EVENTS, ...ORDER_EVENTS, ...SNAPSHOT_EVENTS, ...APPENDED_EVENTS } as const;

/** A catalogued journal event type. */
export type JournalEventType = keyof typeof JOURNAL_EVENTS;
/** The types `Journal.append` writes. */
export type AppendEventType = keyof typeof APPENDED_EVENTS;
/** The types `Journal.appendWithSnapshot` writes. */
export type SnapshotEventType = keyof typeof SNAPSHOT_EVENTS;
/** The order events: ORDER_REQUESTED (`recordOrderRequested`) and the updates. */
export type OrderEventType = keyof typeof ORDER_EVENTS;
/** The types `Journal.recordOrderUpdate` writes. */
export type OrderUpdateEventType = Exclude<OrderEventType, 'ORDER_REQUESTED'>;
/** The types only the journal itself writes. */
export type JournalOwnEventType = keyof typeof JOURNAL_OWN_EVENTS;

/** The payload of an event type as written and as decoded (Decimals as Decimal). */
export type JournalPayload<T extends JournalEventType> = Schema.Schema.Type<(typeof JOURNAL_EVENTS)[T]>;
/** The payload of an event type as stored: canonical JSON (Decimals as decimal strings). */
export type JournalPayloadJson<T extends JournalEventType> = Schema.Schema.Encoded<(typeof JOURNAL_EVENTS)[T]>;

// `Omit` over each member of a union (a payload with variants), not over their common keys.
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a writer passes to `appendWithSnapshot`: the payload without the snapshot fields the journal adds. */
export type SnapshotEventPayload<T extends SnapshotEventType> = OmitEach<JournalPayload<T>, typeof SNAPSHOT_OF_FIELD | typeof SNAPSHOT_DIGEST_FIELD>;
/**
 * What a writer passes as `payload` to `recordOrderUpdate`: the event's own fields, without those the journal sets
 * from the update itself (client order id, state, venue order id, filled quantity) and the row digest.
 */
export type OrderUpdateDetails<T extends OrderUpdateEventType> = OmitEach<
  JournalPayload<T>,
  'clientOrderId' | 'state' | 'venueOrderId' | 'filledQuantity' | typeof ORDER_ROW_FIELD
>;

/** Returns whether `type` is in the catalogue. */
export const isJournalEventType = (type: string): type is JournalEventType => Object.prototype.hasOwnProperty.call(JOURNAL_EVENTS, type);

/** Why a payload was refused: an uncatalogued type, or the issues of a payload that does not fit its schema. */
export class JournalPayloadProblem extends Data.TaggedError('JournalPayloadProblem')<{
  readonly type: string;
  readonly kind: 'unknown_type' | 'mismatch';
  /** One line per issue, each `<path>: <what is wrong>` (`$` is the payload itself). */
  readonly issues: ReadonlyArray<string>;
}> {
  override get message(): string {
    return this.kind === 'unknown_type'
      ? `${JSON.stringify(this.type)} is not a journal event type (src/journal/events.ts catalogues them)`
      : `${this.type} payload does not fit its schema: ${this.issues.join('; ')}`;
  }
}

const pathOf = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `${out}.${key}` : `${out}[${JSON.stringify(String(key))}]`),
    '$',
  );

// Excess fields are refused: a field no schema names is a writer the catalogue does not know about.
const DECODE_OPTIONS = { errors: 'all', onExcessProperty: 'error' } as const;
const decoders = new Map<string, (u: unknown) => Either.Either<unknown, ParseResult.ParseError>>();

const decoderOf = (type: JournalEventType): ((u: unknown) => Either.Either<unknown, ParseResult.ParseError>) => {
  let decode = decoders.get(type);
  if (decode === undefined) {
    const schema: Schema.Schema<unknown, unknown> = JOURNAL_EVENTS[type] as unknown as Schema.Schema<unknown, unknown>;
    decode = Schema.decodeUnknownEither(schema, DECODE_OPTIONS);
    decoders.set(type, decode);
  }
  return decode;
};

/**
 * Decodes a stored payload (the parsed canonical JSON of an entry) against its type's schema. Left names an
 * uncatalogued type, or every field that is missing, mistyped or not in the schema, with its path.
 */
export function decodeJournalPayload<T extends JournalEventType>(type: T, payload: unknown): Either.Either<JournalPayload<T>, JournalPayloadProblem>;
export function decodeJournalPayload(type: string, payload: unknown): Either.Either<unknown, JournalPayloadProblem>;
export function decodeJournalPayload(type: string, payload: unknown): Either.Either<unknown, JournalPayloadProblem> {
  if (!isJournalEventType(type)) return Either.left(new JournalPayloadProblem({ type, kind: 'unknown_type', issues: [] }));
  return Either.mapLeft(decoderOf(type)(payload), (e) =>
    new JournalPayloadProblem({
      type,
      kind: 'mismatch',
      issues: ParseResult.ArrayFormatter.formatErrorSync(e).map((i) => `${pathOf(i.path)}: ${i.message}`),
    }),
  );
}
