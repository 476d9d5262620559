/**
 * The trading state of one venue account (DESIGN §6): Active, Reducing (exits only) or Halted, and everything that
 * feeds it — the kill switch, the drawdown and daily-loss breakers, the critical-error breaker, per-symbol cooldowns,
 * symbol gates (blocked by reconcile, quarantined by the supervisor, paused by the market stream) and broker desync.
 * It is an input of `RiskEngine.check`, never a veto of its own. Kill switch, breakers and cooldowns persist in the
 * journal's kv store; the gates are re-derived at start (recovery, streams, supervisor). No I/O beyond that journal.
 */
import type { Decimal } from '../domain/money.ts';
import type { Journal } from '../journal/Journal.ts';
import { decodeDrawdownState, encodeDrawdownState, initDrawdown, recordEquity, type DrawdownBreach, type DrawdownState } from './Drawdown.ts';
import { decodeKillSwitchState, encodeKillSwitchState, engageKill, initialKillSwitch, recordCriticalError, resumeKill, type KillSource, type KillSwitchState } from './KillSwitch.ts';
import type { RiskConfig } from './RiskConfig.ts';
import type { CooldownView, TradingState as TradingStateName } from './views.ts';

/** The journal kv keys the state persists under. */
export const TRADING_STATE_KEYS = { kill: 'kill_switch', drawdown: 'drawdown', cooldowns: 'cooldowns' } as const;

/** Why entries of a symbol are closed, if they are. */
export interface SymbolGates {
  readonly blocked: string | undefined;
  readonly quarantined: string | undefined;
  readonly paused: string | undefined;
}

/** What a breaker did when fed. */
export type BreakerOutcome =
  | { readonly kind: 'none' }
  /** Daily loss: entries stop (Reducing), exits and protections go on. */
  | { readonly kind: 'reducing'; readonly breach: DrawdownBreach }
  /** Drawdown or too many critical errors: the kill switch must be engaged (Halted). */
  | { readonly kind: 'halt'; readonly reason: string; readonly source: KillSource; readonly breach?: DrawdownBreach | undefined };

/** The trading state of one account. */
export class TradingState {
  private readonly journal: Journal;
  private readonly config: RiskConfig;
  private readonly timeZone: string;
  private kill: KillSwitchState = initialKillSwitch;
  private drawdown: DrawdownState | undefined;
  private readonly cooldownUntil = new Map<string, CooldownView>();
  private readonly blocked = new Map<string, string>();
  private readonly quarantined = new Map<string, string>();
  private readonly paused = new Map<string, string>();
  private desync = false;

  constructor(deps: { readonly journal: Journal; readonly config: RiskConfig; readonly timeZone: string }) {
    this.journal = deps.journal;
    this.config = deps.config;
    this.timeZone = deps.timeZone;
  }

  /** Restores the kill switch, the breakers and the cooldowns from the journal (an engaged switch survives restarts). */
  restore(): void {
    const kill = this.journal.kvGet(TRADING_STATE_KEYS.kill);
    if (kill !== undefined) this.kill = decodeKillSwitchState(kill);
    const drawdown = this.journal.kvGet(TRADING_STATE_KEYS.drawdown);
    if (drawdown !== undefined) this.drawdown = decodeDrawdownState(drawdown);
    const cooldowns = this.journal.kvGet(TRADING_STATE_KEYS.cooldowns);
    if (cooldowns !== null && typeof cooldowns === 'object') {
      for (const [symbol, v] of Object.entries(cooldowns as Record<string, { until?: unknown; kind?: unknown }>)) {
        if (typeof v.until === 'number' && (v.kind === 'fill' || v.kind === 'stop')) this.cooldownUntil.set(symbol, { until: v.until, kind: v.kind });
      }
    }
  }

  /** Active, Reducing (exits only: a daily-loss breach) or Halted (kill switch, drawdown). */
  state(): TradingStateName {
    if (this.kill.engaged) return 'halted';
    const breach = this.drawdown?.breach;
    if (breach !== undefined) return breach.reason === 'daily_loss' ? 'reducing' : 'halted';
    return 'active';
  }

  /** The kill switch. */
  killSwitch(): KillSwitchState {
    return this.kill;
  }

  /** The breakers' equity marks (day start, session peak, last), once an equity point was recorded. */
  equityMarks(): { readonly dayStart: Decimal; readonly peak: Decimal; readonly last: Decimal } | undefined {
    const d = this.drawdown;
    return d === undefined ? undefined : { dayStart: d.dayStartEquity, peak: d.sessionPeak, last: d.lastEquity };
  }

  /** The latched drawdown or daily-loss breach, if any. */
  breach(): DrawdownBreach | undefined {
    return this.drawdown?.breach;
  }

