/**
 * The state every part of the simulator core shares: the clock and the replayed instant, ids, the profile and its
 * resolved settings, the symbols (instrument, book, replayed prices, publication counters), the accounts, and the
 * event fan-out. Holds state and publishes; decides nothing. Reads time only from the injected clock.
 */
import type { Clock } from '../../../kernel/Clock.ts';
import { type Decimal, ZERO } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { TriggerSource } from '../../../domain/orders.ts';
import { AccountState, type OrderState, orderView } from './accounts/ledger.ts';
import { OrderBook } from './book.ts';
import { SimIds } from './ids.ts';
import type { SimVenueProfile } from './profiles.ts';
import type { SimEvent, SimOrder } from './types.ts';

/** One symbol's market as the engine keeps it. */
export interface SymbolState {
  instrument: Instrument;
  readonly book: OrderBook<OrderState>;
  last: Decimal | undefined;
  mark: Decimal | undefined;
  index: Decimal | undefined;
  volume: Decimal;
  turnover: Decimal;
  updateId: number;
  bookSeq: number;
  bookTs: number;
  /** Timestamp of the last replayed tick of this symbol (0 before the first). */
  lastTickTs: number;
  snapshotSent: boolean;
}

/** The profile's settings after the engine options' overrides. */
export interface EngineSettings {
  readonly makerFeeRate: Decimal;
  readonly takerFeeRate: Decimal;
  readonly maxOpenOrdersPerSymbol: number;
  readonly defaultLeverage: Decimal;
  readonly settleDecimals: number;
}

/** Returns the profile's settings with the engine options' overrides. */
export const settingsOf = (
  profile: SimVenueProfile,
  overrides: { readonly makerFeeRate?: Decimal | undefined; readonly takerFeeRate?: Decimal | undefined; readonly maxOpenOrdersPerSymbol?: number | undefined; readonly defaultLeverage?: Decimal | undefined },
): EngineSettings => ({
  makerFeeRate: overrides.makerFeeRate ?? profile.makerFeeRate,
  takerFeeRate: overrides.takerFeeRate ?? profile.takerFeeRate,
  maxOpenOrdersPerSymbol: overrides.maxOpenOrdersPerSymbol ?? profile.maxOpenOrdersPerSymbol,
  defaultLeverage: overrides.defaultLeverage ?? profile.defaultLeverage,
  settleDecimals: profile.settleDecimals,
});

/** Returns the price a trigger source watches, if the replay has set it. */
export const triggerPrice = (sym: SymbolState, source: TriggerSource): Decimal | undefined => (source === 'mark' ? sym.mark : source === 'index' ? sym.index : sym.last);

/** Returns the mark price of a symbol (the last price before the first mark, else the fallback). */
export const markOf = (sym: SymbolState, fallback: Decimal): Decimal => sym.mark ?? sym.last ?? fallback;

/** The shared state of one engine. */
export class EngineContext {
  readonly clock: Clock;
  readonly ids: SimIds;
  readonly profile: SimVenueProfile;
  readonly settings: EngineSettings;
  readonly symbols = new Map<string, SymbolState>();
  /** Accounts in creation order (TP/SL triggers visit them in this order). */
  readonly accounts = new Map<string, AccountState>();
  /** The timestamp of the tick being processed; API calls use the clock instead. */
  tickTs: number | undefined = undefined;
  private crossSeq = 0;
  private listeners: Array<(event: SimEvent) => void> = [];
  private readonly onListenerError: (error: unknown, event: SimEvent) => void;

  constructor(opts: {
    readonly clock: Clock;
    readonly seed: number;
    readonly profile: SimVenueProfile;
    readonly settings: EngineSettings;
    readonly instruments: ReadonlyArray<Instrument>;
    /** Default: re-thrown from a microtask, so it surfaces after the state change completed. */
    readonly onListenerError: ((error: unknown, event: SimEvent) => void) | undefined;
  }) {
    this.clock = opts.clock;
    this.ids = new SimIds(opts.seed);
    this.profile = opts.profile;
    this.settings = opts.settings;
    this.onListenerError =
      opts.onListenerError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        }));
    for (const instrument of opts.instruments) {
      this.symbols.set(instrument.symbol, {
        instrument,
        book: new OrderBook(instrument.symbol),
        last: undefined,
        mark: undefined,
        index: undefined,
        volume: ZERO,
        turnover: ZERO,
        updateId: 0,
        bookSeq: 0,
        bookTs: 0,
        lastTickTs: 0,
        snapshotSent: false,
      });
    }
  }

  /** Returns the engine clock's now. */
  now(): number {
    return this.clock.now();
  }

  /** Returns the time to stamp a change with: the replayed tick's, else the clock's. */
  ts(): number {
    return this.tickTs ?? this.clock.now();
  }

  /** Returns the next cross-symbol book sequence number. */
  nextBookSeq(): number {
    return ++this.crossSeq;
  }

  /** Registers a listener; returns an unsubscribe function. */
  subscribe(listener: (event: SimEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Delivers an event to every listener; a listener's error never interrupts the caller's state change. */
  emit(event: SimEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  /** Returns the account, creating it (in the profile's position mode) when absent. */
  account(id: string): AccountState {
    let a = this.accounts.get(id);
    if (a === undefined) {
      a = new AccountState(id, this.profile.positionMode);
      this.accounts.set(id, a);
    }
    return a;
  }

  /** Returns the public view of an order in the profile's spelling. */
  view(o: OrderState): SimOrder {
    return orderView(o, this.profile.spelling);
  }
}
