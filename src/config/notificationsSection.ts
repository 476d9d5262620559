/**
 * The `notifications` section of a config file (X-NTF-1…5, S0-18): the channels (Telegram Bot API, a JSON webhook,
 * e-mail over SMTP, the log), all off by default; the outbox's bound, timeout and retry policy; and the notification
 * policy (which events go to which channels; `policy: null` takes the profile's defaults, src/notify/policy.ts).
 * Tokens and passwords never live here: TW_TELEGRAM_BOT_TOKEN, TW_WEBHOOK_TOKEN, TW_SMTP_PASSWORD. Pure schema.
 */
import { Schema } from 'effect';
import { boundedInt, millisIn, withDefault } from '../domain/schemas.ts';

const def = withDefault;

/** The channel names a policy may use; `all` means every enabled channel. */
export const ChannelName = Schema.Literal('telegram', 'webhook', 'email', 'log');
export type ChannelName = typeof ChannelName.Type;
const PolicyChannel = Schema.Literal('telegram', 'webhook', 'email', 'log', 'all');

/** The lifecycle templates the journal feeds (src/notify/templates); STOP_MOVED (a confirmed stop move), PYRAMID_STEP (a ladder step, S0-9) and HEDGE (a hedge leg, S0-12) only where a policy lists them. */
export const LifecycleEvent = Schema.Literal('ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'STOP_MOVED', 'PYRAMID_STEP', 'HEDGE', 'POSITION_CLOSED', 'ERROR');
export type LifecycleEvent = typeof LifecycleEvent.Type;

const HttpUrl = Schema.String.pipe(
  Schema.maxLength(2048),
  Schema.filter((s) => s === '' || /^https?:\/\/[^\s/@]+(\/[^\s]*)?$/.test(s) || 'Expected an http(s) URL without user:password (a token belongs in the environment)'),
);

/** A Telegram chat: a numeric id (negative for groups and channels) or `@channelusername`. */
const ChatIdText = Schema.String.pipe(Schema.pattern(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, { message: () => 'Expected a Telegram chat id (digits, negative for groups) or @channelusername' }));
const Address = Schema.String.pipe(Schema.pattern(/^[^\s@<>]+@[^\s@<>]+$/, { message: () => 'Expected an e-mail address' }));
const Channels = Schema.Array(PolicyChannel).pipe(Schema.maxItems(5));

export const TelegramSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  apiBaseUrl: def(HttpUrl.pipe(Schema.minLength(1)), () => 'https://api.telegram.org'),
  /** Where messages go. */
  chatIds: def(Schema.Array(ChatIdText).pipe(Schema.maxItems(10)), () => []),
  /** The only chats whose commands are obeyed (others get nothing and are logged). */
  allowedChatIds: def(Schema.Array(ChatIdText).pipe(Schema.maxItems(50)), () => []),
  /**
   * How often the bot API is probed (`getMe`, wall ms) for the `telegram` dependency (S0-20): two failed probes in a
   * row mark it down, one answer up again; it gates trading only when `risk.dependencies.gating` lists `telegram`.
   */
  probeEveryMs: def(millisIn(1_000, 3_600_000), () => 30_000),
});

export const WebhookSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  url: def(HttpUrl, () => ''),
});

export const EmailSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  host: def(Schema.String.pipe(Schema.maxLength(255)), () => ''),
  port: def(boundedInt({ min: 1, max: 65_535 }), () => 587),
  /** implicit: TLS from the first byte (port 465); require: STARTTLS or refuse; opportunistic: STARTTLS when offered. */
  tls: def(Schema.Literal('implicit', 'require', 'opportunistic'), () => 'require' as const),
  /** SMTP login (the password is TW_SMTP_PASSWORD); empty: no login. */
  user: def(Schema.String.pipe(Schema.maxLength(255)), () => ''),
  from: def(Schema.Union(Schema.Literal(''), Address), () => ''),
  to: def(Schema.Array(Address).pipe(Schema.maxItems(20)), () => []),
});

export const LogChannelSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
});

/** Which events go to which channels. */
export const NotificationPolicy = Schema.Struct({
  lifecycle: def(Schema.Struct({
    events: def(Schema.Array(LifecycleEvent).pipe(Schema.maxItems(9)), () => ['ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'POSITION_CLOSED', 'ERROR'] as const),
    channels: def(Channels, () => ['telegram'] as const),
  }), () => ({ events: ['ORDER_PLACED', 'POSITION_OPENED', 'TP_HIT', 'SL_HIT', 'POSITION_CLOSED', 'ERROR'] as const, channels: ['telegram'] as const })),
  alerts: def(Schema.Struct({
    critical: def(Channels, () => ['all'] as const),
    warn: def(Channels, () => []),
    info: def(Channels, () => []),
  }), () => ({ critical: ['all'] as const, warn: [], info: [] })),
  /** Channels added to an alert once the router escalates it (unresolved for 2 min, X-NTF-3). */
  escalation: def(Schema.Struct({ addChannels: def(Channels, () => ['email'] as const) }), () => ({ addChannels: ['email'] as const })),
});
export type NotificationPolicy = typeof NotificationPolicy.Type;

/** The `notifications` section. */
export const NotificationsSection = Schema.Struct({
  /** Messages waiting per account; beyond it the oldest non-critical one is dropped (counted, logged). */
  outboxMax: def(boundedInt({ min: 1, max: 100_000 }), () => 1_000),
  /** One delivery attempt longer than this counts as failed (the channel's answer is no longer awaited). */
  deliveryTimeoutMs: def(millisIn(100, 300_000), () => 10_000),
  retryBaseMs: def(millisIn(1, 600_000), () => 1_000),
  retryCapMs: def(millisIn(1, 3_600_000), () => 60_000),
  /** Attempts per message and channel before it is given up (journaled NOTIFY_DROPPED). */
  retryMaxAttempts: def(boundedInt({ min: 1, max: 10_000 }), () => 50),
  /** How often committed journal entries are read back for lifecycle messages (wall ms). */
  pumpEveryMs: def(millisIn(20, 60_000), () => 250),
  telegram: def(TelegramSection, () => Schema.decodeUnknownSync(TelegramSection)({})),
  webhook: def(WebhookSection, () => Schema.decodeUnknownSync(WebhookSection)({})),
  email: def(EmailSection, () => Schema.decodeUnknownSync(EmailSection)({})),
  log: def(LogChannelSection, () => Schema.decodeUnknownSync(LogChannelSection)({})),
  /** null: the profile's defaults (docs/operations.md "Notifications"). */
  policy: def(Schema.NullOr(NotificationPolicy), () => null),
}).pipe(
  Schema.filter((n) => {
    if (n.retryBaseMs > n.retryCapMs) return `retryBaseMs (${String(n.retryBaseMs)}) must be <= retryCapMs (${String(n.retryCapMs)})`;
    if (n.telegram.enabled && n.telegram.chatIds.length === 0) return 'telegram.enabled needs at least one telegram.chatIds entry';
    if (n.webhook.enabled && n.webhook.url === '') return 'webhook.enabled needs webhook.url';
    if (n.email.enabled && (n.email.host === '' || n.email.from === '' || n.email.to.length === 0)) return 'email.enabled needs email.host, email.from and at least one email.to';
    return true;
  }),
);
export type NotificationsSection = typeof NotificationsSection.Type;
