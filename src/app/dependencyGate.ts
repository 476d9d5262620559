/**
 * The session's dependency gate (X-RSK-6, S0-20, X-OBS-1): each account's dependencies report up or down — the venue
 * streams from their connection hosts, the venue REST side from a periodic cheap probe (the server time) — and a change
 * of a gating dependency is journaled (DEPENDENCY_CHANGED), logged and alerted (CRITICAL while down, resolved when
 * back), and the session's own (Telegram's `getMe` probe, S0-20). While one is down the RiskEngine's dependency rule vetoes every entry (trading OFF; exits and protections go
 * on) and `/ready` answers 503; on recovery trading is ON again. Wall-time timers only; it never places or cancels.
 */
import { Effect } from 'effect';
import type { AlertPort } from '../alerts/AlertRouter.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import type { WireVenue } from '../venues/Venue.ts';
import type { AccountHosts } from './accountHosts.ts';

/** One account the gate watches. */
export interface GatedAccount {
  readonly name: string;
  readonly venue: WireVenue | undefined;
  readonly hosts: () => AccountHosts | undefined;
  readonly journal: Journal;
}

/** Settings of the gate. */
export interface DependencyGateOptions {
  readonly accounts: ReadonlyArray<GatedAccount>;
  /** The profile's gating dependencies (`risk.dependencies.gating`). */
  readonly gating: ReadonlyArray<string>;
  readonly alerts: AlertPort;
  readonly logger: Logger;
  /** The network's wall-time scheduler. */
  readonly scheduler: Scheduler;
  /** How often changes are looked for (wall ms). */
  readonly lookEveryMs: number;
  /** How often the REST side is probed (wall ms; a multiple of lookEveryMs works best). */
  readonly probeEveryMs: number;
  /** Consecutive failed probes before the REST side counts as down. */
  readonly failuresForDown?: number | undefined;
}

/** Dependencies of the whole session (not of one account), such as `telegram`: merged into every account's health. */
export type SessionDependencies = () => Readonly<Record<string, Health>>;

export type Health = 'up' | 'down';

/** The gate: per-account health and its change watcher. */
export class DependencyGate {
  private readonly opts: DependencyGateOptions;
  private readonly restFailures = new Map<string, number>();
  private readonly reported = new Map<string, Health>();
  private cancel: (() => void) | undefined;
  private probing = false;
  private session: SessionDependencies = () => ({});

  constructor(opts: DependencyGateOptions) {
    this.opts = opts;
  }

  /** Adds the session's own dependencies (the notifications start after the gate). */
  setSessionDependencies(session: SessionDependencies): void {
    this.session = session;
  }

  /** The health of an account's dependencies now (the venue's all up for an in-process venue), with the session's. */
  health(account: string): Readonly<Record<string, Health>> {
    return { ...this.venueHealth(account), ...this.session() };
  }

  private venueHealth(account: string): Readonly<Record<string, Health>> {
    const a = this.opts.accounts.find((x) => x.name === account);
    if (a === undefined || a.venue === undefined) return { venue_rest: 'up', venue_ws: 'up', journal: 'up' };
    const h = a.hosts();
    const ws: Health = h !== undefined && h.public.isLive() && h.private.isLive() ? 'up' : 'down';
    const rest: Health = (this.restFailures.get(account) ?? 0) >= (this.opts.failuresForDown ?? 2) ? 'down' : 'up';
    return { venue_rest: rest, venue_ws: ws, journal: 'up' };
  }

  /** Starts probing and watching (call once the streams were started). */
  start(): void {
    const { scheduler, lookEveryMs, probeEveryMs } = this.opts;
    let nextProbe = scheduler.clock.now() + probeEveryMs;
    const tick = (at: number): void => {
      this.cancel = scheduler.schedule(at, () => {
        if (at >= nextProbe) {
          nextProbe = at + probeEveryMs;
          void this.probe().finally(() => this.look());
        } else this.look();
        tick(at + lookEveryMs);
      });
    };
    this.look();
    tick(scheduler.clock.now() + lookEveryMs);
  }

  /** Stops the timers. */
  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await Promise.all(this.opts.accounts.map(async (a) => {
        if (a.venue === undefined) return;
        const r = await Effect.runPromise(Effect.either(a.venue.serverTime()));
        this.restFailures.set(a.name, r._tag === 'Right' ? 0 : (this.restFailures.get(a.name) ?? 0) + 1);
      }));
    } finally {
      this.probing = false;
    }
  }

  /** Journals, logs and alerts every gating dependency whose health changed since the last look. */
  look(): void {
    for (const a of this.opts.accounts) {
      const now = this.health(a.name);
      for (const dependency of this.opts.gating) {
        const health = now[dependency] ?? 'down';
        const key = `${a.name}:${dependency}`;
        const before = this.reported.get(key);
        if (before === health || (before === undefined && health === 'up')) {
          this.reported.set(key, health);
          continue;
        }
        this.reported.set(key, health);
        a.journal.append('runtime', 'DEPENDENCY_CHANGED', { dependency, health });
        const alertKey = `dependency_down:${key}`;
        if (health === 'down') {
          this.opts.logger.error({ account: a.name, dependency, alert: 'dependency_down' }, 'dependency_down_trading_off');
          this.opts.alerts.raise({ key: alertKey, severity: 'CRITICAL', message: `${a.name}: ${dependency} is down; trading OFF (entries vetoed, exits and protections continue)`, fields: { account: a.name, dependency } });
        } else {
          this.opts.logger.warn({ account: a.name, dependency }, 'dependency_up_trading_on');
          this.opts.alerts.resolve(alertKey);
        }
      }
    }
  }
}
