/**
 * What a venue account does with one RiskEngine decision: journal it (RISK_DECISION, X-LOG-7/8), count and alert a
 * veto, and act on an approval — an entry becomes `command.open` for the symbol's actor under a fresh client order id
 * (its approval kept in the ApprovalBook), an exit becomes `command.close` of the actor's position. The RiskEngine
 * already judged the actor's availability: nothing here refuses anything.
 */
import type { Instrument } from '../domain/Instrument.ts';
import type { TradeProposal } from '../domain/TradeProposal.ts';
import { RISK_DECISION, type ApprovalBook } from '../execution/ApprovalBook.ts';
import type { StrategyCapRecord } from '../journal/events.ts';
import { nextClientOrderId } from '../journal/clientOrderIds.ts';
import { criticalEvent, logCritical } from '../kernel/logger.ts';
import { decisionRecord, type ApprovedOrder, type RiskDecision } from '../risk/RiskEngine.ts';
import { alertForVeto, alertsResolvedBy } from '../risk/vetoes.ts';
import { Decimal, dec } from '../domain/money.ts';
import type { LadderPlan } from '../domain/ladder.ts';
import { dualEntryLegs } from '../domain/dualEntry.ts';
import { openQuantity, realizedSoFar } from '../../machines/trade/tradeLogic.ts';
import { hasPartialEntry, holdsPosition } from '../../machines/trade/tradeQueries.ts';
import type { ActorHost } from './ActorHost.ts';
import type { HostRegistry, RuntimeContext } from './ports.ts';
import type { OpenCycle, RunStats } from './RunStats.ts';

/** What recording a decision needs. */
export interface DecisionDeps {
  readonly ctx: RuntimeContext;
  readonly stats: RunStats;
  readonly approvals: ApprovalBook;
  readonly hosts: HostRegistry;
}

/**
 * Journals one decision (with the integrator's downscale of the proposal, if any: S3-6) and acts on it, in one journal
 * transaction: the decision, the client order id, the actor's step with its snapshot and the ORDER_REQUESTED of its
 * request commit together, with one fsync, and the ExecutionEngine sends the request only after that commit.
 */
export const recordDecision = (deps: DecisionDeps, proposal: TradeProposal, decision: RiskDecision, instrument: Instrument | undefined, strategyCap?: StrategyCapRecord): void =>
  deps.ctx.journal.transaction(() => actOnDecision(deps, proposal, decision, instrument, strategyCap));

