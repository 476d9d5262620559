/**
 * The effects of the trading state's switches for one venue account (X-RSK-1, X-RSK-3): engaging the kill switch
 * halts every actor (working entries cancelled, protections kept, flatten only if asked) and cancels every working
 * order at the venue; a daily-loss breach (Reducing) withdraws the working entries and leaves exits and protections;
 * resuming lets the actors trade again. It polls the operator's kill flag. The state itself lives in TradingState.
 */
import { criticalEvent, logCritical } from '../kernel/logger.ts';
import type { ExecutionEngine } from '../execution/ExecutionEngine.ts';
import type { KillSource } from '../risk/KillSwitch.ts';
import type { BreakerOutcome, TradingState } from '../risk/TradingState.ts';
import { hasEntryInFlight } from '../../machines/trade/tradeQueries.ts';
import type { HostRegistry, RuntimeContext } from './ports.ts';

/** What the controller is wired to. */
export interface KillSwitchDeps {
  readonly ctx: RuntimeContext;
  readonly state: TradingState;
  readonly hosts: HostRegistry;
  readonly execution: ExecutionEngine;
  /** Reads the operator's kill flag (the data directory's `KILL` file); polled every `pollMs`. */
  readonly killFlag?: (() => { readonly reason: string; readonly flatten: boolean } | undefined) | undefined;
  readonly pollMs: number;
}

/** The kill switch's effects and the breakers' reactions. */
export class KillSwitchController {
  private readonly deps: KillSwitchDeps;
  private cancelPoll: (() => void) | undefined;

  constructor(deps: KillSwitchDeps) {
    this.deps = deps;
  }

  /**
   * Engages the kill switch: no new proposal is approved from now on (the RiskEngine reads the state), every actor is
   * halted and every working order is cancelled at the venue; CRITICAL alert. Resolves with the time the cancels took.
   */
  async engage(req: { readonly reason: string; readonly source: KillSource; readonly flatten?: boolean | undefined }): Promise<{ readonly cancelMs: number; readonly cancelled: number }> {
    const { ctx, state, hosts, execution } = this.deps;
    const started = ctx.now();
    if (!state.engage(req, started)) return { cancelMs: 0, cancelled: 0 };
    const flatten = state.killSwitch().flatten;
    for (const host of hosts.hosts()) host.send({ type: 'operator.kill', reason: req.reason, flatten, at: started });
    // No `idle()` here: engaging may itself be tracked work (breakers), and waiting for itself would never end.
    const results = await Promise.all(ctx.settings.symbols.map((s) => execution.cancelAll(s)));
    const cancelled = results.reduce((n, r) => n + r.length, 0);
    const cancelMs = ctx.now() - started;
    logCritical(ctx.logger, criticalEvent({ event: 'kill_switch_engaged', profile: ctx.settings.profile, mode: ctx.settings.mode }, {
      venue: ctx.venueId, error_code: req.source, latency_ms: cancelMs,
    }), 'error');
    ctx.logger.error({ alert: 'KILL_SWITCH', severity: 'CRITICAL', reason: req.reason, cancelled, cancelMs }, 'kill_switch_engaged');
    ctx.alerts?.raise({ key: 'kill_switch', severity: 'CRITICAL', message: `kill switch engaged (${req.source}): ${req.reason}`, fields: { cancelled, cancelMs } });
    return { cancelMs, cancelled };
  }

  /** Clears the kill switch (an operator's resume): actors resume, new proposals are judged again. */
  resume(): void {
    const { ctx, state, hosts } = this.deps;
    if (!state.resume()) return;
    for (const host of hosts.hosts()) host.send({ type: 'operator.resume', at: ctx.now() });
    ctx.logger.warn({ alert: 'KILL_SWITCH', severity: 'INFO' }, 'kill_switch_resumed');
    ctx.alerts?.resolve('kill_switch');
  }

  /** Reacts to a breaker: a halt engages the kill switch; Reducing withdraws working entries (exits and protections stay). */
  onBreaker(outcome: BreakerOutcome): void {
    const { ctx, hosts } = this.deps;
    if (outcome.kind === 'none') return;
    if (outcome.breach !== undefined) {
      const b = outcome.breach;
      ctx.alerts?.raise({ key: `drawdown:${b.reason}`, severity: 'CRITICAL', message: `${b.reason} ${b.observed} beyond ${b.limit}`, fields: { ...b } });
    }
    if (outcome.kind === 'halt') {
      ctx.track(this.engage({ reason: outcome.reason, source: outcome.source }));
      return;
    }
    ctx.logger.error({ alert: 'REDUCING', reason: outcome.breach.reason, observed: outcome.breach.observed, limit: outcome.breach.limit }, 'trading_state_reducing');
    for (const host of hosts.hosts()) {
      if (!host.isStopped() && hasEntryInFlight(host.snapshot())) host.send({ type: 'command.cancelEntry', at: ctx.now() });
    }
  }

  /** Counts a critical error; past the threshold the kill switch engages. */
  recordCriticalError(what: string): void {
    this.onBreaker(this.deps.state.recordCriticalError(what, this.deps.ctx.now()));
  }

  /** Engages or clears the kill switch from the operator's flag; called at start and on every poll. */
  async pollKillFlag(): Promise<void> {
    const flag = this.deps.killFlag?.();
    const kill = this.deps.state.killSwitch();
    if (flag !== undefined && (!kill.engaged || (flag.flatten && !kill.flatten))) {
      await this.engage({ reason: flag.reason, source: 'file', flatten: flag.flatten });
    } else if (flag === undefined && kill.engaged && (kill.source === 'file' || kill.source === 'cli')) {
      this.resume();
    }
  }

  /** Starts polling the kill flag (no-op without one). */
  startPolling(): void {
    if (this.deps.killFlag === undefined) return;
    const schedule = (at: number): void => {
      if (this.deps.ctx.stopping()) return;
      this.cancelPoll = this.deps.ctx.scheduler.schedule(at, () => {
        this.deps.ctx.track(this.pollKillFlag());
        schedule(at + this.deps.pollMs);
      });
    };
    schedule(this.deps.ctx.now() + this.deps.pollMs);
  }

  /** Stops polling. */
  stopPolling(): void {
    this.cancelPoll?.();
  }
}
