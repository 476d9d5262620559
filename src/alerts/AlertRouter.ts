/**
 * The alert port and its router (X-NTF-3, X-NTF-1): identical keys are deduplicated for 60 s, an alert still open
 * after 2 min is re-raised as CRITICAL with `escalated: true`, and a channel failure never reaches the caller. Time
 * comes from the injected Clock and timers from an injected scheduler, so a VirtualClock drives it in tests. Channels
 * can be added later (the notification outbox, issue 15), and the dedupe and escalation state can be kept in a store
 * (the journal's kv `alerts`), so a restart neither re-alerts an open alert inside its window nor forgets its
 * escalation.
 */
import type { Clock } from '../kernel/Clock.ts';

/** How bad an alert is. */
export type AlertSeverity = 'INFO' | 'WARN' | 'CRITICAL';

/** What a caller raises. */
export interface AlertInput {
  /** The dedupe key, e.g. `staleness:BTCUSDT`, `kill_switch`. */
  readonly key: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
}

/** What a channel delivers. */
export interface AlertRecord {
  readonly kind: 'raised' | 'escalated' | 'resolved';
  readonly key: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly ts: number;
  readonly escalated: boolean;
  /** Identical raises suppressed since the previous delivery of this key. */
  readonly suppressed: number;
}

/** The port the rest of tradewarden raises alerts through. */
export interface AlertPort {
  raise(alert: AlertInput): void;
  resolve(key: string): void;
}

/** A delivery target (log, Telegram, webhook). It may fail or reject; the router contains it. */
export interface AlertChannel {
  readonly name: string;
  deliver(record: AlertRecord): void | Promise<void>;
}

/** Timers at absolute epoch ms; `VirtualClock` satisfies it. Returns a cancel function. */
export interface AlertScheduler {
  schedule(at: number, run: () => void): () => void;
}

/** Router settings. */
export interface AlertRouterOptions {
  readonly clock: Clock;
  readonly scheduler: AlertScheduler;
  readonly channels: ReadonlyArray<AlertChannel>;
  /** Default 60 000 ms (X-NTF-3). */
  readonly dedupeMs?: number | undefined;
  /** Default 120 000 ms (X-NTF-3). */
  readonly escalateAfterMs?: number | undefined;
  /** Told about a channel failure; must not throw. */
  readonly onChannelError?: ((channel: string, error: unknown) => void) | undefined;
}

/** One open alert as a store keeps it (JSON-safe). */
export interface PersistedAlert {
  readonly key: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
  /** When it was first raised (its escalation is due escalateAfterMs later). */
  readonly raisedAt: number;
  readonly lastDeliveredAt: number;
  readonly suppressed: number;
  readonly escalated: boolean;
}

/** The router's state: every open alert. */
export interface PersistedAlerts {
  readonly version: 1;
  readonly alerts: ReadonlyArray<PersistedAlert>;
}

/** Where the router keeps its state. `save` is called after every change and must not throw or block. */
export interface AlertStateStore {
  load(): unknown;
  save(state: PersistedAlerts): void;
}

/** The router: an AlertPort plus introspection and shutdown. */
export interface AlertRouter extends AlertPort {
  /** Keys raised and not yet resolved. */
  activeKeys(): ReadonlyArray<string>;
  /** Adds a delivery target for every later record; returns its removal. */
  addChannel(channel: AlertChannel): () => void;
  /**
   * Restores the open alerts the store holds (those not raised again meanwhile) with their dedupe windows and
   * escalation deadlines — an overdue escalation is delivered at once — and keeps the store up to date from now on.
   */
  persistTo(store: AlertStateStore): void;
  /** Cancels every pending escalation timer. */
  dispose(): void;
}

const RANK: Readonly<Record<AlertSeverity, number>> = { INFO: 0, WARN: 1, CRITICAL: 2 };

interface ActiveAlert {
  readonly raisedAt: number;
  lastDeliveredAt: number;
  lastSeverity: AlertSeverity;
  last: AlertInput;
  suppressed: number;
  escalated: boolean;
  cancelEscalation: (() => void) | undefined;
}

