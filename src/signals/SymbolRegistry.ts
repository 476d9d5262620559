/**
 * The S0 symbol registry (S0-15): the venue's USDT-settled linear perpetuals, listed again every `refreshMs` on the
 * injected scheduler, so a new listing becomes tradable and a delisted one is refused without a restart. A symbol is
 * tradable only when the latest listing has it as a trading USDT perpetual with full metadata (a positive tick, step,
 * minimum and maximum quantity) and it is not on the blacklist; every other symbol is refused with a typed reason. A
 * failed listing keeps the previous one (reported through `onRefresh`). Performs I/O only through the venue port.
 */
import { Cause, Effect, Exit } from 'effect';
import { ZERO, gtDec, type Decimal } from '../domain/money.ts';
import type { Instrument, InstrumentKind } from '../domain/Instrument.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import type { Venue } from '../venues/Venue.ts';
import { TRADED_QUOTE } from './symbols.ts';

/** The instrument fields a symbol must have (positive) to be traded. */
export const REQUIRED_METADATA = ['tickSize', 'quantityStep', 'minQuantity', 'maxQuantity'] as const;
export type MetadataField = (typeof REQUIRED_METADATA)[number];

/** Why the registry refuses a symbol. */
export type SymbolRefusalReason =
  /** No listing has succeeded yet. */
  | { readonly kind: 'not_loaded' }
  /** The venue's latest listing does not have the symbol. */
  | { readonly kind: 'not_listed' }
  /** Listed, but not a linear perpetual quoted and settled in USDT. */
  | { readonly kind: 'not_usdt_perpetual'; readonly instrumentKind: InstrumentKind; readonly quoteAsset: string; readonly settleAsset: string }
  /** Listed, but the venue takes no orders for it (pre-launch, settling, delivering, unknown). */
  | { readonly kind: 'not_trading'; readonly status: Instrument['status'] }
  | { readonly kind: 'blacklisted' }
  /** Listed without a usable tick, step, minimum or maximum quantity. */
  | { readonly kind: 'incomplete_metadata'; readonly missing: ReadonlyArray<MetadataField> };

/** A symbol's verdict: its instrument, or why it is refused. */
export type SymbolLookup =
  | { readonly ok: true; readonly instrument: Instrument }
  | { readonly ok: false; readonly symbol: string; readonly reason: SymbolRefusalReason; readonly message: string };

/** What one listing did. */
export type RegistryRefresh =
  | { readonly ok: true; readonly at: number; readonly tradable: number; readonly added: ReadonlyArray<string>; readonly removed: ReadonlyArray<string> }
  /** The listing failed (a venue error, or a defect of the adapter); the previous listing stays in force. */
  | { readonly ok: false; readonly at: number; readonly message: string; readonly error: unknown };

/** Options of `SymbolRegistry`. */
export interface SymbolRegistryOptions {
  readonly venue: Pick<Venue, 'instruments'>;
  readonly scheduler: Scheduler;
  /** Time between the end of one listing and the start of the next (config `signals.symbolRefreshMs`). */
  readonly refreshMs: number;
  /** Symbols refused whatever the venue lists (config `signals.blacklist`). */
  readonly blacklist?: ReadonlyArray<string> | undefined;
  /** Called after every listing, successful or not; what it throws is ignored (it is the caller's log line). */
  readonly onRefresh?: ((refresh: RegistryRefresh) => void) | undefined;
}

const usable = (v: Decimal | undefined): boolean => v !== undefined && v.isFinite() && gtDec(v, ZERO);

/** Returns the required fields the instrument lacks (not a positive finite Decimal). */
export const missingMetadata = (i: Instrument): ReadonlyArray<MetadataField> => REQUIRED_METADATA.filter((f) => !usable(i[f]));

/** Returns the verdict on one listed instrument, the blacklist aside. */
const judge = (i: Instrument): SymbolRefusalReason | undefined => {
  if (i.kind !== 'linear_perp' || i.quoteAsset !== TRADED_QUOTE || i.settleAsset !== TRADED_QUOTE) {
    return { kind: 'not_usdt_perpetual', instrumentKind: i.kind, quoteAsset: i.quoteAsset, settleAsset: i.settleAsset };
  }
  if (i.status !== 'trading') return { kind: 'not_trading', status: i.status };
  const missing = missingMetadata(i);
  return missing.length > 0 ? { kind: 'incomplete_metadata', missing } : undefined;
};

