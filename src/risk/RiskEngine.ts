/**
 * The RiskEngine: the only gate between a strategy's proposal and the execution path (DESIGN §6, X-RT-5). It runs the
 * rules of checks/ in their fixed order, sizes and rounds the order, and mints the `ApprovedOrder` — the only type the
 * execution path accepts, which nothing outside this file can construct. Pure: time comes in as `now`; no I/O.
 */
import { Decimal, ZERO, gtDec } from '../domain/money.ts';
import { roundPrice } from '../domain/rounding.ts';
import type { Side, TimeInForce } from '../domain/orders.ts';
import type { TradeProposal } from '../domain/TradeProposal.ts';
import type { ApprovedOrderRecord, JournalPayload } from '../journal/events.ts';
import type { RiskConfig, TradingMode } from './RiskConfig.ts';
import { GATE_CHECKS, SIZED_CHECKS, veto } from './checks/index.ts';
import type { Check, CheckContext, Intent, ProposalHints, SizedCheck, SizedCheckContext, Sizing } from './checks/types.ts';
import { oneMinus, onePlus } from './priceFactors.ts';
import { sizeProposal } from './sizing.ts';
import { applyAllocation } from './capital.ts';
import type { MarketView, PortfolioView, Veto } from './views.ts';

/** The fields of an approved order. */
export interface ApprovedOrderFields {
  readonly decisionId: string;
  readonly proposalId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly intent: Intent;
  /** Floored to the instrument's step. */
  readonly quantity: Decimal;
  /** Rounded to the tick passively for the side (buys down, sells up). */
  readonly limitPrice: Decimal;
  readonly timeInForce: TimeInForce;
  /** False for entries (X-ORD-5); true for exits. */
  readonly reduceOnly: boolean;
  /** Provisional protection from the limit price; the trade actor re-derives it from the OEP with the fractions. */
  readonly stopLoss: Decimal | undefined;
  readonly takeProfit: Decimal | undefined;
  readonly stopLossFraction: Decimal;
  readonly takeProfitFraction: Decimal;
  /** The missing-SL safety case (S0-5): SL −2 % from OEP, leverage locked. */
  readonly autoStopLoss: boolean;
  readonly leverage: Decimal;
  /**
   * Whether `leverage` is the trade's own — the proposal named a mode or leverage (a followed signal's, S0-4/S0-5) —
   * which the execution path sets and confirms at the venue before the entry. False: the entry trades at the
   * account's leverage (`venues.*.leverage`).
   */
  readonly perTradeLeverage: boolean;
  /** quantity × limitPrice. */
  readonly notional: Decimal;
  /** quantity × max(limit, reference): what the order counts against the caps while working. */
  readonly worstCaseNotional: Decimal;
  /** Above the venue's per-order maximum: the execution path splits it deterministically (S0-16). */
  readonly requiresSplit: boolean;
  /**
   * S0-7: a dual entry's second post-only leg rests here (rounded passively, never crossing the quote); the quantity
   * is then shared by the two legs (decisions.ts `entryLegsOf`). Undefined: one order at `limitPrice`.
   */
  readonly secondLimitPrice?: Decimal | undefined;
  /**
   * S0-10: `stopLoss` / `takeProfit` are the trade's exact levels (a followed signal's), which the actor keeps instead
   * of re-deriving them from the OEP with the fractions. Only a level the hints gave counts as exact.
   */
  readonly exactLevels?: { readonly takeProfit: boolean; readonly stopLoss: boolean } | undefined;
  readonly mode: TradingMode;
  /** DRY_RUN: the runtime logs the order and never sends it (X-MOD-1). */
  readonly dryRun: boolean;
  readonly decidedAt: number;
  /** The proposal's expiry (createdAt + ttl); the execution path must not send after it. */
  readonly expiresAt: number;
}

// The minting key never leaves this module: without it the constructor throws, so even a cast cannot forge an order.
const MINT: unique symbol = Symbol('tradewarden/risk/ApprovedOrder.mint');
// Assigned by ApprovedOrder's static block: the engine's only way to call the private constructor.
let mint: (f: ApprovedOrderFields) => ApprovedOrder;

