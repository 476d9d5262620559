/**
 * effect/Schema definitions of the Bybit v5 requests the simulator accepts (REST query strings and JSON bodies, WS
 * operations), and the decoder that turns a schema failure into a readable retMsg. Pure; validation only, no
 * behaviour. Unknown parameters are ignored as Bybit does; unsupported ones are refused by the handlers.
 */
import { Either, ParseResult, Schema } from 'effect';
import { Decimal } from '../../../domain/money.ts';

/** A non-negative decimal sent as a string (`"0.001"`), decoded to a Decimal. */
export const DecimalString = Schema.transformOrFail(Schema.String, Schema.instanceOf(Decimal), {
  strict: true,
  decode: (s, _o, ast) =>
    /^\d+(\.\d+)?$/.test(s) ? ParseResult.succeed(new Decimal(s)) : ParseResult.fail(new ParseResult.Type(ast, s, `expected a decimal string such as "0.5", got ${JSON.stringify(s)}`)),
  encode: (d) => ParseResult.succeed(d.toString()),
});

/** An integer sent in a query string (`"20"`), decoded to a number within [min, max]. */
const IntString = (min: number, max: number) =>
  Schema.NumberFromString.pipe(Schema.int(), Schema.between(min, max, { message: () => `expected an integer in [${min}, ${max}]` }));

/** A millisecond timestamp sent in a query string. */
const MsString = Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative());

const Category = Schema.Literal('linear').annotations({ message: () => 'category only supports "linear" in the simulator' });
const SymbolName = Schema.String.pipe(Schema.pattern(/^[A-Z0-9]{2,30}$/, { message: () => 'symbol must be upper case, e.g. BTCUSDT' }));
/** orderLinkId: at most 36 of `[A-Za-z0-9_-]` (Bybit create-order docs). */
const OrderLinkId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,36}$/, { message: () => 'orderLinkId must be 1-36 characters of [A-Za-z0-9_-]' }));
const TriggerBy = Schema.Literal('LastPrice', 'IndexPrice', 'MarkPrice');
/** positionIdx (docs enum `positionIdx`): 0 one-way, 1 hedge-mode Buy side, 2 hedge-mode Sell side. */
const PositionIdx = Schema.Literal(0, 1, 2).annotations({ message: () => 'positionIdx must be 0, 1 or 2' });

/** Body of `POST /v5/order/create`. */
export const CreateOrderBody = Schema.Struct({
  category: Category,
  symbol: SymbolName,
  side: Schema.Literal('Buy', 'Sell'),
  orderType: Schema.Literal('Market', 'Limit'),
  qty: DecimalString,
  price: Schema.optional(DecimalString),
  timeInForce: Schema.optional(Schema.Literal('GTC', 'IOC', 'FOK', 'PostOnly')),
  orderLinkId: Schema.optional(OrderLinkId),
  reduceOnly: Schema.optional(Schema.Boolean),
  closeOnTrigger: Schema.optional(Schema.Boolean),
  /** 0 one-way, 1 / 2 the Buy / Sell side of hedge mode; which ones the account's mode allows is the handler's check. */
  positionIdx: Schema.optional(PositionIdx),
  isLeverage: Schema.optional(Schema.Literal(0, 1)),
});

/** Create-order parameters the simulator does not implement; refusing them beats silently dropping a stop. */
export const UNSUPPORTED_CREATE_FIELDS = [
  'triggerPrice',
  'triggerDirection',
  'triggerBy',
  'takeProfit',
  'stopLoss',
  'tpslMode',
  'tpLimitPrice',
  'slLimitPrice',
  'tpOrderType',
  'slOrderType',
  'orderIv',
  'marketUnit',
  'smpType',
  'orderFilter',
] as const;

/** Body of `POST /v5/order/amend`. */
export const AmendOrderBody = Schema.Struct({
  category: Category,
  symbol: SymbolName,
  orderId: Schema.optional(Schema.String),
  orderLinkId: Schema.optional(OrderLinkId),
  qty: Schema.optional(DecimalString),
  price: Schema.optional(DecimalString),
});

/** Amend parameters the simulator does not implement. */
export const UNSUPPORTED_AMEND_FIELDS = ['triggerPrice', 'takeProfit', 'stopLoss', 'tpTriggerBy', 'slTriggerBy', 'triggerBy', 'tpLimitPrice', 'slLimitPrice', 'orderIv'] as const;

/** Body of `POST /v5/order/cancel`. */
export const CancelOrderBody = Schema.Struct({
  category: Category,
  symbol: SymbolName,
  orderId: Schema.optional(Schema.String),
  orderLinkId: Schema.optional(OrderLinkId),
  orderFilter: Schema.optional(Schema.String),
});

/** Body of `POST /v5/order/cancel-all`. */
export const CancelAllBody = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  baseCoin: Schema.optional(Schema.String),
  settleCoin: Schema.optional(Schema.String),
});

/** Body of `POST /v5/position/trading-stop`. */
export const TradingStopBody = Schema.Struct({
  category: Category,
  symbol: SymbolName,
  tpslMode: Schema.Literal('Full', 'Partial'),
  positionIdx: PositionIdx,
  takeProfit: Schema.optional(DecimalString),
  stopLoss: Schema.optional(DecimalString),
  tpTriggerBy: Schema.optional(TriggerBy),
  slTriggerBy: Schema.optional(TriggerBy),
  trailingStop: Schema.optional(DecimalString),
});