  /** Engages the kill switch (persisted with KILL_ENGAGED); returns false when nothing changed. */
  engage(req: { readonly reason: string; readonly source: KillSource; readonly flatten?: boolean | undefined }, at: number): boolean {
    const before = this.kill;
    this.kill = engageKill(this.kill, { ...req, at }, this.config.killSwitch);
    if (before.engaged && before.flatten === this.kill.flatten) return false;
    this.journal.transaction(() => {
      this.journal.append('runtime', 'KILL_ENGAGED', { reason: this.kill.reason, source: this.kill.source, flatten: this.kill.flatten });
      this.journal.kvSet(TRADING_STATE_KEYS.kill, encodeKillSwitchState(this.kill));
    });
    return true;
  }

  /** Clears the kill switch (an operator's resume); returns false when it was not engaged. */
  resume(): boolean {
    if (!this.kill.engaged) return false;
    this.kill = resumeKill(this.kill);
    this.journal.transaction(() => {
      this.journal.append('runtime', 'KILL_RESUMED', {});
      this.journal.kvSet(TRADING_STATE_KEYS.kill, encodeKillSwitchState(this.kill));
    });
    return true;
  }

  /** Feeds the drawdown and daily-loss breakers with an equity point (X-RSK-3); the state survives restarts. */
  recordEquity(equity: Decimal, at: number): BreakerOutcome {
    this.drawdown ??= initDrawdown(equity, at, this.timeZone);
    const { state, tripped } = recordEquity(this.drawdown, equity, at, this.config.drawdown);
    this.drawdown = state;
    if (tripped === undefined) {
      this.journal.kvSet(TRADING_STATE_KEYS.drawdown, encodeDrawdownState(state));
      return { kind: 'none' };
    }
    this.journal.transaction(() => {
      this.journal.append('risk', 'DRAWDOWN_BREACH', { ...tripped });
      this.journal.kvSet(TRADING_STATE_KEYS.drawdown, encodeDrawdownState(state));
    });
    return tripped.reason === 'daily_loss'
      ? { kind: 'reducing', breach: tripped }
      : { kind: 'halt', reason: `${tripped.reason} ${tripped.observed} > ${tripped.limit}`, source: 'breaker', breach: tripped };
  }

  /** Counts a critical error; past the threshold within the window the kill switch must engage (X-RSK-1). */
  recordCriticalError(what: string, at: number): BreakerOutcome {
    const { state, tripped } = recordCriticalError(this.kill, at, this.config.killSwitch);
    if (!tripped) {
      this.kill = state;
      return { kind: 'none' };
    }
    // The switch itself is engaged through `engage`, so its effects (halt, cancels, journal, alert) run.
    this.kill = { ...state, engaged: false, reason: undefined, since: undefined, source: undefined };
    return { kind: 'halt', reason: `${state.reason ?? 'critical error threshold reached'} (last: ${what})`, source: 'critical_errors' };
  }

  /** Starts a symbol's cooldown after a closed trade (X-RSK-7); persisted. */
  startCooldown(symbol: string, kind: 'fill' | 'stop', at: number): void {
    const ms = kind === 'stop' ? this.config.cooldowns.afterStopMs : this.config.cooldowns.afterFillMs;
    this.cooldownUntil.set(symbol, { until: at + ms, kind });
    this.journal.kvSet(TRADING_STATE_KEYS.cooldowns, Object.fromEntries(this.cooldownUntil));
  }

  /** The cooldowns still running at `now`. */
  cooldowns(now: number): Readonly<Record<string, CooldownView>> {
    const out: Record<string, CooldownView> = {};
    for (const [k, v] of this.cooldownUntil) if (v.until > now) out[k] = v;
    return out;
  }

  /** Blocks a symbol's entries (reconcile); returns false when it was already blocked for that reason. */
  block(symbol: string, reason: string): boolean {
    if (this.blocked.get(symbol) === reason) return false;
    this.blocked.set(symbol, reason);
    return true;
  }

  /** Lifts a symbol's block; returns whether there was one. */
  unblock(symbol: string): boolean {
    return this.blocked.delete(symbol);
  }

  /** Quarantines a symbol (the supervisor's restart limit); returns false when it already was. */
  quarantine(symbol: string, reason: string): boolean {
    if (this.quarantined.has(symbol)) return false;
    this.quarantined.set(symbol, reason);
    return true;
  }

  /** Pauses or resumes a symbol's entries for its market stream; returns whether that changed anything. */
  setPaused(symbol: string, paused: boolean, reason: string): boolean {
    const was = this.paused.has(symbol);
    if (paused) this.paused.set(symbol, reason);
    else this.paused.delete(symbol);
    return was !== paused;
  }

  /** The entry gates of a symbol. */
  gates(symbol: string): SymbolGates {
    return { blocked: this.blocked.get(symbol), quarantined: this.quarantined.get(symbol), paused: this.paused.get(symbol) };
  }

  /** Sets or clears broker desync (X-REC-2). Returns whether it changed. */
  setBrokerDesync(desync: boolean): boolean {
    if (this.desync === desync) return false;
    this.desync = desync;
    return true;
  }

  /** Whether the actors and the venue disagree beyond tolerance. */
  brokerDesync(): boolean {
    return this.desync;
  }
}
