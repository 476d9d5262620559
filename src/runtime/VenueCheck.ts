/**
 * The periodic and reconnect check of one venue account (X-REC-2): compares every trade actor with the venue while
 * trading, applies fills the stream missed (by trade id), re-attaches TP/SL a protected position lost, and sets
 * `broker_desync` (entries vetoed, CRITICAL alert) when a symbol disagrees on two checks in a row, clearing it on the
 * first check that finds everything in agreement. States with a request in flight are not judged.
 */
import { onLegOf, ownPosition } from './positionLegs.ts';
import { Effect, Either } from 'effect';
import { withoutProtective, withVenueProtection } from '../execution/venueProtection.ts';
import { clientOrderIdPrefix } from '../domain/clientOrderId.ts';
import type { Decimal } from '../domain/money.ts';
import type { Fill, Position } from '../domain/orders.ts';
import type { ExecutionEngine } from '../execution/ExecutionEngine.ts';
import type { TradingState } from '../risk/TradingState.ts';
import type { Venue } from '../venues/Venue.ts';
import { isAtRest, isProtected } from '../../machines/trade/tradeQueries.ts';
import { actorVenueMismatches, actorViewOf, venueViewOf } from './consistency.ts';
import type { HostRegistry, RuntimeContext } from './ports.ts';
import { protectAdopted, type AdoptionPolicy } from './adoption.ts';
import { actorProtection, deliverMissedFills } from './recovery.ts';

/** What the check is wired to. */
export interface VenueCheckDeps {
  readonly ctx: RuntimeContext;
  readonly venue: Venue;
  readonly hosts: HostRegistry;
  readonly execution: ExecutionEngine;
  readonly state: TradingState;
  readonly deliverFill: (fill: Fill) => void;
  /** Which symbols' positions were adopted by recovery (no actor owns them). */
  readonly adopted: (symbol: string) => boolean;
  readonly quantityTolerance: Decimal;
  /** How adopted positions are protected; undefined when foreign positions are only reported. */
  readonly adoption?: AdoptionPolicy | undefined;
}

/** The periodic venue check. */
export class VenueCheck {
  private readonly deps: VenueCheckDeps;
  private suspect = new Set<string>();
  private checking = false;

  constructor(deps: VenueCheckDeps) {
    this.deps = deps;
  }

  /** Runs one check; returns the disagreements found (`<symbol>: <issue>`). */
  async check(reason: string): Promise<ReadonlyArray<string>> {
    const { ctx } = this.deps;
    if (this.checking || ctx.stopping()) return [];
    this.checking = true;
    try {
      const found: string[] = [];
      const now = new Set<string>();
      for (const symbol of ctx.settings.symbols) {
        const issues = await this.checkSymbol(symbol, reason);
        if (issues.length === 0) continue;
        now.add(symbol);
        found.push(...issues.map((i) => `${symbol}: ${i}`));
      }
      this.judge(now, found, reason);
      return found;
    } finally {
      this.checking = false;
    }
  }