/**
 * An order the RiskEngine approved. Unforgeable outside this file: the constructor is private (a compile error
 * elsewhere), demands a module-private symbol at run time, and the `#issued` private field makes the class nominal,
 * so an object literal with the same fields is not an ApprovedOrder either. Check at run time with `isApprovedOrder`.
 */
export class ApprovedOrder implements ApprovedOrderFields {
  readonly #issued = true as const;
  readonly decisionId: string;
  readonly proposalId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly intent: Intent;
  readonly quantity: Decimal;
  readonly limitPrice: Decimal;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly stopLoss: Decimal | undefined;
  readonly takeProfit: Decimal | undefined;
  readonly stopLossFraction: Decimal;
  readonly takeProfitFraction: Decimal;
  readonly autoStopLoss: boolean;
  readonly leverage: Decimal;
  readonly perTradeLeverage: boolean;
  readonly notional: Decimal;
  readonly worstCaseNotional: Decimal;
  readonly requiresSplit: boolean;
  readonly secondLimitPrice: Decimal | undefined;
  readonly exactLevels: { readonly takeProfit: boolean; readonly stopLoss: boolean } | undefined;
  readonly mode: TradingMode;
  readonly dryRun: boolean;
  readonly decidedAt: number;
  readonly expiresAt: number;

  private constructor(key: typeof MINT, f: ApprovedOrderFields) {
    if (key !== MINT) throw new TypeError('ApprovedOrder can only be created by the RiskEngine');
    this.decisionId = f.decisionId;
    this.proposalId = f.proposalId;
    this.strategyId = f.strategyId;
    this.symbol = f.symbol;
    this.side = f.side;
    this.intent = f.intent;
    this.quantity = f.quantity;
    this.limitPrice = f.limitPrice;
    this.timeInForce = f.timeInForce;
    this.reduceOnly = f.reduceOnly;
    this.stopLoss = f.stopLoss;
    this.takeProfit = f.takeProfit;
    this.stopLossFraction = f.stopLossFraction;
    this.takeProfitFraction = f.takeProfitFraction;
    this.autoStopLoss = f.autoStopLoss;
    this.leverage = f.leverage;
    this.perTradeLeverage = f.perTradeLeverage;
    this.notional = f.notional;
    this.worstCaseNotional = f.worstCaseNotional;
    this.requiresSplit = f.requiresSplit;
    this.secondLimitPrice = f.secondLimitPrice;
    this.exactLevels = f.exactLevels;
    this.mode = f.mode;
    this.dryRun = f.dryRun;
    this.decidedAt = f.decidedAt;
    this.expiresAt = f.expiresAt;
    Object.freeze(this);
  }

  /** Returns whether a value is an ApprovedOrder minted by the RiskEngine (a run-time check for the execution path). */
  static is(value: unknown): value is ApprovedOrder {
    return typeof value === 'object' && value !== null && #issued in value;
  }

  /** Returns the order as a JSON-safe record with decimals as strings (for the journal). */
  toJSON(): ApprovedOrderRecord {
    return {
      decisionId: this.decisionId,
      proposalId: this.proposalId,
      strategyId: this.strategyId,
      symbol: this.symbol,
      side: this.side,
      intent: this.intent,
      quantity: this.quantity.toString(),
      limitPrice: this.limitPrice.toString(),
      timeInForce: this.timeInForce,
      reduceOnly: this.reduceOnly,
      stopLoss: this.stopLoss?.toString() ?? null,
      takeProfit: this.takeProfit?.toString() ?? null,
      stopLossFraction: this.stopLossFraction.toString(),
      takeProfitFraction: this.takeProfitFraction.toString(),
      autoStopLoss: this.autoStopLoss,
      leverage: this.leverage.toString(),
      perTradeLeverage: this.perTradeLeverage,
      notional: this.notional.toString(),
      worstCaseNotional: this.worstCaseNotional.toString(),
      requiresSplit: this.requiresSplit,
      ...(this.secondLimitPrice === undefined ? {} : { secondLimitPrice: this.secondLimitPrice.toString() }),
      ...(this.exactLevels === undefined ? {} : { exactLevels: this.exactLevels }),
      mode: this.mode,
      dryRun: this.dryRun,
      decidedAt: this.decidedAt,
      expiresAt: this.expiresAt,
    };
  }