/** Returns an alert router delivering to the given channels. */
export const makeAlertRouter = (options: AlertRouterOptions): AlertRouter => {
  const { clock, scheduler } = options;
  const channels: AlertChannel[] = [...options.channels];
  let store: AlertStateStore | undefined;
  const dedupeMs = options.dedupeMs ?? 60_000;
  const escalateAfterMs = options.escalateAfterMs ?? 120_000;
  const active = new Map<string, ActiveAlert>();

  const report = (channel: string, error: unknown): void => {
    try {
      options.onChannelError?.(channel, error);
    } catch {
      // The error hook itself failed: nothing more can be done without risking the caller (X-NTF-1).
    }
  };
  const deliver = (record: AlertRecord): void => {
    for (const channel of channels) {
      try {
        const result = channel.deliver(record);
        if (result instanceof Promise) result.catch((e: unknown) => report(channel.name, e));
      } catch (e) {
        report(channel.name, e);
      }
    }
  };

  const jsonSafe = (fields: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> => {
    try {
      return JSON.parse(JSON.stringify(fields ?? {})) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const changed = (): void => {
    if (store === undefined) return;
    const alerts = [...active].map(([key, a]): PersistedAlert => ({
      key, severity: a.lastSeverity, message: a.last.message, fields: jsonSafe(a.last.fields), raisedAt: a.raisedAt, lastDeliveredAt: a.lastDeliveredAt, suppressed: a.suppressed, escalated: a.escalated,
    }));
    try {
      store.save({ version: 1, alerts });
    } catch (e) {
      report('alert-store', e);
    }
  };

  const escalate = (key: string): void => {
    const a = active.get(key);
    if (a === undefined || a.escalated) return;
    a.escalated = true;
    a.cancelEscalation = undefined;
    a.lastSeverity = 'CRITICAL';
    a.lastDeliveredAt = clock.now();
    const suppressed = a.suppressed;
    a.suppressed = 0;
    deliver({ kind: 'escalated', key, severity: 'CRITICAL', message: a.last.message, fields: a.last.fields ?? {}, ts: clock.now(), escalated: true, suppressed });
    changed();
  };

  return {
    raise(alert) {
      const now = clock.now();
      const a = active.get(alert.key);
      if (a !== undefined) {
        // Identical key inside the dedupe window and no worse than what was delivered: count it, send nothing.
        if (now - a.lastDeliveredAt < dedupeMs && RANK[alert.severity] <= RANK[a.lastSeverity]) {
          a.suppressed += 1;
          a.last = alert;
          changed();
          return;
        }
        const suppressed = a.suppressed;
        a.suppressed = 0;
        a.last = alert;
        a.lastDeliveredAt = now;
        a.lastSeverity = a.escalated && RANK[alert.severity] < RANK.CRITICAL ? 'CRITICAL' : alert.severity;
        deliver({ kind: 'raised', key: alert.key, severity: a.lastSeverity, message: alert.message, fields: alert.fields ?? {}, ts: now, escalated: a.escalated, suppressed });
        changed();
        return;
      }
      const entry: ActiveAlert = { raisedAt: now, lastDeliveredAt: now, lastSeverity: alert.severity, last: alert, suppressed: 0, escalated: false, cancelEscalation: undefined };
      active.set(alert.key, entry);
      entry.cancelEscalation = scheduler.schedule(now + escalateAfterMs, () => escalate(alert.key));
      deliver({ kind: 'raised', key: alert.key, severity: alert.severity, message: alert.message, fields: alert.fields ?? {}, ts: now, escalated: false, suppressed: 0 });
      changed();
    },
    resolve(key) {
      const a = active.get(key);
      if (a === undefined) return;
      a.cancelEscalation?.();
      active.delete(key);
      deliver({ kind: 'resolved', key, severity: 'INFO', message: `resolved: ${a.last.message}`, fields: a.last.fields ?? {}, ts: clock.now(), escalated: a.escalated, suppressed: a.suppressed });
      changed();
    },
    activeKeys: () => [...active.keys()],
    addChannel(channel) {
      channels.push(channel);
      return () => {
        const i = channels.indexOf(channel);
        if (i >= 0) channels.splice(i, 1);
      };
    },
    persistTo(next) {
      store = next;
      let loaded: unknown;
      try {
        loaded = next.load();
      } catch (e) {
        report('alert-store', e);
      }
      for (const p of persistedAlerts(loaded)) {
        if (active.has(p.key)) continue; // raised again in this run already: the newer state wins
        const entry: ActiveAlert = {
          raisedAt: p.raisedAt, lastDeliveredAt: p.lastDeliveredAt, lastSeverity: p.severity, suppressed: p.suppressed, escalated: p.escalated, cancelEscalation: undefined,
          last: { key: p.key, severity: p.severity, message: p.message, fields: p.fields },
        };
        active.set(p.key, entry);
        if (!p.escalated) entry.cancelEscalation = scheduler.schedule(p.raisedAt + escalateAfterMs, () => escalate(p.key));
      }
      changed();
    },
    dispose() {
      for (const a of active.values()) a.cancelEscalation?.();
    },
  };
};

const SEVERITIES: ReadonlySet<unknown> = new Set(['INFO', 'WARN', 'CRITICAL']);

/** Returns the well-formed alerts of a stored state (anything malformed is skipped: a bad store never stops alerting). */
export const persistedAlerts = (raw: unknown): PersistedAlert[] => {
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== 1) return [];
  const list = (raw as { alerts?: unknown }).alerts;
  if (!Array.isArray(list)) return [];
  return list.filter((a): a is PersistedAlert => {
    if (typeof a !== 'object' || a === null) return false;
    const p = a as Record<string, unknown>;
    return typeof p['key'] === 'string' && SEVERITIES.has(p['severity']) && typeof p['message'] === 'string' && typeof p['fields'] === 'object' && p['fields'] !== null
      && Number.isFinite(p['raisedAt']) && Number.isFinite(p['lastDeliveredAt']) && Number.isInteger(p['suppressed']) && typeof p['escalated'] === 'boolean';
  });
};

/** Returns a channel that writes each alert as one JSON-safe object through the injected sink (e.g. a pino logger). */
export const makeLogAlertChannel = (sink: (obj: Record<string, unknown>) => void): AlertChannel => ({
  name: 'log',
  deliver(record) {
    // Fields first so they can never overwrite the record's own keys.
    sink({
      ...record.fields,
      event: `alert_${record.kind}`,
      alert_key: record.key,
      severity: record.severity,
      message: record.message,
      escalated: record.escalated,
      suppressed: record.suppressed,
      ts: record.ts,
    });
  },
});
