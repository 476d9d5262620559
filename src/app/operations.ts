/**
 * The operations surface of a running session (issue 14): the status read model built from the runtimes'
 * collaborators (trading state, portfolio, actors, journal, connection hosts, decision loop, alerts), readiness, the
 * journal tail, the event feed, and the one control service — each action journaled with who and why before it acts,
 * going through the kill switch, the RiskEngine or the trading state's gates, never around them. Reads only; the
 * server, the state files and `status` never write trading state except through `control`.
 */
import type { AlertRouter } from '../alerts/AlertRouter.ts';
import { Decimal, ZERO } from '../domain/money.ts';
import type { Journal, JournalOrderState } from '../journal/Journal.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type {
  AccountStatus, ActorStatus, ConnectionStatus, ControlOutcome, ControlRequester, ControlService, OpsSource, PositionStatus, ReadyView, SessionPhase, StatusView, WorkingOrderStatus,
} from '../ops/types.ts';
import type { DecisionLoop } from '../runtime/DecisionLoop.ts';
import { clearKillFlag } from '../runtime/killFlag.ts';
import type { VenueRuntime } from '../runtime/VenueRuntime.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import type { AccountHosts } from './accountHosts.ts';
import { OpsEventHub } from './opsEvents.ts';

/** One account as the operations surface sees it. */
export interface OpsAccount {
  readonly name: string;
  readonly kind: string;
  readonly endpoint: string;
  /** The venue id the account's actors and streams are named by (`trade:<venueId>:<symbol>`). */
  readonly venueId: string;
  readonly runtime: VenueRuntime;
  readonly journal: Journal;
  readonly journalPath: string;
  readonly hosts: AccountHosts | undefined;
  readonly dependencies: () => Readonly<Record<string, 'up' | 'down'>>;
}

/** What the session hands the operations surface. */
export interface OperationsDeps {
  readonly runId: string;
  readonly profile: string;
  readonly mode: string;
  readonly clockName: string;
  readonly version: string;
  readonly commit: string | null;
  readonly dataDir: string;
  /** The session clock and the wall clock. */
  readonly clock: Clock;
  readonly wall: Clock;
  readonly accounts: ReadonlyArray<OpsAccount>;
  readonly loop: DecisionLoop;
  readonly alerts: AlertRouter;
  readonly gating: ReadonlyArray<string>;
  readonly logger: Logger;
}

/** The operations surface plus the session's handles on it. */
export interface Operations {
  readonly source: OpsSource;
  readonly events: OpsEventHub;
  setPhase(phase: SessionPhase): void;
}

const LIVE_ORDER_STATES: ReadonlyArray<JournalOrderState> = ['requested', 'ambiguous', 'new', 'partially_filled', 'untriggered'];
const text = (d: Decimal | undefined): string | null => (d === undefined ? null : d.toString());