  static {
    mint = (f) => new ApprovedOrder(MINT, f);
  }
}

/** Returns whether a value is an ApprovedOrder minted by the RiskEngine. */
export const isApprovedOrder = (value: unknown): value is ApprovedOrder => ApprovedOrder.is(value);

/** The outcome of one risk check; every decision is journaled by the caller. */
export type RiskDecision =
  | {
      readonly kind: 'approve';
      readonly decisionId: string;
      readonly order: ApprovedOrder;
      /** DRY_RUN: approved for the log only; the runtime must not send it (the order says so too). */
      readonly dryRun: boolean;
      /** Names of the rules that ran, in order. */
      readonly trace: ReadonlyArray<string>;
    }
  | {
      readonly kind: 'veto';
      readonly decisionId: string;
      readonly proposalId: string;
      readonly veto: Veto;
      /** The rule that vetoed. */
      readonly rule: string;
      readonly trace: ReadonlyArray<string>;
    };

/** The gate every proposal goes through. */
export interface RiskEngine {
  readonly config: RiskConfig;
  /** Returns the approved, sized and rounded order, or the first veto in the fixed rule order. Pure. */
  check(proposal: TradeProposal, portfolio: PortfolioView, market: MarketView, now: number, hints?: ProposalHints): RiskDecision;
  /**
   * Decides one round of proposals (one decision cycle): the allocation table first, when the profile uses one (its
   * vetoes are decisions too), then `check` for each proposal in turn, counting the round's approvals per strategy.
   * `viewsFor` builds the views a proposal is judged against (its account's), given the approvals so far.
   */
  checkRound(
    proposals: ReadonlyArray<TradeProposal>,
    viewsFor: (proposal: TradeProposal, tradesThisCycle: ReadonlyMap<string, number>) => { readonly portfolio: PortfolioView; readonly market: MarketView },
    now: number,
  ): ReadonlyArray<{ readonly proposal: TradeProposal; readonly decision: RiskDecision }>;
  /**
   * Approves a reduce-only exit or flatten of the position a trade actor holds: it never adds risk, so only its shape
   * is checked. Every exit gets its own approval (journaled by the caller), never the entry's. In DRY_RUN the approval
   * is marked dry-run like any other.
   */
  approveExit(exit: ExitRequest, now: number): RiskDecision & { readonly kind: 'approve' };
  /**
   * Approves a pyramid ladder's add-on (S0-9): more of the position a trade actor holds, same side, at the leverage the
   * position holds (`perTradeLeverage`, so the execution path never resets it to the account's). Vetoed: a quantity
   * that is not positive, a leverage above the policy's ceiling. The kill switch and the trading gate close add-ons as
   * they close entries (the execution path's gate). Journaled by the caller; DRY_RUN approvals are dry-run.
   */
  approveAddOn(addOn: AddOnRequest, now: number): RiskDecision;
  /**
   * Approves a position's hedge (S0-12): the other leg of the symbol, opened for the size held (a market IOC), at the
   * leverage the symbol holds. Vetoed: a quantity that is not positive. The kill switch and the trading gate close
   * hedges as they close entries (the execution path's gate). Journaled by the caller; DRY_RUN approvals are dry-run.
   */
  approveHedge(hedge: ExitRequest, now: number): RiskDecision;
  /**
   * Re-issues an approval this engine journaled earlier (the `order` of a `decisionRecord`), so a restart resumes an
   * intent without asking again. Returns undefined for a record that is not a well-formed approval.
   */
  restoreApproval(record: unknown): ApprovedOrder | undefined;
}

/** A reduce-only exit of a trade actor's position (`approveExit`). */
export interface ExitRequest {
  readonly intentId: string;
  /** The exit order's own client order id: the approval is for that order alone. */
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  /** The exit's side (opposite to the position). */
  readonly side: Side;
  readonly quantity: Decimal;
  /** A price reference for the record (the exit itself may be a market order). */
  readonly referencePrice: Decimal;
}

/** A pyramid ladder add-on of a trade actor's position (`approveAddOn`). */
export interface AddOnRequest extends ExitRequest {
  /** The ladder step it belongs to (S0-9). */
  readonly step: number;
  /** The leverage the venue holds for the position (the entry's, or Step 4's). */
  readonly leverage: Decimal;
  /** The ladder's ceiling (S0-9: at most x50). */
  readonly maxLeverage: Decimal;
}

