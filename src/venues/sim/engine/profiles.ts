/**
 * Venue profiles of the simulator core: everything that makes the neutral engine behave like one venue's market —
 * fee defaults, limits, the account model, where a position's protection lives, the spelling of order reasons and
 * refusals, and how an instrument is built for a symbol (a small table plus a rule for unknown symbols from the first
 * price of their data). A façade brings its own profile (`sim/bybit/profile.ts`); the reference profiles here (spot,
 * cash equity, hedge-mode perpetual) serve engine tests and data replays until their façades exist. Pure; no I/O.
 */
import { Decimal } from '../../../domain/money.ts';
import type { Instrument, InstrumentKind, VenueId } from '../../../domain/Instrument.ts';
import { type TradingSession, US_EQUITY_SESSION, validSession } from './sessions.ts';
import type { SimCancelCause, SimOrderOrigin, SimOrderReason, SimPositionMode, SimRejectCode } from './types.ts';

/** How an account holds what it trades: margin and positions, asset balances, or cash and long holdings. */
export type SimAccountModelKind = 'linear_perp' | 'spot' | 'cash_equity';

/**
 * Where a venue keeps a position's TP/SL (DESIGN §5): attached to the position (Bybit trading-stop), as separate
 * conditional orders (Binance STOP_MARKET / TAKE_PROFIT_MARKET), or as OCO/bracket pairs (Alpaca, Coinbase). The
 * engine implements all three; `setTradingStop` is only open to `position` profiles.
 */
export type SimProtectionModel = 'position' | 'conditional_orders' | 'oco';

/** The API call a refusal answers, for venues whose code depends on it (Bybit: 110043 only on set-leverage). */
export type SimOperation = 'place' | 'amend' | 'cancel' | 'leverage' | 'trading_stop' | 'position_mode' | 'conditional';

/** How a venue spells the engine's neutral order reasons in `rejectReason`, `cancelType` and `stopOrderType`. */
export interface SimSpelling {
  readonly reason: Readonly<Record<SimOrderReason, string>>;
  readonly cancel: Readonly<Record<SimCancelCause, string>>;
  readonly origin: Readonly<Record<SimOrderOrigin, string>>;
}

/** Everything the engine takes from a venue profile. */
export interface SimVenueProfile {
  readonly id: string;
  readonly accountModel: SimAccountModelKind;
  /** Mode of a new account (linear perpetuals only; others ignore it). */
  readonly positionMode: SimPositionMode;
  readonly makerFeeRate: Decimal;
  readonly takerFeeRate: Decimal;
  readonly maxOpenOrdersPerSymbol: number;
  /** Leverage of a position that was never set (capped to the instrument's maximum). */
  readonly defaultLeverage: Decimal;
  /** Decimal places of settled fees and PnL. */
  readonly settleDecimals: number;
  readonly protection: SimProtectionModel;
  /** Bybit: quantity 0 with reduceOnly and closeOnTrigger closes the whole position. */
  readonly zeroQuantityClosesPosition: boolean;
  /** Market hours; undefined trades around the clock. */
  readonly session: TradingSession | undefined;
  readonly spelling: SimSpelling;
  /** Returns the venue's code for an engine refusal. */
  readonly rejectCode: (code: SimRejectCode, operation: SimOperation) => string | number;
  /** Symbols with a fixed specification, in listing order. */
  readonly symbols: ReadonlyArray<string>;
  /**
   * Returns the instrument for a symbol: from the table, else — given the first price of its data — derived by the
   * profile's rule for unknown symbols; undefined when the profile cannot list it.
   */
  readonly instrument: (symbol: string, firstPrice?: Decimal) => Instrument | undefined;
}

/** The neutral spelling: reasons and causes as the engine names them; user orders carry no stop type. */
export const NEUTRAL_SPELLING: SimSpelling = {
  reason: { none: '', post_only_would_take: 'post_only_would_take', no_immediate_fill: 'no_immediate_fill', fok_not_filled: 'fok_not_filled' },
  cancel: { unknown: '', user: 'user', reduce_only: 'reduce_only', one_cancels_other: 'one_cancels_other' },
  origin: { user: '', position_take_profit: 'position_take_profit', position_stop_loss: 'position_stop_loss', stop: 'stop', take_profit: 'take_profit', oco_take_profit: 'oco_take_profit' },
};

/** One symbol's rules in a profile's table; limits left out follow `instrumentFrom`'s defaults. */
export interface InstrumentSpec {
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: Decimal;
  readonly quantityStep: Decimal;
  readonly minQuantity?: Decimal | undefined;
  readonly maxQuantity?: Decimal | undefined;
  readonly maxMarketQuantity?: Decimal | undefined;
  readonly minNotional: Decimal;
  readonly maxLeverage: Decimal;
}

const TEN = new Decimal(10);

