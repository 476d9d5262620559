/**
 * The `backtest` section of a config file (X-BT-1): the OHLCV files to replay and their time zone and timeframe, the
 * instruments a data file's symbol trades as when no venue profile lists it (tick, step, minimums), the simulated
 * venue's fees, the fill model and order latency, the date range, the themes exposure is summed by, and the report's
 * regime slicing. Pure schema; no I/O.
 */
import { Schema } from 'effect';
import { boundedDecimal, boundedInt, boundedNumber, fractionIn, millisIn, withDefault } from '../domain/schemas.ts';

const def = withDefault;

const Symbol_ = Schema.String.pipe(Schema.pattern(/^[A-Z0-9][A-Z0-9._/-]{0,30}$/, { message: () => 'Expected a symbol like SPY, BTCUSDT or BTC-USD' }));
const Timeframe = Schema.Literal('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '1d');
const DateText = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/, { message: () => 'Expected a date like 2010-01-04 or 2010-01-04T09:30:00Z' }));
const TimeZone = Schema.String.pipe(Schema.filter((z) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: z });
    return true;
  } catch {
    return `unknown time zone ${JSON.stringify(z)} (an IANA name such as UTC or America/New_York)`;
  }
}));

/** One data file and the symbol it is replayed as. */
export const BacktestData = Schema.Struct({
  symbol: Symbol_,
  file: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(4096)),
  /** How times without an offset (and date-only rows) are read. */
  timeZone: def(TimeZone, () => 'UTC'),
  /** Resample to this timeframe before replaying (default: the file's own). */
  timeframe: Schema.optional(Timeframe),
});

const Increment = boundedDecimal({ min: 0, max: 1e9, minExclusive: true });

/** An instrument declared for a symbol the venue profile does not list. */
export const BacktestInstrument = Schema.Struct({
  symbol: Symbol_,
  tickSize: Increment,
  quantityStep: Increment,
  /** Default: one quantity step. */
  minQuantity: Schema.optional(Increment),
  minNotional: def(boundedDecimal({ min: 0, max: 1e9 }), () => Schema.decodeSync(boundedDecimal({ min: 0, max: 1e9 }))('0')),
});

const Bars = boundedInt({ min: 1, max: 100_000, unit: 'bars' });

/** `backtest.regimes`: the report's trades sliced by the market regime at their entry (S1-10; src/market/regime.ts). */
export const BacktestRegimes = Schema.Struct({
  /** Add the regime section to the report (also `backtest --regimes`). */
  enabled: def(Schema.Boolean, () => false),
  /** Classify on this symbol's bars (it needs a `data` file); null: each trade's own symbol. */
  referenceSymbol: def(Schema.NullOr(Symbol_), () => null),
  /** The classifier's parameters, in bars of the replayed data (defaults: src/market/regime.ts, for 1-minute bars). */
  smaBars: def(Bars, () => 200),
  slopeBars: def(Bars, () => 60),
  trendFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.002),
  crashBars: def(Bars, () => 60),
  crashDrawdownFraction: def(fractionIn({ min: 0, max: 0.99, minExclusive: true }), () => 0.05),
});

/** The longest order latency a backtest simulates: one hour. */
export const MAX_LATENCY_MS = 3_600_000;

/** The `backtest` section. */
export const BacktestSection = Schema.Struct({
  data: def(Schema.Array(BacktestData).pipe(Schema.maxItems(100)), () => []),
  instruments: def(Schema.Array(BacktestInstrument).pipe(Schema.maxItems(100)), () => []),
  /** The simulated venue's fees as fractions of notional (default: the venue profile's). */
  fees: def(Schema.NullOr(Schema.Struct({ makerRate: fractionIn({ min: 0, max: 0.05 }), takerRate: fractionIn({ min: 0, max: 0.05 }) })), () => null),
  /** `bar`: four prices a bar (open, the extremes, close); `path`: the 16-tick intra-bar path model. */
  fillModel: def(Schema.Literal('bar', 'path'), () => 'bar' as const),
  /** bar model: the best bid/ask distance from the price, in basis points. */
  slippageBps: def(boundedNumber({ min: 0, max: 1000 }), () => 0),
  /** bar model: the share of a tick's part of the bar volume the best level offers (partial fills beyond it). */
  volumeFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 1),
  /** Virtual ms between sending an order (or a cancel) and the simulated exchange receiving it; 0: at once. */
  latencyMs: def(millisIn(0, MAX_LATENCY_MS), () => 0),
  from: def(Schema.NullOr(DateText), () => null),
  to: def(Schema.NullOr(DateText), () => null),
  /** Theme → symbols, for exposure by theme in the report (X-BT-3). */
  themes: def(Schema.Record({ key: Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_-]{0,31}$/)), value: Schema.Array(Symbol_) }), () => ({})),
  regimes: def(BacktestRegimes, () => Schema.decodeSync(BacktestRegimes)({})),
});

export type BacktestSettings = typeof BacktestSection.Type;