  private async checkSymbol(symbol: string, reason: string): Promise<ReadonlyArray<string>> {
    const { ctx, venue, hosts, execution } = this.deps;
    const host = hosts.host(symbol);
    if (host === undefined || host.isStopped()) return [];
    const [open, positions] = await Promise.all([Effect.runPromise(Effect.either(venue.openOrders(symbol))), Effect.runPromise(Effect.either(venue.positions(symbol)))]);
    // A failed read proves nothing (never infer flat): try again next time.
    if (Either.isLeft(open) || Either.isLeft(positions)) return [];
    const guarded = await Effect.runPromise(Effect.either(withVenueProtection(venue, symbol, ownPosition(positions.right, symbol, host.snapshot()))));
    if (Either.isLeft(guarded)) return [];
    const p = guarded.right.position;
    if (p !== undefined && (p.takeProfit === undefined || p.stopLoss === undefined)) await this.protectAdopted(symbol, p, reason);
    const orders = withoutProtective(open.right, guarded.right.protectiveOrderIds);
    const prefix = clientOrderIdPrefix(ctx.settings.botId);
    const judge = (): ReadonlyArray<string> =>
      actorVenueMismatches(actorViewOf(host.snapshot()), venueViewOf(orders, p, prefix), { settled: false, adopted: this.deps.adopted(symbol), quantityTolerance: this.deps.quantityTolerance });
    let issues = judge();
    if (issues.length > 0) {
      // Fills the stream never delivered (a reconnect gap): apply them by trade id, then judge again.
      const applied = await deliverMissedFills({ venue, journal: ctx.journal, now: () => ctx.now(), deliverFill: this.deps.deliverFill }, symbol, host).catch(() => []);
      if (applied.length > 0) {
        ctx.journal.append('reconcile', 'RECONCILED_FILLS', { symbol, reason, fills: applied });
        // No `idle()` here: this check is itself tracked work and would wait for itself.
        issues = judge();
      }
    }
    if (issues.length > 0 && isProtected(host.snapshot()) && p !== undefined && (p.takeProfit === undefined || p.stopLoss === undefined)) {
      const request = actorProtection(host.snapshot().context, ctx.settings.triggerSource);
      if (request !== undefined) {
        const r = await execution.protect(onLegOf(request, p));
        ctx.journal.append('reconcile', 'RECONCILED_PROTECTED', { symbol, reason, outcome: r.type });
      }
    }
    return issues;
  }

  /**
   * An adopted position (no actor owns it: the actor is at rest and the symbol blocked) that lacks TP or SL — its
   * venue-side stop filled only part of it and cleared the stops (X-ORD-6) — is protected again; levels from its
   * entry, or from its mark when the market is already past those. A refusal of both raises `position_unprotected`.
   */
  private async protectAdopted(symbol: string, p: Position, reason: string): Promise<void> {
    const { ctx, hosts, execution, adoption } = this.deps;
    const host = hosts.host(symbol);
    if (adoption === undefined || host === undefined || !isAtRest(host.snapshot()) || !this.deps.adopted(symbol)) return;
    const { request, result, from } = await protectAdopted(p, adoption, (r) => execution.protect(r));
    ctx.journal.append('reconcile', 'RECONCILED_PROTECTED', { symbol, reason, adopted: true, from, takeProfit: request.takeProfit ?? null, stopLoss: request.stopLoss ?? null, outcome: result.type });
    if (result.type !== 'venue.protectionFailed') {
      ctx.logger.warn({ symbol, reason, from }, 'adopted_position_reprotected');
      return;
    }
    ctx.logger.error({ symbol, reason, alert: 'position_unprotected' }, 'adopted position left without TP/SL');
    ctx.alerts?.raise({ key: `position_unprotected:${symbol}`, severity: 'CRITICAL', message: `${symbol} adopted position has no TP/SL and the venue refused new ones: ${result.message}` });
  }

  private judge(now: ReadonlySet<string>, found: ReadonlyArray<string>, reason: string): void {
    const { ctx, state } = this.deps;
    const confirmed = [...now].filter((s) => this.suspect.has(s));
    this.suspect = new Set(now);
    if (confirmed.length > 0 && state.setBrokerDesync(true)) {
      ctx.journal.append('reconcile', 'BROKER_DESYNC', { reason, symbols: confirmed, issues: found });
      ctx.logger.error({ alert: 'broker_desync', reason, issues: found }, 'broker_desync');
      ctx.alerts?.raise({ key: 'broker_desync', severity: 'CRITICAL', message: `actors and venue disagree (${reason}): ${found.join('; ')}` });
    } else if (now.size === 0 && state.setBrokerDesync(false)) {
      ctx.journal.append('reconcile', 'BROKER_RESYNCED', { reason });
      ctx.logger.warn({ reason }, 'broker_resynced');
      ctx.alerts?.resolve('broker_desync');
    }
  }
}