/**
 * Returns the power of ten that gives `digits` significant digits at `price` (5 by default): 7422 → 0.1,
 * 0.3068 → 0.00001, 167.74 → 0.01. The rule for the tick of a symbol no table lists.
 */
export const priceScaleTick = (price: Decimal, digits = 5): Decimal => {
  if (!price.isFinite() || price.lte(0)) throw new RangeError(`a price scale needs a positive price, got ${price.toString()}`);
  return TEN.pow(price.e - (digits - 1));
};

/** Returns the largest power of ten whose value at `price` is at most `notional`: 7422 and 1 → 0.0001; 0.3068 and 1 → 1. */
export const notionalStep = (price: Decimal, notional: Decimal): Decimal => TEN.pow(notional.dividedBy(price).e);

/**
 * Splits a symbol into base and quote asset: `BTC-USD` and `BTC/USD` at the separator, `BTCUSDT` by the first of the
 * known quote assets it ends with. Returns undefined when neither works.
 */
export const splitSymbol = (symbol: string, quotes: ReadonlyArray<string>): { readonly base: string; readonly quote: string } | undefined => {
  const parts = symbol.split(/[-/]/);
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return { base: parts[0] as string, quote: parts[1] as string };
  for (const quote of quotes) if (symbol.length > quote.length && symbol.endsWith(quote)) return { base: symbol.slice(0, -quote.length), quote };
  return undefined;
};

/**
 * Returns an instrument from a spec: min quantity one step, limit orders up to 10^8 steps and market orders up to
 * 10^7 steps unless the spec says otherwise, prices from one tick to 10^9 ticks, settled in the quote asset.
 */
export const instrumentFrom = (venue: VenueId, kind: InstrumentKind, symbol: string, spec: InstrumentSpec): Instrument => ({
  venue,
  symbol,
  kind,
  baseAsset: spec.baseAsset,
  quoteAsset: spec.quoteAsset,
  settleAsset: spec.quoteAsset,
  tickSize: spec.tickSize,
  quantityStep: spec.quantityStep,
  minQuantity: spec.minQuantity ?? spec.quantityStep,
  maxQuantity: spec.maxQuantity ?? spec.quantityStep.times(1e8),
  maxMarketQuantity: spec.maxMarketQuantity ?? spec.quantityStep.times(1e7),
  minNotional: spec.minNotional,
  minPrice: spec.tickSize,
  maxPrice: spec.tickSize.times(1e9),
  maxLeverage: spec.maxLeverage,
  status: 'trading',
});

const d = (s: string): Decimal => new Decimal(s);
const CRYPTO_QUOTES = ['USDT', 'USDC', 'BUSD', 'USD', 'EUR', 'BTC'];

/** Builds a profile's `instrument` from its table and the crypto rule for unknown symbols (5-digit tick, ~1-quote-unit step). */
const cryptoCatalogue =
  (venue: VenueId, kind: InstrumentKind, table: Readonly<Record<string, InstrumentSpec>>, unknown: { readonly minNotional: Decimal; readonly maxLeverage: Decimal; readonly quotes: ReadonlyArray<string> }) =>
  (symbol: string, firstPrice?: Decimal): Instrument | undefined => {
    const spec = table[symbol];
    if (spec !== undefined) return instrumentFrom(venue, kind, symbol, spec);
    const assets = splitSymbol(symbol, unknown.quotes);
    if (firstPrice === undefined || assets === undefined) return undefined;
    const tickSize = priceScaleTick(firstPrice);
    return instrumentFrom(venue, kind, symbol, { baseAsset: assets.base, quoteAsset: assets.quote, tickSize, quantityStep: notionalStep(firstPrice, new Decimal(1)), minNotional: unknown.minNotional, maxLeverage: unknown.maxLeverage });
  };

const SPOT_TABLE: Readonly<Record<string, InstrumentSpec>> = {
  // Coinbase Advanced Trade's increments for its USD books (cents, satoshi-sized base steps); size limits approximated.
  'BTC-USD': { baseAsset: 'BTC', quoteAsset: 'USD', tickSize: d('0.01'), quantityStep: d('0.00000001'), maxQuantity: d('1000'), maxMarketQuantity: d('1000'), minNotional: d('1'), maxLeverage: d('1') },
  'ETH-USD': { baseAsset: 'ETH', quoteAsset: 'USD', tickSize: d('0.01'), quantityStep: d('0.00000001'), maxQuantity: d('10000'), maxMarketQuantity: d('10000'), minNotional: d('1'), maxLeverage: d('1') },
};

/**
 * Reference spot profile (Coinbase Advanced Trade style): asset balances, no positions, leverage or reduce-only;
 * maker 0.40 % / taker 0.60 % (Coinbase's entry tier); OCO protection; neutral spelling and codes.
 */