const protectionPrices = (sizing: Sizing, side: Side, tick: Decimal): { stopLoss: Decimal | undefined; takeProfit: Decimal | undefined } => {
  const p = sizing.limitPrice;
  const sl = sizing.stopLossFraction;
  const tp = sizing.takeProfitFraction;
  // Rounded toward safety: a long's stop rounds up (less loss), its target down (nearer, more likely hit); mirrored for shorts.
  const stopLoss = gtDec(sl, ZERO)
    ? side === 'buy'
      ? roundPrice(p.times(oneMinus(sl)), tick, 'up')
      : roundPrice(p.times(onePlus(sl)), tick, 'down')
    : undefined;
  const takeProfit = gtDec(tp, ZERO)
    ? side === 'buy'
      ? roundPrice(p.times(onePlus(tp)), tick, 'down')
      : roundPrice(p.times(oneMinus(tp)), tick, 'up')
    : undefined;
  return { stopLoss: stopLoss !== undefined && gtDec(stopLoss, ZERO) ? stopLoss : undefined, takeProfit: takeProfit !== undefined && gtDec(takeProfit, ZERO) ? takeProfit : undefined };
};

// The rules in their fixed order, as records (no tuple destructuring per rule and decision), and their names: a
// decision's trace is the prefix up to the rule that vetoed (all of it for an approval), copied from here.
const GATES: ReadonlyArray<{ readonly name: string; readonly check: Check }> = GATE_CHECKS.map(([name, check]) => ({ name, check }));
const SIZED: ReadonlyArray<{ readonly name: string; readonly check: SizedCheck }> = SIZED_CHECKS.map(([name, check]) => ({ name, check }));
const RULE_NAMES: ReadonlyArray<string> = [...GATES, ...SIZED].map((r) => r.name);

// The base-36 form of the last decision instant (part of every decision id): a round of proposals shares one `now`.
let lastInstant: { readonly now: number; readonly text: string } | undefined;
const base36 = (now: number): string => {
  if (lastInstant?.now !== now) lastInstant = { now, text: now.toString(36) };
  return lastInstant.text;
};

const intentOf = (proposal: TradeProposal, portfolio: PortfolioView): { intent: Intent; position: PortfolioView['positions'][number] | undefined } => {
  const position = portfolio.positions.find((p) => p.symbol === proposal.symbol && !p.quantity.isZero());
  const reduces = position !== undefined && ((position.side === 'long' && proposal.side === 'sell') || (position.side === 'short' && proposal.side === 'buy'));
  return { intent: reduces ? 'exit' : 'entry', position };
};

/** How a follow-on order of a position (an exit, a ladder add-on, a hedge) is approved: the fields that differ. */
interface FollowOn {
  readonly decisionId: string;
  readonly proposalId: string;
  readonly intent: Intent;
  readonly reduceOnly: boolean;
  readonly timeInForce: ApprovedOrder['timeInForce'];
  readonly leverage: Decimal;
  readonly perTradeLeverage: boolean;
  /** Whether the order adds worst-case exposure (its notional), or none (a reduce-only exit). */
  readonly worstCase: boolean;
  readonly ttlMs: number;
}

/** Mints the approval of a follow-on order: no protection of its own, no split, the request's size at its reference price. */
const mintFollowOn = (config: RiskConfig, r: ExitRequest, f: FollowOn, now: number): ApprovedOrder => {
  const zero = new Decimal(0);
  const notional = r.quantity.times(r.referencePrice);
  return mint({
    decisionId: f.decisionId, proposalId: f.proposalId, strategyId: r.strategyId, symbol: r.symbol, side: r.side, intent: f.intent, quantity: r.quantity,
    limitPrice: r.referencePrice, timeInForce: f.timeInForce, reduceOnly: f.reduceOnly, stopLoss: undefined, takeProfit: undefined, stopLossFraction: zero,
    takeProfitFraction: zero, autoStopLoss: false, leverage: f.leverage, perTradeLeverage: f.perTradeLeverage, notional,
    worstCaseNotional: f.worstCase ? notional : zero, requiresSplit: false, mode: config.mode, dryRun: config.mode === 'DRY_RUN', decidedAt: now, expiresAt: now + f.ttlMs,
  });
};

