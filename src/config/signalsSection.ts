/**
 * The `signals` section (S0-2, S0-3): where trading signals come from and how a follower acts on them. Sources are
 * named (the channel name templates show); `required` is the governance list — every name in it must be configured,
 * else the follower acts on nothing (`governance_incomplete`); null takes the profile's (S0: CRYPTORAKETEN, LUX_LEAK,
 * SMART_CRYPTO). Pure schema; no I/O.
 */
import { Schema } from 'effect';
import { boundedInt, DAY_MS, fractionIn, millisIn, withDefault } from '../domain/schemas.ts';

const def = withDefault;

const SourceName = Schema.String.pipe(Schema.pattern(/^[A-Z][A-Z0-9_]{0,31}$/, { message: () => 'Expected a source name of upper-case letters, digits and _ (CRYPTORAKETEN)' }));

/** The stale-entry presets (S0-17): how long a signal's entry may rest unfilled before it is cancelled at the venue. */
export const STALE_ENTRY_PRESET_MS = { '24h': DAY_MS, '6d': 6 * DAY_MS } as const;
/** One stale-entry preset. */
export const StaleEntryPreset = Schema.Literal('24h', '6d');
export type StaleEntryPreset = typeof StaleEntryPreset.Type;

/** The stale-entry preset of each mode S0 follows (S0-17). */
export const StaleEntrySection = Schema.Struct({
  SWING: def(StaleEntryPreset, () => '6d' as const),
  DYNAMIC: def(StaleEntryPreset, () => '24h' as const),
  FIXED: def(StaleEntryPreset, () => '24h' as const),
});
export type StaleEntrySection = typeof StaleEntrySection.Type;

/**
 * Re-entry of a followed signal stopped out before any take profit (S0-14): try n goes out baseDelayMs × 2^(n−1) after
 * the stop-out or the previous try's end, rests at most tryTtlMs, and after maxTries unfilled tries the symbol is
 * paused until a new signal for it is accepted.
 */
export const ReEntrySection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  maxTries: def(boundedInt({ min: 1, max: 10 }), () => 3),
  baseDelayMs: def(millisIn(1_000, DAY_MS), () => 60_000),
  tryTtlMs: def(millisIn(1_000, DAY_MS), () => 900_000),
});
export type ReEntrySection = typeof ReEntrySection.Type;

/**
 * Dual entries (S0-7): each accepted signal enters with two post-only limits sharing its quantity 50/50, at the
 * signal's two entry prices, or at its one price and `secondOffsetFraction` from it on the passive side; a price that
 * would take liquidity joins the maker side `makerJoinTicks` from the taker level. Off: one limit at the market.
 */
export const DualEntrySection = Schema.Struct({
  enabled: def(Schema.Boolean, () => true),
  secondOffsetFraction: def(fractionIn({ min: 0, max: 0.05, minExclusive: true }), () => 0.001),
  makerJoinTicks: def(boundedInt({ min: 1, max: 10 }), () => 1),
});
export type DualEntrySection = typeof DualEntrySection.Type;

const SymbolName = Schema.String.pipe(Schema.pattern(/^[A-Z0-9]{2,30}$/, { message: () => 'Expected a venue symbol of upper-case letters and digits (BTCUSDT)' }));

/** One signal source. */
export const SignalSource = Schema.Struct({
  name: SourceName,
  /** telegram: posts of a channel the bot reads; webhook: POST /signals/<name>; replay: lines of the replay file. */
  via: Schema.Literal('telegram', 'webhook', 'replay'),
  /** The Telegram channel's numeric id (via telegram). */
  chatId: Schema.optional(Schema.String.pipe(Schema.pattern(/^-?\d{1,20}$/))),
});
export type SignalSource = typeof SignalSource.Type;

/** The `signals` section. */
export const SignalsSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  sources: def(Schema.Array(SignalSource).pipe(Schema.maxItems(20)), () => []),
  /** Source names that must be configured (governance, S0-2); null: the profile's. */
  required: def(Schema.NullOr(Schema.Array(SourceName).pipe(Schema.maxItems(20))), () => null),
  /** A JSON-lines file of `{ "at": ISO time, "source": NAME, "id"?: text, "text": message }` fed on the session clock (paper runs, backtests). */
  replayFile: def(Schema.String.pipe(Schema.maxLength(1024)), () => ''),
  /** The share of equity one signal's entry risks as notional (the RiskEngine sizes and caps it). */
  notionalFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.02),
  /** A message older than this when it is read (a restart after an outage) is not acted on. */
  maxAgeMs: def(millisIn(1_000, DAY_MS), () => 300_000),
  /** `POST /signals/<name>` requests per minute, source and client address; more get 429. */
  webhookPerMinute: def(boundedInt({ min: 1, max: 6_000 }), () => 60),
  /** A webhook request whose signed timestamp is further than this from the server's clock is refused (replay protection). */
  webhookToleranceMs: def(millisIn(1_000, 600_000), () => 300_000),
  /** How often the symbol registry lists the venue's USDT perpetuals again (S0-15). */
  symbolRefreshMs: def(millisIn(60_000, DAY_MS), () => 900_000),
  /** Venue symbols no signal is acted on, whatever the venue lists (S0-15). */
  blacklist: def(Schema.Array(SymbolName).pipe(Schema.maxItems(1_000)), () => []),
  /** How long each mode's entry may rest unfilled before it is cancelled (S0-17): 24h or 6d. */
  staleEntry: def(StaleEntrySection, () => ({ SWING: '6d' as const, DYNAMIC: '24h' as const, FIXED: '24h' as const })),
  /** Two post-only entries per signal (S0-7). */
  dualEntry: def(DualEntrySection, () => ({ enabled: true, secondOffsetFraction: 0.001, makerJoinTicks: 1 })),
  /** Re-entries of a signal stopped out before any take profit (S0-14); off unless the profile turns them on. */
  reentry: def(ReEntrySection, () => ({ enabled: false, maxTries: 3, baseDelayMs: 60_000, tryTtlMs: 900_000 })),
}).pipe(
  Schema.filter((s) => {
    const seen = new Set<string>();
    for (const src of s.sources) {
      if (seen.has(src.name)) return `signal source ${src.name} is configured twice`;
      seen.add(src.name);
      if (src.via === 'telegram' && src.chatId === undefined) return `signal source ${src.name} reads Telegram and needs its channel's chatId`;
    }
    return true;
  }),
);
export type SignalsSection = typeof SignalsSection.Type;

/** S0's permanent sources (S0-2). */
export const S0_REQUIRED_SOURCES: ReadonlyArray<string> = ['CRYPTORAKETEN', 'LUX_LEAK', 'SMART_CRYPTO'];

/** Returns the governance list a config runs under. */
export const requiredSourcesOf = (config: { readonly profile: string; readonly signals: SignalsSection }): ReadonlyArray<string> =>
  config.signals.required ?? (config.profile === 's0-bybit-signal' ? S0_REQUIRED_SOURCES : []);