export const SPOT_PROFILE: SimVenueProfile = {
  id: 'spot',
  accountModel: 'spot',
  positionMode: 'one_way',
  makerFeeRate: d('0.004'),
  takerFeeRate: d('0.006'),
  maxOpenOrdersPerSymbol: 500,
  defaultLeverage: d('1'),
  settleDecimals: 8,
  protection: 'oco',
  zeroQuantityClosesPosition: false,
  session: undefined,
  spelling: NEUTRAL_SPELLING,
  rejectCode: (code) => code,
  symbols: Object.keys(SPOT_TABLE),
  instrument: cryptoCatalogue('sim', 'spot', SPOT_TABLE, { minNotional: d('1'), maxLeverage: d('1'), quotes: CRYPTO_QUOTES }),
};

const HEDGE_TABLE: Readonly<Record<string, InstrumentSpec>> = {
  // Binance USDⓈ-M style filters: BTCUSDT has a 100 USDT minimum notional, most others 5.
  BTCUSDT: { baseAsset: 'BTC', quoteAsset: 'USDT', tickSize: d('0.10'), quantityStep: d('0.001'), maxQuantity: d('1000'), maxMarketQuantity: d('120'), minNotional: d('100'), maxLeverage: d('125') },
  ADAUSDT: { baseAsset: 'ADA', quoteAsset: 'USDT', tickSize: d('0.0001'), quantityStep: d('1'), maxQuantity: d('10000000'), maxMarketQuantity: d('1000000'), minNotional: d('5'), maxLeverage: d('75') },
};

/**
 * Reference hedge-mode linear-perpetual profile (Binance USDⓈ-M style): positions per (symbol, long/short) leg,
 * maker 0.02 % / taker 0.05 %, default leverage 20, protection as stand-alone conditional orders.
 */
export const HEDGE_PERP_PROFILE: SimVenueProfile = {
  id: 'hedge-perp',
  accountModel: 'linear_perp',
  positionMode: 'hedge',
  makerFeeRate: d('0.0002'),
  takerFeeRate: d('0.0005'),
  maxOpenOrdersPerSymbol: 200,
  defaultLeverage: d('20'),
  settleDecimals: 8,
  protection: 'conditional_orders',
  zeroQuantityClosesPosition: false,
  session: undefined,
  spelling: NEUTRAL_SPELLING,
  rejectCode: (code) => code,
  symbols: Object.keys(HEDGE_TABLE),
  instrument: cryptoCatalogue('sim', 'linear_perp', HEDGE_TABLE, { minNotional: d('5'), maxLeverage: d('20'), quotes: ['USDT', 'USDC'] }),
};

/** Options of `cashEquityProfile`. */
export interface CashEquityOptions {
  /** Fractional shares (a step of 10^-9 shares, as Alpaca allows); whole shares otherwise. */
  readonly fractional?: boolean | undefined;
  readonly session?: TradingSession | undefined;
}

/**
 * Returns a reference cash-equity profile (Alpaca style): a cash account in USD, long only, no fees, US market hours
 * (09:30–16:00 America/New_York, Monday–Friday) unless given, OCO protection. Any symbol is listed once its data
 * gives a first price: a one-cent tick from $1 up and 0.0001 below (SEC rule 612), whole or fractional shares, up to
 * 10 million shares an order.
 */
export const cashEquityProfile = (options: CashEquityOptions = {}): SimVenueProfile => {
  const quantityStep = options.fractional === true ? d('0.000000001') : d('1');
  return {
    id: options.fractional === true ? 'cash-equity-fractional' : 'cash-equity',
    accountModel: 'cash_equity',
    positionMode: 'one_way',
    makerFeeRate: d('0'),
    takerFeeRate: d('0'),
    maxOpenOrdersPerSymbol: 500,
    defaultLeverage: d('1'),
    settleDecimals: 8,
    protection: 'oco',
    zeroQuantityClosesPosition: false,
    session: validSession(options.session ?? US_EQUITY_SESSION),
    spelling: NEUTRAL_SPELLING,
    rejectCode: (code) => code,
    symbols: [],
    instrument: (symbol, firstPrice) => {
      if (firstPrice === undefined || !/^[A-Z][A-Z0-9.]{0,9}$/.test(symbol)) return undefined;
      const tickSize = firstPrice.gte(1) ? d('0.01') : d('0.0001');
      return instrumentFrom('sim', 'equity', symbol, { baseAsset: symbol, quoteAsset: 'USD', tickSize, quantityStep, maxQuantity: d('10000000'), maxMarketQuantity: d('10000000'), minNotional: d('0'), maxLeverage: d('1') });
    },
  };
};

/** The whole-share reference cash-equity profile. */
export const CASH_EQUITY_PROFILE: SimVenueProfile = cashEquityProfile();