const actOnDecision = (deps: DecisionDeps, proposal: TradeProposal, decision: RiskDecision, instrument: Instrument | undefined, strategyCap?: StrategyCapRecord): void => {
  const { ctx, stats } = deps;
  const now = ctx.now();
  stats.proposals += 1;
  ctx.journal.append(`risk:${proposal.symbol}`, RISK_DECISION, { proposalId: proposal.proposalId, ...decisionRecord(decision), ...(strategyCap === undefined ? {} : { strategyCap }) });
  if (decision.kind === 'veto') {
    stats.recordVeto(decision.veto.reason);
    const alert = alertForVeto(proposal.symbol, decision.veto);
    if (alert !== undefined) ctx.alerts?.raise(alert);
    logCritical(ctx.logger, criticalEvent({ event: 'risk_veto', profile: ctx.settings.profile, mode: ctx.settings.mode }, {
      strategy_name: proposal.strategyId, signal_id: proposal.proposalId, symbol: proposal.symbol, side: proposal.side, error_code: decision.veto.reason,
    }), 'info');
    return;
  }
  const order = decision.order;
  // An approval shows the symbol's earlier warning conditions are over: resolve them so they do not escalate.
  for (const key of alertsResolvedBy(order.symbol)) ctx.alerts?.resolve(key);
  if (decision.dryRun) {
    stats.dryRunOrders += 1;
    ctx.logger.info({ decisionId: decision.decisionId, symbol: order.symbol, side: order.side, qty: order.quantity.toString() }, 'dry_run_order_not_sent');
    return;
  }
  const host = deps.hosts.host(order.symbol);
  if (host === undefined || instrument === undefined) return;
  if (order.intent === 'exit') {
    // A strategy exit closes the actor's position with a reduce-only order (the actor sends it); protections stay.
    stats.exits += 1;
    host.send({ type: 'command.close', at: now });
    return;
  }
  // Ids are floored at the venue clock's epoch ms: they stay unique even if the journal is lost (X-ORD-1).
  const { clientOrderId } = nextClientOrderId(ctx.journal, { botId: ctx.settings.botId, strategyId: order.strategyId, floorMs: now });
  const intentId = decision.decisionId;
  deps.approvals.put(intentId, order);
  stats.intents += 1;
  // S0-7: a dual entry's two post-only legs share the quantity (one order when a half would be below the venue's minima).
  const dual = order.secondLimitPrice === undefined ? undefined : dualEntryLegs(order.side, order.quantity, order.limitPrice, order.secondLimitPrice, instrument);
  if (dual !== undefined && 'single' in dual) ctx.logger.info({ decisionId: decision.decisionId, symbol: order.symbol, reason: dual.single }, 'dual_entry_as_one_order');
  const legs = dual !== undefined && 'legs' in dual ? dual.legs : undefined;
  host.send({
    type: 'command.open', at: now, intentId, clientOrderId, side: order.side, quantity: order.quantity.toString(), price: legs?.[0].price ?? order.limitPrice.toString(),
    ...(legs === undefined ? {} : { legs }),
    // S0-10: a followed signal's TP and SL as they are (the actor keeps them instead of deriving them from the OEP).
    ...(order.exactLevels === undefined ? {} : { levels: exactLevelsOf(order) }),
    timeInForce: order.timeInForce, takeProfitFraction: order.takeProfitFraction.toString(), stopLossFraction: order.stopLossFraction.toString(),
    maxRepriceAttempts: ctx.settings.maxRepriceAttempts, repriceTicks: 1, tickSize: instrument.tickSize.toString(), ackTimeoutMs: ctx.settings.ackTimeoutMs,
    ...(ctx.settings.stopManagement === undefined ? {} : { management: ctx.settings.stopManagement }),
    ...ladderPlanOf(ctx.settings, order, instrument),
    // S0-12: every position with a stop is hedged; the auto-SL case never (C-11).
    ...(ctx.settings.hedge === undefined || order.autoStopLoss || order.stopLoss === undefined ? {} : { hedge: ctx.settings.hedge }),
    // S0-16: above these the chart sends the entry and its exits in parts.
    limits: { maxLimitQuantity: instrument.maxQuantity.toString(), maxMarketQuantity: instrument.maxMarketQuantity.toString(), quantityStep: instrument.quantityStep.toString() },
  });
};

// S0-9: the ladder a derivative entry climbs, from the leverage it goes out at; the auto-SL's x10 stays locked (S0-5).
const ladderPlanOf = (settings: RuntimeContext['settings'], order: ApprovedOrder, instrument: Instrument): { ladder?: LadderPlan } => {
  const entryLeverage = order.perTradeLeverage ? order.leverage : settings.leverage;
  if (settings.ladder === undefined || entryLeverage === undefined) return {};
  const ceiling = instrument.maxLeverage.gt(0) ? Decimal.min(dec(settings.ladder.maxLeverage), instrument.maxLeverage) : dec(settings.ladder.maxLeverage);
  const maxLeverage = order.autoStopLoss ? entryLeverage : Decimal.max(ceiling, entryLeverage);
  return { ladder: { steps: settings.ladder.steps, leverage: entryLeverage.toString(), maxLeverage: maxLeverage.toString(), quantityStep: instrument.quantityStep.toString(), minQuantity: instrument.minQuantity.toString() } };
};

const exactLevelsOf = (order: ApprovedOrder): { takeProfit?: string; stopLoss?: string } => ({
  ...(order.exactLevels?.takeProfit === true && order.takeProfit !== undefined ? { takeProfit: order.takeProfit.toString() } : {}),
  ...(order.exactLevels?.stopLoss === true && order.stopLoss !== undefined ? { stopLoss: order.stopLoss.toString() } : {}),
});

/** Returns the cycles of the actors that still hold a position (or a partly filled entry), for the run summary. */
export const openCyclesOf = (hosts: Iterable<ActorHost>): OpenCycle[] => {
  const out: OpenCycle[] = [];
  for (const h of hosts) {
    const snap = h.snapshot();
    const c = snap.context;
    if (c.intent === null || !dec(c.entry.filledQuantity).gt(0) || !(holdsPosition(snap) || hasPartialEntry(snap))) continue;
    out.push({
      symbol: c.symbol, side: c.intent.side, quantity: openQuantity(c), entryPrice: c.openingPrice ?? '0', realizedPnl: realizedSoFar(c),
      fees: dec(c.entry.fees).plus(dec(c.exit.fees)).toString(),
    });
  }
  return out;
};
