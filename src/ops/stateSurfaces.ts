/**
 * Builds the state surfaces (S4-8, S4-10, S4-13) from one StatusView: epoch ms become whole Unix seconds, money is
 * re-written as plain decimal strings, and the position ledger is checked against the venue's positions. Pure;
 * performs no I/O (the publisher in stateFiles.ts writes what this returns).
 */
import { Decimal, parseDecimal, ZERO } from '../domain/money.ts';
import { roundMoney } from '../domain/rounding.ts';
import { STATE_SCHEMA_VERSION, type Surface, type SurfaceName } from './stateManifest.ts';
import type { PositionStatus, StatusView } from './types.ts';

/** Epoch ms → whole Unix seconds (C-14). */
export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** A duration in ms → seconds with millisecond precision, never negative. */
const seconds = (ms: number): number => Math.max(0, Math.round(ms)) / 1000;

const decimalOf = (s: string | null): Decimal | undefined => {
  if (s === null) return undefined;
  const d = parseDecimal(s);
  return d !== undefined && d.isFinite() ? d : undefined;
};

/** A decimal string in plain notation (`1e-7` → `0.0000001`); a value that is not a decimal becomes null. */
const plain = (s: string | null): string | null => decimalOf(s)?.toFixed() ?? null;
/** As `plain`, for a figure that is always there: a value that is not a decimal is written as 0. */
const plainOrZero = (s: string): string => plain(s) ?? '0';

/** Inputs of `buildSurfaces` besides the view. */
export interface SurfaceContext {
  /** Wall time of the publish (epoch ms). */
  readonly now: number;
  /** NAV older than this (wall ms since the last decision cycle) is not fresh (S4-2: 90 s). */
  readonly navFreshnessMs: number;
}

/** Trading states by severity (TradingState: `active`, `reducing`, `halted`); an unknown name ranks as the worst. */
const SEVERITY: Readonly<Record<string, number>> = { active: 0, reducing: 1, halted: 2 };
const severity = (state: string): number => SEVERITY[state.toLowerCase()] ?? 3;

const sumOrNull = (values: ReadonlyArray<string | null>): Decimal | undefined => {
  let total = ZERO;
  for (const v of values) {
    const d = decimalOf(v);
    if (d === undefined) return undefined;
    total = total.plus(d);
  }
  return values.length === 0 ? undefined : total;
};

/** Σ |quantity| × (mark, else entry price). */
const grossExposure = (positions: ReadonlyArray<PositionStatus>): Decimal =>
  positions.reduce((sum, p) => sum.plus((decimalOf(p.quantity) ?? ZERO).abs().times(decimalOf(p.markPrice) ?? decimalOf(p.entryPrice) ?? ZERO)), ZERO);

/** Returns the position ledger's entries (S4-10) for the venue's positions. */
export const ledgerEntries = (positions: ReadonlyArray<PositionStatus>): Surface<'positions_ledger'>['entries'] =>
  positions.map((p) => ({
    symbol: p.symbol, side: p.side, qty: plainOrZero(p.quantity), entry_price: plainOrZero(p.entryPrice),
    tp_sl: { tp: plain(p.takeProfit), sl: plain(p.stopLoss) },
    strategy: null,
    metadata: { account: p.account, protected: p.protected, mark_price: plain(p.markPrice) },
  }));

/**
 * Checks a position ledger against the venue's positions (S4-10): every position has exactly one entry with its side
 * and quantity, no entry is without a position, and entries with neither TP nor SL are reported. Returns one sentence
 * per problem (empty: consistent).
 */
export const ledgerProblems = (entries: Surface<'positions_ledger'>['entries'], positions: ReadonlyArray<PositionStatus>): ReadonlyArray<string> => {
  const problems: string[] = [];
  const key = (account: string, symbol: string): string => `${account}/${symbol}`;
  const byKey = new Map<string, Surface<'positions_ledger'>['entries'][number]>();
  for (const e of entries) {
    const k = key(e.metadata.account, e.symbol);
    if (byKey.has(k)) problems.push(`${k}: the ledger holds two entries`);
    byKey.set(k, e);
    if (e.tp_sl.tp === null && e.tp_sl.sl === null) problems.push(`${k}: ${e.side} ${e.qty} has neither TP nor SL`);
  }
  for (const p of positions) {
    const k = key(p.account, p.symbol);
    const e = byKey.get(k);
    byKey.delete(k);
    if (e === undefined) problems.push(`${k}: the venue holds ${p.side} ${p.quantity} but the ledger has no entry`);
    else if (e.side !== p.side || !new Decimal(e.qty).eq(decimalOf(p.quantity) ?? ZERO)) problems.push(`${k}: the ledger says ${e.side} ${e.qty}, the venue ${p.side} ${p.quantity}`);
  }
  for (const k of byKey.keys()) problems.push(`${k}: the ledger has an entry but the venue holds no position`);
  return problems;
};

