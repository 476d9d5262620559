/**
 * The AlertRouter's records as notifications: an `AlertChannel` that renders each raise, escalation and resolution
 * with the ALERT template and hands it to the outbox for the channels the policy names for its severity — plus the
 * escalation's channels once escalated (X-NTF-3: e-mail after 2 min unresolved) — and a resolution to wherever its
 * alert went. Never throws into the router.
 */
import { Either } from 'effect';
import type { AlertChannel, AlertRecord } from '../alerts/AlertRouter.ts';
import type { NotificationPolicy } from '../config/notificationsSection.ts';
import { resolveChannels } from './policy.ts';
import { renderAlert } from './templates/alert.ts';
import type { NotificationMessage } from './types.ts';

/** Returns the alert channel feeding `enqueue` (the home account's outbox). */
export const notifyAlertChannel = (opts: {
  readonly policy: NotificationPolicy;
  readonly enabled: ReadonlyArray<string>;
  readonly enqueue: (message: NotificationMessage, channels: ReadonlyArray<string>) => void;
}): AlertChannel => {
  const { policy, enabled } = opts;
  // Where each open alert went, so its escalation adds to it and its resolution follows it.
  const sentTo = new Map<string, ReadonlyArray<string>>();
  const bySeverity = (r: AlertRecord): ReadonlyArray<string> =>
    resolveChannels(r.severity === 'CRITICAL' ? policy.alerts.critical : r.severity === 'WARN' ? policy.alerts.warn : policy.alerts.info, enabled);
  return {
    name: 'notify',
    deliver(record) {
      let channels: ReadonlyArray<string>;
      if (record.kind === 'resolved') {
        channels = sentTo.get(record.key) ?? bySeverity(record);
        sentTo.delete(record.key);
      } else {
        const escalation = record.escalated ? resolveChannels(policy.escalation.addChannels, enabled) : [];
        channels = [...new Set([...(sentTo.get(record.key) ?? []), ...bySeverity(record), ...escalation])];
        sentTo.set(record.key, channels);
      }
      if (channels.length === 0) return;
      const rendered = renderAlert(record);
      if (Either.isLeft(rendered)) return;
      opts.enqueue(
        { key: `alert:${record.key}:${record.kind}:${String(record.ts)}`, template: 'ALERT', text: rendered.right.text, critical: record.severity === 'CRITICAL', fields: { ...record.fields, alertKey: record.key, severity: record.severity, kind: record.kind } },
        channels,
      );
    },
  };
};