/** Returns the RiskEngine for a profile's risk config. */
export const makeRiskEngine = (config: RiskConfig): RiskEngine => {
  const engine: RiskEngine = {
  config,
  approveExit(exit, now) {
    if (!exit.quantity.gt(0)) throw new RangeError(`exit of ${exit.symbol} needs a positive quantity, got ${exit.quantity.toString()}`);
    const decisionId = `rd-exit-${exit.clientOrderId}`;
    const order = mintFollowOn(config, exit, { decisionId, proposalId: `exit-${exit.intentId}`, intent: 'exit', reduceOnly: true, timeInForce: config.orders.timeInForce, leverage: new Decimal(1), perTradeLeverage: false, worstCase: false, ttlMs: 0 }, now);
    return { kind: 'approve', decisionId, order, dryRun: order.dryRun, trace: ['reduceOnlyExit'] };
  },
  approveAddOn(addOn, now) {
    const decisionId = `rd-addon-${addOn.clientOrderId}`;
    const proposalId = `addon-${addOn.intentId}-s${String(addOn.step)}`;
    const refuse = (v: Veto): RiskDecision => ({ kind: 'veto', decisionId, proposalId, rule: 'ladderAddOn', trace: ['ladderAddOn'], veto: v });
    if (!addOn.quantity.gt(0)) return refuse(veto('addon_size', 'ladder', '0', addOn.quantity, '>0', `a ladder add-on of ${addOn.symbol} needs a positive quantity`));
    if (addOn.leverage.gt(addOn.maxLeverage)) {
      return refuse(veto('addon_leverage', 'leverage', addOn.leverage, addOn.leverage, addOn.maxLeverage, `x${addOn.leverage.toString()} is above the ladder's ceiling x${addOn.maxLeverage.toString()}`));
    }
    const order = mintFollowOn(config, addOn, { decisionId, proposalId, intent: 'entry', reduceOnly: false, timeInForce: 'ioc', leverage: addOn.leverage, perTradeLeverage: true, worstCase: true, ttlMs: 60_000 }, now);
    return { kind: 'approve', decisionId, order, dryRun: order.dryRun, trace: ['ladderAddOn'] };
  },
  approveHedge(hedge, now) {
    const decisionId = `rd-hedge-${hedge.clientOrderId}`;
    const proposalId = `hedge-${hedge.intentId}`;
    if (!hedge.quantity.gt(0)) {
      return { kind: 'veto', decisionId, proposalId, rule: 'hedge', trace: ['hedge'], veto: veto('hedge_size', 'hedge', '0', hedge.quantity, '>0', `a hedge of ${hedge.symbol} needs a positive quantity`) };
    }
    // x1 here means "do not change it": the hedge leg trades at the leverage the symbol holds (one per symbol).
    const order = mintFollowOn(config, hedge, { decisionId, proposalId, intent: 'entry', reduceOnly: false, timeInForce: 'ioc', leverage: new Decimal(1), perTradeLeverage: false, worstCase: true, ttlMs: 60_000 }, now);
    return { kind: 'approve', decisionId, order, dryRun: order.dryRun, trace: ['hedge'] };
  },
  restoreApproval(record) {
    return restoreFromRecord(record);
  },
  checkRound(proposals, viewsFor, now) {
    const out: Array<{ proposal: TradeProposal; decision: RiskDecision }> = [];
    // S2-5: when the profile allocates by the number of signals, the round is ranked and weighted first.
    const round = applyAllocation(proposals, config.capital);
    for (const v of round.vetoed) {
      out.push({ proposal: v.proposal, decision: { kind: 'veto', decisionId: `rd-${v.proposal.proposalId}-${now.toString(36)}`, proposalId: v.proposal.proposalId, veto: v.veto, rule: 'allocation', trace: ['allocation'] } });
    }
    const trades = new Map<string, number>();
    for (const proposal of round.proposals) {
      const { portfolio, market } = viewsFor(proposal, trades);
      const decision = engine.check(proposal, portfolio, market, now);
      if (decision.kind === 'approve' && decision.order.intent === 'entry') trades.set(proposal.strategyId, (trades.get(proposal.strategyId) ?? 0) + 1);
      out.push({ proposal, decision });
    }
    return out;
  },
  check(proposal, portfolio, market, now, hints = {}) {
    const decisionId = `rd-${proposal.proposalId}-${base36(now)}`;
    const { intent, position } = intentOf(proposal, portfolio);
    const symbolMarket = market.symbols[proposal.symbol];
    const ctx: CheckContext = { config, proposal, hints, portfolio, market, symbolMarket, position, intent, now };
    // `rulesRun`: how many rules ran, the vetoing one included.
    const vetoed = (rule: string, v: Veto, rulesRun: number): RiskDecision => ({
      kind: 'veto', decisionId, proposalId: proposal.proposalId, veto: v, rule, trace: RULE_NAMES.slice(0, rulesRun),
    });
    let ran = 0;
    for (const rule of GATES) {
      ran += 1;
      const v = rule.check(ctx);
      if (v !== undefined) return vetoed(rule.name, v, ran);
    }
    const sizing = sizeProposal(ctx);
    const sized: SizedCheckContext = { config, proposal, hints, portfolio, market, symbolMarket, position, intent, now, sizing };
    for (const rule of SIZED) {
      ran += 1;
      const v = rule.check(sized);
      if (v !== undefined) return vetoed(rule.name, v, ran);
    }
    const trace = RULE_NAMES.slice();
    // The gate rules guarantee an instrument; this keeps the types honest without a non-null assertion.
    const instrument = ctx.symbolMarket?.instrument;
    if (instrument === undefined) throw new RangeError('approved without an instrument');
    const entry = intent === 'entry';
    const fromFractions = entry ? protectionPrices(sizing, proposal.side, instrument.tickSize) : { stopLoss: undefined, takeProfit: undefined };
    // S0-10: a followed signal's own levels, exactly (the parser put them on the tick); the rest from the fractions.
    const exact = entry ? hints.exactLevels : undefined;
    const protection = { stopLoss: exact?.stopLoss ?? fromFractions.stopLoss, takeProfit: exact?.takeProfit ?? fromFractions.takeProfit };
    const exactLevels = exact === undefined ? undefined : { takeProfit: exact.takeProfit !== undefined, stopLoss: exact.stopLoss !== undefined };
    const dryRun = config.mode === 'DRY_RUN';
    const order = mint({
      decisionId,
      proposalId: proposal.proposalId,
      strategyId: proposal.strategyId,
      symbol: proposal.symbol,
      side: proposal.side,
      intent,
      quantity: sizing.quantity,
      limitPrice: sizing.limitPrice,
      timeInForce: entry && hints.postOnlyLimit !== undefined ? 'post_only' : config.orders.timeInForce,
      reduceOnly: !entry,
      stopLoss: protection.stopLoss,
      takeProfit: protection.takeProfit,
      stopLossFraction: entry ? sizing.stopLossFraction : new Decimal(0),
      takeProfitFraction: entry ? sizing.takeProfitFraction : new Decimal(0),
      autoStopLoss: entry && sizing.leverage.ok && sizing.leverage.autoStopLoss,
      // An exit keeps the position's venue-side leverage; x1 here only means "do not change it".
      leverage: entry && sizing.leverage.ok ? sizing.leverage.leverage : new Decimal(1),
      perTradeLeverage: entry && (hints.leverageMode !== undefined || hints.leverage !== undefined),
      notional: sizing.orderNotional,
      worstCaseNotional: sizing.exposureAdd,
      requiresSplit: gtDec(sizing.quantity, instrument.maxQuantity),
      secondLimitPrice: entry ? sizing.secondLimitPrice : undefined,
      exactLevels,
      mode: config.mode,
      dryRun,
      decidedAt: now,
      expiresAt: proposal.createdAt + proposal.ttlMs,
    });
    return { kind: 'approve', decisionId, order, dryRun, trace };
  },
  };
  return engine;
};