/** Builds the operations surface of a session. */
export const createOperations = (deps: OperationsDeps, hub = new OpsEventHub()): Operations => {
  let phase: SessionPhase = 'starting';
  let lastCycleWall: { readonly at: number; readonly wall: number } | undefined;
  const { accounts } = deps;

  const accountStatus = (a: OpsAccount): AccountStatus => {
    const s = a.runtime.state;
    const kill = s.killSwitch();
    const symbolGates = a.runtime.symbols.flatMap((symbol) => {
      const g = s.gates(symbol);
      return g.blocked === undefined && g.quarantined === undefined && g.paused === undefined ? [] : [{ symbol, blocked: g.blocked ?? null, quarantined: g.quarantined ?? null, paused: g.paused ?? null }];
    });
    return {
      name: a.name, kind: a.kind, endpoint: a.endpoint, gateOpen: a.runtime.ready(), tradingState: s.state(),
      killSwitch: { engaged: kill.engaged, reason: kill.reason ?? null, flatten: kill.flatten, source: kill.source ?? null },
      brokerDesync: s.brokerDesync(), dependencies: a.dependencies(), symbolGates,
      equity: text(a.runtime.portfolio.balances().ending ?? a.runtime.stats.startingBalance), startingBalance: text(a.runtime.stats.startingBalance),
      journal: { path: a.journalPath, lastSeq: a.journal.lastSeq() },
    };
  };

  /** Why trading is OFF (empty when ON): per account, the gate, the kill switch, breakers, desync and gating dependencies. */
  const offReasons = (): string[] => {
    const reasons: string[] = [];
    if (phase !== 'trading') reasons.push(`session_${phase}`);
    for (const a of accounts) {
      const s = a.runtime.state;
      if (!a.runtime.ready()) reasons.push(`${a.name}: gate_closed`);
      if (s.killSwitch().engaged) reasons.push(`${a.name}: kill_switch (${s.killSwitch().reason ?? 'engaged'})`);
      const breach = s.breach();
      if (breach !== undefined) reasons.push(`${a.name}: ${breach.reason} ${breach.observed} beyond ${breach.limit}`);
      if (s.brokerDesync()) reasons.push(`${a.name}: broker_desync`);
      const health = a.dependencies();
      for (const d of deps.gating) if (health[d] !== 'up') reasons.push(`${a.name}: dependency_down ${d}`);
    }
    return reasons;
  };

  const status = (): StatusView => {
    const now = deps.clock.now();
    const connections: ConnectionStatus[] = accounts.flatMap((a) =>
      a.hosts === undefined ? [] : (['public', 'private'] as const).map((stream) => {
        const h = a.hosts![stream];
        return { account: a.name, stream, state: h.state(), live: h.isLive(), sockets: h.connectionCount(), invalidFrames: h.invalidFrames() };
      }),
    );
    const actors: ActorStatus[] = accounts.flatMap((a) => [...a.runtime.hosts()].map((h) => {
      const snap = h.snapshot();
      return { account: a.name, symbol: h.symbol, state: lifecycleState(snap), control: snap.matches({ control: 'halted' }) ? 'halted' : 'running', stopped: h.isStopped() };
    }));
    const positions: PositionStatus[] = accounts.flatMap((a) => a.runtime.portfolio.openPositions().map((p) => ({
      account: a.name, symbol: p.symbol, side: p.side, quantity: p.quantity.toString(), entryPrice: p.entryPrice.toString(), markPrice: text(p.markPrice),
      unrealizedPnl: p.unrealizedPnl.toString(), takeProfit: text(p.takeProfit), stopLoss: text(p.stopLoss), protected: p.stopLoss !== undefined,
    })));
    const workingOrders: WorkingOrderStatus[] = accounts.flatMap((a) => a.journal.ordersInState(LIVE_ORDER_STATES).map((o) => ({
      account: a.name, symbol: o.symbol, clientOrderId: o.clientOrderId, side: o.side, type: o.price === undefined ? 'market' : 'limit', quantity: o.quantity.toString(),
      price: text(o.price), reduceOnly: o.reduceOnly, state: o.state,
    })));
    let realized = ZERO;
    let fees = ZERO;
    let unrealized = ZERO;
    let equity: Decimal | undefined;
    let dayStart: Decimal | undefined;
    let peak: Decimal | undefined;
    const counters = { proposals: 0, intents: 0, ordersSent: 0, fills: 0, trades: 0, wins: 0, losses: 0, restarts: 0 };
    const vetoes = new Map<string, number>();
    for (const a of accounts) {
      const st = a.runtime.stats;
      for (const t of st.trades) {
        realized = realized.plus(t.realizedPnl);
        if (new Decimal(t.realizedPnl).gt(0)) counters.wins += 1;
        else counters.losses += 1;
      }
      fees = fees.plus(st.fees);
      counters.proposals += st.proposals;
      counters.intents += st.intents;
      counters.ordersSent += st.ordersSent;
      counters.fills += st.fills;
      counters.trades += st.trades.length;
      counters.restarts += st.restarts;
      for (const [k, n] of st.vetoes) vetoes.set(k, (vetoes.get(k) ?? 0) + n);
      for (const p of a.runtime.portfolio.openPositions()) unrealized = unrealized.plus(p.unrealizedPnl);
      const e = a.runtime.portfolio.balances().ending ?? st.startingBalance;
      if (e !== undefined) equity = (equity ?? ZERO).plus(e);
      const marks = a.runtime.state.equityMarks();
      if (marks !== undefined) {
        dayStart = (dayStart ?? ZERO).plus(marks.dayStart);
        peak = (peak ?? ZERO).plus(marks.peak);
      }
    }
    const beat = deps.loop.heartbeat();
    if (beat.lastCycleAt !== undefined && beat.lastCycleAt !== lastCycleWall?.at) lastCycleWall = { at: beat.lastCycleAt, wall: deps.wall.now() };
    const reasons = offReasons();
    return {
      at: now, wallAt: deps.wall.now(), runId: deps.runId, profile: deps.profile, mode: deps.mode, clock: deps.clockName, version: deps.version, commit: deps.commit, phase,
      trading: { on: reasons.length === 0, reasons }, accounts: accounts.map(accountStatus), connections, actors, positions, workingOrders,
      pnl: {
        realized: realized.toString(), fees: fees.toString(), unrealized: unrealized.toString(), equity: text(equity),
        dailyChange: equity === undefined || dayStart === undefined ? null : equity.minus(dayStart).toString(),
        drawdown: equity === undefined || peak === undefined || !peak.gt(0) ? null : Decimal.max(ZERO, peak.minus(equity).div(peak)).toString(),
      },
      counters, vetoes: Object.fromEntries([...vetoes].sort(([x], [y]) => x.localeCompare(y))),
      strategies: deps.loop.strategyStates(), alerts: deps.alerts.activeKeys(),
      heartbeat: { cycles: beat.cycles, lastCycleAt: beat.lastCycleAt ?? null, wallLastCycleAt: lastCycleWall?.wall ?? null },
    };
  };

  const ready = (): ReadyView => {
    const reasons = offReasons();
    return { ready: reasons.length === 0, reasons };
  };

  const journalTail: OpsSource['journalTail'] = (after, limit, account) => {
    const a = account === undefined ? accounts[0] : accounts.find((x) => x.name === account);
    if (a === undefined) return { problem: `no venue account "${account ?? ''}" (this session has ${accounts.map((x) => x.name).join(', ')})` };
    const entries = [...a.journal.readEvents({ fromSeq: after + 1, limit })].map((e) => ({ seq: e.seq, ts: e.ts, stream: e.stream, type: e.type, payload: e.payload, hash: e.hash.toString('hex') }));
    return { account: a.name, entries };
  };

  const control = controlService(deps, hub);
  return {
    source: { status, ready, journalTail, events: hub, control },
    events: hub,
    setPhase: (p) => {
      phase = p;
      hub.publish('gate', deps.clock.now(), null, { phase: p });
    },
  };
};