/** Returns the operator-facing sentence of a refusal. */
export const describeSymbolRefusal = (symbol: string, r: SymbolRefusalReason): string => {
  switch (r.kind) {
    case 'not_loaded':
      return `${symbol}: the venue's instruments have not been listed yet`;
    case 'not_listed':
      return `${symbol} is not listed by the venue`;
    case 'not_usdt_perpetual':
      return `${symbol} is not a USDT perpetual (${r.instrumentKind}, quote ${r.quoteAsset}, settled in ${r.settleAsset})`;
    case 'not_trading':
      return `${symbol} is not trading at the venue (status ${r.status})`;
    case 'blacklisted':
      return `${symbol} is blacklisted`;
    case 'incomplete_metadata':
      return `${symbol} lacks instrument metadata: ${r.missing.join(', ')}`;
  }
};

/** The venue's tradable USDT perpetuals, kept current on the scheduler. */
export class SymbolRegistry {
  private readonly blacklist: ReadonlySet<string>;
  /** The latest successful listing, by symbol; undefined before the first. */
  private listed: ReadonlyMap<string, Instrument> | undefined;
  private inFlight: Promise<RegistryRefresh> | undefined;
  private cancelTimer: (() => void) | undefined;
  private running = false;
  private readonly opts: SymbolRegistryOptions;

  constructor(opts: SymbolRegistryOptions) {
    this.opts = opts;
    if (!Number.isSafeInteger(opts.refreshMs) || opts.refreshMs <= 0) throw new RangeError(`refreshMs must be a positive integer, got ${String(opts.refreshMs)}`);
    this.blacklist = new Set((opts.blacklist ?? []).map((s) => s.toUpperCase()));
  }

  /** Lists the venue's instruments now (joining a listing already under way) and returns what changed. */
  refresh(): Promise<RegistryRefresh> {
    this.inFlight ??= Effect.runPromiseExit(this.opts.venue.instruments())
      .then((r) => this.apply(r))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Lists now and then every `refreshMs` after each listing ends, until `stop()`. Returns the first listing's outcome. */
  start(): Promise<RegistryRefresh> {
    this.running = true;
    return this.tick();
  }

  /** Stops the periodic listing; the last listing stays in force. */
  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Resolves when no listing is under way (tests and shutdown wait on it instead of sleeping). */
  async settled(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  /** Returns the symbol's instrument when it may be traded, else why not. */
  lookup(symbol: string): SymbolLookup {
    const s = symbol.toUpperCase();
    const refuse = (reason: SymbolRefusalReason): SymbolLookup => ({ ok: false, symbol: s, reason, message: describeSymbolRefusal(s, reason) });
    if (this.blacklist.has(s)) return refuse({ kind: 'blacklisted' });
    if (this.listed === undefined) return refuse({ kind: 'not_loaded' });
    const instrument = this.listed.get(s);
    if (instrument === undefined) return refuse({ kind: 'not_listed' });
    const reason = judge(instrument);
    return reason === undefined ? { ok: true, instrument } : refuse(reason);
  }

  /** Returns the instrument of a tradable symbol, undefined otherwise (the signal parser's `ParseContext.instrument`). */
  instrument(symbol: string): Instrument | undefined {
    const r = this.lookup(symbol);
    return r.ok ? r.instrument : undefined;
  }

  /** Returns the tradable symbols, sorted. */
  symbols(): ReadonlyArray<string> {
    return this.tradableOf(this.listed);
  }

  private tradableOf(listed: ReadonlyMap<string, Instrument> | undefined): string[] {
    if (listed === undefined) return [];
    return [...listed.values()].filter((i) => !this.blacklist.has(i.symbol) && judge(i) === undefined).map((i) => i.symbol).sort();
  }

  private apply(r: Exit.Exit<ReadonlyArray<Instrument>, unknown>): RegistryRefresh {
    const at = this.opts.scheduler.clock.now();
    let out: RegistryRefresh;
    if (Exit.isFailure(r)) {
      const e = Cause.squash(r.cause);
      out = { ok: false, at, message: e instanceof Error ? e.message : String(e), error: e };
    } else {
      const before = new Set(this.tradableOf(this.listed));
      const next = new Map(r.value.map((i) => [i.symbol.toUpperCase(), i] as const));
      const after = this.tradableOf(next);
      this.listed = next;
      const afterSet = new Set(after);
      out = { ok: true, at, tradable: after.length, added: after.filter((s) => !before.has(s)), removed: [...before].filter((s) => !afterSet.has(s)).sort() };
    }
    try {
      this.opts.onRefresh?.(out);
    } catch {
      // The listener's failure is not the registry's: the listing stands and the next one is still scheduled.
    }
    return out;
  }

  private tick(): Promise<RegistryRefresh> {
    return this.refresh().then((r) => {
      if (this.running) {
        this.cancelTimer?.();
        this.cancelTimer = this.opts.scheduler.schedule(this.opts.scheduler.clock.now() + this.opts.refreshMs, () => {
          this.cancelTimer = undefined;
          void this.tick();
        });
      }
      return r;
    });
  }
}