const DecimalText = /^-?\d+(\.\d+)?$/;
const SIDES = new Set(['buy', 'sell']);
const TIFS = new Set(['gtc', 'ioc', 'fok', 'post_only']);

// Re-mints an ApprovedOrder from its journaled JSON (`toJSON`), checking every field's shape.
const restoreFromRecord = (record: unknown): ApprovedOrder | undefined => {
  if (record === null || typeof record !== 'object') return undefined;
  const r = record as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof r[k] === 'string' ? r[k] : undefined);
  const num = (k: string): Decimal | undefined => {
    const v = str(k);
    return v !== undefined && DecimalText.test(v) ? new Decimal(v) : undefined;
  };
  const optNum = (k: string): Decimal | undefined | null => (r[k] === null ? undefined : (num(k) ?? null));
  const [quantity, limitPrice, slf, tpf, leverage, notional, worst] = ['quantity', 'limitPrice', 'stopLossFraction', 'takeProfitFraction', 'leverage', 'notional', 'worstCaseNotional'].map(num);
  const stopLoss = optNum('stopLoss');
  const takeProfit = optNum('takeProfit');
  const secondLimitPrice = r['secondLimitPrice'] === undefined ? undefined : (num('secondLimitPrice') ?? null);
  const levels = r['exactLevels'] as { takeProfit?: unknown; stopLoss?: unknown } | undefined;
  const exactLevels = levels === undefined ? undefined : { takeProfit: levels.takeProfit === true, stopLoss: levels.stopLoss === true };
  const side = str('side');
  const tif = str('timeInForce');
  const intent = str('intent');
  const mode = str('mode');
  if (
    quantity === undefined || limitPrice === undefined || slf === undefined || tpf === undefined || leverage === undefined || notional === undefined || worst === undefined ||
    stopLoss === null || takeProfit === null || secondLimitPrice === null || side === undefined || !SIDES.has(side) || tif === undefined || !TIFS.has(tif) || (intent !== 'entry' && intent !== 'exit') ||
    (mode !== 'DRY_RUN' && mode !== 'PAPER' && mode !== 'LIVE') || typeof r['decidedAt'] !== 'number' || typeof r['expiresAt'] !== 'number' ||
    str('decisionId') === undefined || str('proposalId') === undefined || str('strategyId') === undefined || str('symbol') === undefined
  ) {
    return undefined;
  }
  return mint({
    decisionId: str('decisionId')!, proposalId: str('proposalId')!, strategyId: str('strategyId')!, symbol: str('symbol')!, side: side as Side, intent,
    quantity, limitPrice, timeInForce: tif as TimeInForce, reduceOnly: r['reduceOnly'] === true, stopLoss, takeProfit, stopLossFraction: slf, takeProfitFraction: tpf,
    autoStopLoss: r['autoStopLoss'] === true, leverage, perTradeLeverage: r['perTradeLeverage'] === true, notional, worstCaseNotional: worst, requiresSplit: r['requiresSplit'] === true, secondLimitPrice, exactLevels, mode, dryRun: r['dryRun'] === true,
    decidedAt: r['decidedAt'], expiresAt: r['expiresAt'],
  });
};

