/**
 * The notification policy (X-NTF-4, C-18): which events go to which channels. `notifications.policy: null` takes the
 * profile's defaults — lifecycle events to Telegram and CRITICAL alerts to every enabled channel, an escalated alert
 * also to e-mail; S2 (US stocks) sends no lifecycle messages (its critical errors go by e-mail or relay, S2-15), S4
 * only compact signals (ORDER_PLACED, POSITION_CLOSED, ERROR). Pure.
 */
import type { AppConfig } from '../config/schema.ts';
import type { ChannelName, LifecycleEvent, NotificationPolicy } from '../config/notificationsSection.ts';

const ALL_LIFECYCLE: ReadonlyArray<LifecycleEvent> = ['ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'POSITION_CLOSED', 'ERROR'];

const standard: NotificationPolicy = {
  lifecycle: { events: ALL_LIFECYCLE, channels: ['telegram'] },
  alerts: { critical: ['all'], warn: [], info: [] },
  escalation: { addChannels: ['email'] },
};

/** Each profile's default policy. */
export const PROFILE_POLICIES: Readonly<Record<AppConfig['profile'], NotificationPolicy>> = {
  demo: standard,
  's0-bybit-signal': standard,
  's1-explorer': standard,
  's2-us-stock': { ...standard, lifecycle: { events: [], channels: [] } },
  's3-coinbase': standard,
  's4-binance': { ...standard, lifecycle: { events: ['ORDER_PLACED', 'POSITION_CLOSED', 'ERROR'], channels: ['telegram'] } },
};

/** Returns the policy in force: the config's, or its profile's defaults. */
export const policyOf = (config: Pick<AppConfig, 'profile' | 'notifications'>): NotificationPolicy => config.notifications.policy ?? PROFILE_POLICIES[config.profile];

/** Returns the channels of a policy list that are enabled (`all`: every enabled one), in the enabled order. */
export const resolveChannels = (list: ReadonlyArray<ChannelName | 'all'>, enabled: ReadonlyArray<string>): string[] =>
  list.includes('all') ? [...enabled] : enabled.filter((c) => (list as ReadonlyArray<string>).includes(c));

/** Returns the names of the channels the config enables. */
export const enabledChannels = (config: Pick<AppConfig, 'notifications'>): ChannelName[] => {
  const n = config.notifications;
  return (['telegram', 'webhook', 'email', 'log'] as const).filter((c) => n[c].enabled);
};