/** Returns every surface of one status view. */
export const buildSurfaces = (view: StatusView, ctx: SurfaceContext): { readonly [N in SurfaceName]: Surface<N> } => {
  const head = { schema_version: STATE_SCHEMA_VERSION, updated_ts: unixSeconds(ctx.now), session_ts: unixSeconds(view.at), run_id: view.runId, profile: view.profile, mode: view.mode } as const;
  const nav = sumOrNull(view.accounts.map((a) => a.equity));
  const start = sumOrNull(view.accounts.map((a) => a.startingBalance));
  const lastCycleWall = view.heartbeat.wallLastCycleAt;
  const navAgeMs = lastCycleWall === null || nav === undefined ? undefined : ctx.now - lastCycleWall;
  const riskMode = view.accounts.reduce((worst, a) => (severity(a.tradingState) > severity(worst) ? a.tradingState : worst), 'active');
  const ledger = ledgerEntries(view.positions);
  const live = view.connections.filter((c) => c.live).length;
  const vetoTotal = Object.values(view.vetoes).reduce((n, v) => n + v, 0);
  return {
    nav_state: {
      ...head,
      nav: nav?.toFixed() ?? null,
      starting_balance: start?.toFixed() ?? null,
      accounts: view.accounts.map((a) => ({ account: a.name, equity: plain(a.equity), starting_balance: plain(a.startingBalance) })),
      nav_ts: lastCycleWall === null || nav === undefined ? null : unixSeconds(lastCycleWall),
      age_seconds: navAgeMs === undefined ? null : seconds(navAgeMs),
      freshness_limit_seconds: seconds(ctx.navFreshnessMs),
      fresh: navAgeMs !== undefined && navAgeMs <= ctx.navFreshnessMs,
    },
    positions_state: {
      ...head,
      count: view.positions.length,
      positions: view.positions.map((p) => ({
        account: p.account, symbol: p.symbol, side: p.side, qty: plainOrZero(p.quantity), entry_price: plainOrZero(p.entryPrice),
        mark_price: plain(p.markPrice), unrealized_pnl: plain(p.unrealizedPnl), tp: plain(p.takeProfit), sl: plain(p.stopLoss), protected: p.protected,
      })),
    },
    positions_ledger: {
      ...head,
      entries: ledger,
      source: `${view.mode.toLowerCase()}:${view.runId}`,
      unprotected: ledger.filter((e) => e.tp_sl.tp === null && e.tp_sl.sl === null).map((e) => e.symbol),
    },
    risk_snapshot: {
      ...head,
      trading_on: view.trading.on,
      reasons: [...view.trading.reasons],
      risk_mode: riskMode,
      kill_switch_engaged: view.accounts.some((a) => a.killSwitch.engaged),
      drawdown: plain(view.pnl.drawdown),
      gross_exposure: grossExposure(view.positions).toFixed(),
      accounts: view.accounts.map((a) => ({
        account: a.name, trading_state: a.tradingState, gate_open: a.gateOpen, kill_switch: { ...a.killSwitch }, broker_desync: a.brokerDesync,
        dependencies: { ...a.dependencies }, symbol_gates: a.symbolGates.map((g) => ({ ...g })),
      })),
    },
    kpis: {
      ...head,
      counters: {
        proposals: view.counters.proposals, intents: view.counters.intents, orders_sent: view.counters.ordersSent, fills: view.counters.fills,
        trades: view.counters.trades, wins: view.counters.wins, losses: view.counters.losses, restarts: view.counters.restarts,
      },
      win_rate: view.counters.trades === 0 ? null : roundMoney(new Decimal(view.counters.wins).div(view.counters.trades), 6).toFixed(),
      pnl: {
        realized: plainOrZero(view.pnl.realized), fees: plainOrZero(view.pnl.fees), unrealized: plainOrZero(view.pnl.unrealized),
        equity: plain(view.pnl.equity), daily_change: plain(view.pnl.dailyChange),
      },
    },
    router_health: {
      ...head,
      connections: view.connections.map((c) => ({ account: c.account, stream: c.stream, state: c.state, live: c.live, sockets: c.sockets, invalid_frames: c.invalidFrames })),
      connections_live: live,
      connections_total: view.connections.length,
      orders_sent: view.counters.ordersSent,
      fills: view.counters.fills,
      rejects: null,
      working_orders: view.workingOrders.map((o) => ({
        account: o.account, symbol: o.symbol, client_order_id: o.clientOrderId, side: o.side, type: o.type, qty: plainOrZero(o.quantity),
        price: plain(o.price), reduce_only: o.reduceOnly, state: o.state,
      })),
    },
    diagnostics: {
      ...head,
      phase: view.phase,
      version: view.version,
      commit: view.commit,
      vetoes: { ...view.vetoes },
      veto_total: vetoTotal,
      alerts: [...view.alerts],
      liveness: {
        heartbeat_cycles: view.heartbeat.cycles,
        last_cycle_ts: lastCycleWall === null ? null : unixSeconds(lastCycleWall),
        last_cycle_age_seconds: lastCycleWall === null ? null : seconds(ctx.now - lastCycleWall),
        session_last_cycle_ts: view.heartbeat.lastCycleAt === null ? null : unixSeconds(view.heartbeat.lastCycleAt),
      },
      actors: view.actors.map((a) => ({ ...a })),
      strategies: view.strategies.map((s) => ({ ...s })),
    },
  };
};