type RecordedDecision = JournalPayload<'RISK_DECISION'>;

/** The journal record of an approval: RISK_DECISION without the proposal id (and the actor) its writer adds. */
export type ApprovalRecord = Omit<Extract<RecordedDecision, { readonly kind: 'approve' }>, 'proposalId' | 'actor'>;
/** The journal record of a decision (an approval's, or a veto's with its proposal id). */
export type DecisionRecord = ApprovalRecord | Extract<RecordedDecision, { readonly kind: 'veto' }>;

/** Returns the JSON-safe journal record of an approval (X-LOG-7/8). */
export const approvalRecord = (decision: RiskDecision & { readonly kind: 'approve' }): ApprovalRecord => ({
  kind: 'approve', decisionId: decision.decisionId, dryRun: decision.dryRun, order: decision.order.toJSON(),
});

/** Returns a JSON-safe journal record of a decision (X-LOG-7/8). */
export const decisionRecord = (decision: RiskDecision): DecisionRecord =>
  decision.kind === 'approve'
    ? approvalRecord(decision)
    : {
        kind: 'veto',
        decisionId: decision.decisionId,
        proposalId: decision.proposalId,
        rule: decision.rule,
        veto_reason: decision.veto.reason,
        cap_type: decision.veto.capType,
        current: decision.veto.current,
        proposed: decision.veto.proposed,
        limit: decision.veto.limit,
        message: decision.veto.message,
      };