/** Body of `POST /v5/position/set-leverage`. */
export const SetLeverageBody = Schema.Struct({
  category: Category,
  symbol: SymbolName,
  buyLeverage: DecimalString,
  sellLeverage: DecimalString,
});

/** Body of `POST /v5/position/switch-mode`: `symbol` or `coin` (uppercase); `mode` 0 "Merged Single" (one-way), 3 "Both Sides" (hedge). */
export const SwitchModeBody = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  // The docs' own example sends `"coin": null` next to a symbol.
  coin: Schema.optional(Schema.NullOr(Schema.String.pipe(Schema.pattern(/^[A-Z0-9]{2,20}$/, { message: () => 'coin must be upper case, e.g. USDT' })))),
  mode: Schema.Literal(0, 3).annotations({ message: () => 'mode must be 0 (Merged Single) or 3 (Both Sides)' }),
});

/** Query of `GET /v5/market/instruments-info`. */
export const InstrumentsQuery = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  status: Schema.optional(Schema.String),
  baseCoin: Schema.optional(Schema.String),
  limit: Schema.optional(IntString(1, 1000)),
  cursor: Schema.optional(Schema.String),
});

/** Query of `GET /v5/market/orderbook` (linear depth 1–500). */
export const OrderbookQuery = Schema.Struct({
  category: Category,
  symbol: SymbolName,
  limit: Schema.optional(IntString(1, 500)),
});

/** Bybit's kline intervals (docs enum `interval`): minutes, `D`ay, `W`eek, `M`onth. */
export const KLINE_INTERVALS = ['1', '3', '5', '15', '30', '60', '120', '240', '360', '720', 'D', 'W', 'M'] as const;

/** Query of `GET /v5/market/kline` (`category` defaults to linear, as Bybit's does; `limit` 1–1000, default 200). */
export const KlineQuery = Schema.Struct({
  category: Schema.optional(Category),
  symbol: SymbolName,
  interval: Schema.String.pipe(Schema.filter((s) => (KLINE_INTERVALS as ReadonlyArray<string>).includes(s) || `interval must be one of ${KLINE_INTERVALS.join(', ')}`)),
  start: Schema.optional(MsString),
  end: Schema.optional(MsString),
  limit: Schema.optional(IntString(1, 1000)),
});

/** Query of `GET /v5/market/tickers`. */
export const TickersQuery = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  baseCoin: Schema.optional(Schema.String),
});

/** Query of `GET /v5/order/realtime`. */
export const RealtimeQuery = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  baseCoin: Schema.optional(Schema.String),
  settleCoin: Schema.optional(Schema.String),
  orderId: Schema.optional(Schema.String),
  orderLinkId: Schema.optional(Schema.String),
  openOnly: Schema.optional(Schema.Literal('0', '1', '2')),
  orderFilter: Schema.optional(Schema.String),
  limit: Schema.optional(IntString(1, 50)),
  cursor: Schema.optional(Schema.String),
});

/** Query of `GET /v5/order/history`. */
export const HistoryQuery = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  baseCoin: Schema.optional(Schema.String),
  settleCoin: Schema.optional(Schema.String),
  orderId: Schema.optional(Schema.String),
  orderLinkId: Schema.optional(Schema.String),
  orderFilter: Schema.optional(Schema.String),
  orderStatus: Schema.optional(Schema.String),
  startTime: Schema.optional(MsString),
  endTime: Schema.optional(MsString),
  limit: Schema.optional(IntString(1, 50)),
  cursor: Schema.optional(Schema.String),
});

/** Query of `GET /v5/execution/list`. */
export const ExecutionQuery = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  orderId: Schema.optional(Schema.String),
  orderLinkId: Schema.optional(Schema.String),
  baseCoin: Schema.optional(Schema.String),
  startTime: Schema.optional(MsString),
  endTime: Schema.optional(MsString),
  execType: Schema.optional(Schema.String),
  limit: Schema.optional(IntString(1, 100)),
  cursor: Schema.optional(Schema.String),
});

/** Query of `GET /v5/position/list`. */
export const PositionQuery = Schema.Struct({
  category: Category,
  symbol: Schema.optional(SymbolName),
  baseCoin: Schema.optional(Schema.String),
  settleCoin: Schema.optional(Schema.String),
  limit: Schema.optional(IntString(1, 200)),
  cursor: Schema.optional(Schema.String),
});

/** Query of `GET /v5/account/wallet-balance`. */
export const WalletQuery = Schema.Struct({
  accountType: Schema.Literal('UNIFIED').annotations({ message: () => 'accountType must be UNIFIED' }),
  coin: Schema.optional(Schema.String),
});

/** A client WS operation: `subscribe`/`unsubscribe`/`ping`/`auth`. */
export const WsRequest = Schema.Struct({
  op: Schema.String,
  args: Schema.optional(Schema.Array(Schema.Unknown)),
  req_id: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
});

/** Decodes `input` with `schema`, or returns every failing path as one readable line ("params error: qty: …"). */
export const decodeParams = <A, I>(schema: Schema.Schema<A, I>, input: unknown): Either.Either<A, string> =>
  Schema.decodeUnknownEither(schema)(input, { errors: 'all' }).pipe(
    Either.mapLeft((e) => {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(e);
      const text = issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
      return `params error: ${text}`;
    }),
  );