/** The control service over the session's accounts (every action journaled first on each account it touches). */
const controlService = (deps: OperationsDeps, hub: OpsEventHub): ControlService => {
  const { accounts } = deps;
  type Action = 'kill' | 'resume' | 'flatten' | 'strategy_enable' | 'strategy_disable' | 'unblock';
  const journaled = (targets: ReadonlyArray<OpsAccount>, action: Action, req: ControlRequester, extra: { symbol?: string; strategy?: string; flatten?: boolean }): ((o: ControlOutcome) => ControlOutcome) => {
    const payload = { action, who: req.who, reason: req.reason, ...extra };
    for (const a of targets) a.journal.append('operator', 'OPERATOR_CONTROL', payload);
    deps.logger.warn({ event: 'operator_control', ...payload }, 'operator_control');
    return (o) => {
      for (const a of targets) a.journal.append('operator', 'OPERATOR_CONTROL', { ...payload, outcome: { ok: o.ok, detail: o.detail } });
      hub.publish('control', deps.clock.now(), null, { ...payload, ok: o.ok, detail: o.detail });
      return o;
    };
  };
  const owner = (symbol: string): OpsAccount | undefined => accounts.find((a) => a.runtime.symbols.includes(symbol));

  const resume = (req: ControlRequester): ControlOutcome => {
    const done = journaled(accounts, 'resume', req, {});
    // The operator's kill flag would engage the switch again within a poll: a resume clears it too.
    const flagCleared = clearKillFlag(deps.dataDir);
    const engaged = accounts.filter((a) => a.runtime.state.killSwitch().engaged);
    for (const a of engaged) a.runtime.kill.resume();
    if (engaged.length === 0) return done({ ok: false, detail: 'the kill switch is not engaged' });
    return done({ ok: true, detail: `kill switch cleared on ${engaged.map((a) => a.name).join(', ')}${flagCleared ? ' (and the KILL flag file removed)' : ''}` });
  };
  const flatten = (symbol: string, req: ControlRequester): ControlOutcome => {
    const a = owner(symbol);
    if (a === undefined) return { ok: false, detail: `no account of this session trades ${symbol}` };
    const done = journaled([a], 'flatten', req, { symbol });
    const decision = deps.loop.operatorExit(symbol, `operator-flatten-${symbol}-${String(deps.clock.now())}`);
    if (typeof decision === 'string') return done({ ok: false, detail: decision });
    if (decision.kind === 'veto') return done({ ok: false, detail: `the RiskEngine vetoed the exit: ${decision.veto.reason} (${decision.veto.message})` });
    return done({ ok: true, detail: `reduce-only exit of ${symbol} approved (${decision.decisionId}); the actor closes the position` });
  };
  const setStrategyEnabled = (id: string, enabled: boolean, req: ControlRequester): ControlOutcome => {
    const done = journaled(accounts, enabled ? 'strategy_enable' : 'strategy_disable', req, { strategy: id });
    const known = deps.loop.strategyStates().find((s) => s.id === id);
    if (known === undefined) return done({ ok: false, detail: `strategy ${id} is not running in this session (running: ${deps.loop.strategyStates().map((s) => s.id).join(', ') || 'none'}); enable it in the config and restart` });
    if (!deps.loop.setStrategyEnabled(id, enabled)) return done({ ok: false, detail: `strategy ${id} is already ${enabled ? 'enabled' : 'disabled'}` });
    return done({ ok: true, detail: `strategy ${id} ${enabled ? 'enabled: its proposals are judged again' : 'disabled: no new proposals; its open positions keep their protection'}` });
  };
  const unblock = (symbol: string, req: ControlRequester): ControlOutcome => {
    const a = owner(symbol);
    if (a === undefined) return { ok: false, detail: `no account of this session trades ${symbol}` };
    const done = journaled([a], 'unblock', req, { symbol });
    const gates = a.runtime.state.gates(symbol);
    if (!a.runtime.state.unblock(symbol)) return done({ ok: false, detail: `${symbol} is not blocked${gates.quarantined === undefined ? '' : ` (it is quarantined: ${gates.quarantined})`}` });
    a.journal.append(`trade:${a.venueId}:${symbol}`, 'SYMBOL_UNBLOCKED', { reason: `operator ${req.who}: ${req.reason}` });
    deps.alerts.resolve(`symbol_blocked:${symbol}`);
    return done({ ok: true, detail: `${symbol} unblocked (was: ${gates.blocked ?? ''}); entries are judged by the RiskEngine again` });
  };
  return {
    async kill(req) {
      const done = journaled(accounts, 'kill', req, { flatten: req.flatten });
      const wallStart = deps.wall.now();
      const results = await Promise.all(accounts.map((a) => a.runtime.kill.engage({ reason: `${req.reason} (${req.who})`, source: 'api', flatten: req.flatten })));
      // The actors withdraw their own working entries; `cancelled` counts what the sweep still found open at the venue.
      const cancelled = results.reduce((n, r) => n + r.cancelled, 0);
      const wallMs = deps.wall.now() - wallStart;
      const detail = `kill switch engaged on ${accounts.map((a) => a.name).join(', ')}: entries halted, the cancel sweep found ${String(cancelled)} open order(s) at the venue; done in ${String(wallMs)} ms`;
      return done({ ok: true, detail, fields: { cancelled, wallMs } });
    },
    resume: (req) => Promise.resolve(resume(req)),
    flatten: (symbol, req) => Promise.resolve(flatten(symbol, req)),
    setStrategyEnabled: (id, enabled, req) => Promise.resolve(setStrategyEnabled(id, enabled, req)),
    unblock: (symbol, req) => Promise.resolve(unblock(symbol, req)),
  };
};
