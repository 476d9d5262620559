/**
 * The Bybit v5 (linear USDT perpetuals, one-way or hedge mode, unified account) implementation of the `Venue` port, plus
 * the stream descriptions and clock-offset view the runtime needs. It translates port calls into Bybit requests
 * through `BybitHttpClient` and `parse.ts` (every conversion guarded: a bad answer is a `decode` VenueError, never a
 * defect); it never decides risk, never rounds (prices/quantities must already be on
 * the instrument's tick/step) and never retries a request whose outcome is unknown.
 */
import { Effect, Redacted } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import type { Instrument } from '../../domain/Instrument.ts';
import type { Balance, Fill, OrderAck, OrderRequest, Position, PositionLeg, PositionMode, ProtectionRequest, VenueOrder } from '../../domain/orders.ts';
import type { Clock } from '../../kernel/Clock.ts';
import type { Telemetry } from '../../kernel/telemetry.ts';
import { VenueError, type AmendRequest, type BookSnapshot, type Kline, type Protection, type VenueCapabilities, type WireVenue } from '../Venue.ts';
import type { AccountEvent, MarketEvent, StreamDescription } from '../streams.ts';
import type { BybitConfig } from './BybitConfig.ts';
import type { ClockGate } from '../shared/ClockGate.ts';
import { toBybitOrderType, toBybitPositionIdx, toBybitPositionMode, toBybitSide, toBybitTimeInForce, toBybitTriggerBy } from './enums.ts';
import { BybitHttpClient, type BybitLogger } from './http/BybitHttpClient.ts';
import { LEVERAGE_NOT_MODIFIED, POSITION_MODE_NOT_MODIFIED } from './http/errors.ts';
import {
  BybitHttpCancelAll,
  BybitHttpEmpty,
  BybitHttpExecutionList,
  BybitHttpInstrumentsInfo,
  BybitHttpKlineList,
  BybitHttpOrderbook,
  BybitHttpOrderId,
  BybitHttpOrderList,
  BybitHttpPositionList,
  BybitHttpWalletBalance,
} from './http/messages.ts';
import { WireFormatError, formatPlain, formatPrice, formatQuantity, parseExecution, parseInstrument, parseKline, parseOrder, parseOrderbook, parsePosition, parseWallet } from './parse.ts';
import { isBybitSymbol } from './symbols.ts';
import { BybitPaths, resolveBybitUrls } from './urls.ts';
import { bybitPrivateStream, bybitPublicStream } from './ws/BybitWsStream.ts';
import type { BybitPublicChannel } from './ws/topics.ts';

/** What Bybit linear supports. */
export const bybitCapabilities: VenueCapabilities = {
  leverage: true,
  positions: true,
  // TP/SL are attached to the position (`/v5/position/trading-stop`), not separate orders.
  protectionModel: 'position_attached',
  serverSideProtection: true,
  postOnly: true,
  reduceOnly: true,
  amend: true,
  shorting: true,
  // positionIdx 1/2 (`/v5/position/switch-mode` mode 3); USDT perpetuals only, which is what the adapter trades.
  hedgeMode: true,
};

/** The Bybit venue: the port plus the offset view, clock gate, stream descriptions and a close hook. */
export interface BybitVenue extends WireVenue {
  /** Returns the current venue-minus-local clock offset estimate (ms), refreshed by `serverTime()`. */
  clockOffsetMs(): number;
  /** Returns the offset-corrected venue time (ms). */
  venueNow(): number;
  /** The X-CLK-2 hysteresis gate fed by every `serverTime()`; the runtime consults it before new orders. */
  readonly clockGate: ClockGate;
  readonly streams: {
    /** The public linear stream: `orderbook.<depth>`, `publicTrade`, `tickers`, `kline.1` per symbol (or `channels` only). */
    public(symbols: ReadonlyArray<string>, depth: number, channels?: ReadonlyArray<BybitPublicChannel>): StreamDescription<MarketEvent>;
    /** The private stream: auth, then `order`, `execution`, `position`, `wallet`. */
    private(): StreamDescription<AccountEvent>;
  };
  /** Closes the HTTP connection pool. */
  close(): Promise<void>;
}

/** Dependencies of the adapter. */
export interface BybitVenueDeps {
  readonly clock: Clock;
  readonly logger?: BybitLogger | undefined;
  /** An undici dispatcher to share; by default the adapter creates (and closes) its own Agent. */
  readonly dispatcher?: import('undici').Dispatcher | undefined;
  /** Told each REST round trip (`rest_request`; see BybitHttpClient). */
  readonly telemetry?: Telemetry | undefined;
}

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_PAGES = 200;

/** Bybit's kline intervals (docs enum `interval`) by bar length in minutes; `M` (calendar months) is not offered. */
const KLINE_INTERVALS: ReadonlyMap<number, string> = new Map([
  [1, '1'], [3, '3'], [5, '5'], [15, '15'], [30, '30'], [60, '60'], [120, '120'], [240, '240'], [360, '360'], [720, '720'], [1440, 'D'], [10080, 'W'],
]);
/** The most candles one `/v5/market/kline` page carries (docs: `limit` in [1, 1000]). */
const KLINE_PAGE_LIMIT = 1000;
/** The most kline requests one call makes (a year of 1-minute bars takes 526). */
const MAX_KLINE_REQUESTS = 10_000;

/** Returns a `rejected` VenueError for a request refused before it left the process (definitive: nothing was sent). */
const localReject = (operation: string, code: string, message: string): VenueError =>
  new VenueError({ venue: 'bybit', operation, reason: { kind: 'rejected', code, category: 'parameter', message } });

/** Creates the Bybit adapter. */
export const makeBybitVenue = (config: BybitConfig, deps: BybitVenueDeps): BybitVenue => {
  const http = new BybitHttpClient(config, { clock: deps.clock, logger: deps.logger, dispatcher: deps.dispatcher, telemetry: deps.telemetry });
  const urls = resolveBybitUrls(config);
  const category = config.category;
  const instrumentCache = new Map<string, Instrument>();

  const symbolOrSettle = (symbol: string | undefined): readonly [string, string] =>
    symbol === undefined ? ['settleCoin', config.settleCoin] : ['symbol', symbol];

  const checkSymbol = (operation: string, symbol: string): Effect.Effect<void, VenueError> =>
    isBybitSymbol(symbol) ? Effect.void : Effect.fail(localReject(operation, 'LOCAL_BAD_SYMBOL', `not a Bybit symbol: ${JSON.stringify(symbol)}`));

  /** Runs `format` and turns a WireFormatError into a local rejection. */
  const formatted = <A>(operation: string, format: () => A): Effect.Effect<A, VenueError> =>
    Effect.try({
      try: format,
      catch: (e) => localReject(operation, 'LOCAL_NOT_ON_GRID', e instanceof WireFormatError ? e.message : String(e)),
    });

  const instruments = (): Effect.Effect<ReadonlyArray<Instrument>, VenueError> =>
    Effect.gen(function* () {
      const out: Instrument[] = [];
      let cursor = '';
      for (let page = 0; page < MAX_PAGES; page++) {
        const query: Array<readonly [string, string]> = [['category', category], ['limit', '1000']];
        if (cursor !== '') query.push(['cursor', cursor]);
        const res = yield* http.call({ operation: 'instruments', method: 'GET', path: BybitPaths.instruments, query, signed: false, result: BybitHttpInstrumentsInfo });
        const list = res.result?.list ?? [];
        const parsed = yield* http.convert('instruments', 'instruments', () => list.map(parseInstrument));
        for (const inst of parsed) {
          if (inst !== undefined) {
            out.push(inst);
            instrumentCache.set(inst.symbol, inst);
          }
        }
        cursor = res.result?.nextPageCursor ?? '';
        if (cursor === '' || list.length === 0) break;
      }
      return out;
    });

  /** Returns the instrument (cached; fetched by symbol on a miss) to format prices and quantities. */
  const instrumentFor = (operation: string, symbol: string): Effect.Effect<Instrument, VenueError> =>
    Effect.suspend(() => {
      const cached = instrumentCache.get(symbol);
      if (cached !== undefined) return Effect.succeed(cached);
      return checkSymbol(operation, symbol).pipe(
        Effect.flatMap(() =>
          http.call({ operation, method: 'GET', path: BybitPaths.instruments, query: [['category', category], ['symbol', symbol]], signed: false, result: BybitHttpInstrumentsInfo }),
        ),
        Effect.flatMap((res) => http.convert(operation, 'instruments', () => (res.result?.list ?? []).map(parseInstrument).find((i) => i?.symbol === symbol))),
        Effect.flatMap((inst) => {
          if (inst === undefined) return Effect.fail(localReject(operation, 'LOCAL_UNKNOWN_SYMBOL', `unknown linear perpetual: ${symbol}`));
          instrumentCache.set(symbol, inst);
          return Effect.succeed(inst);
        }),
      );
    });

  const placeOrder = (req: OrderRequest): Effect.Effect<OrderAck, VenueError> =>
    Effect.gen(function* () {
      const op = 'placeOrder';
      if (req.type === 'limit' && req.price === undefined) return yield* Effect.fail(localReject(op, 'LOCAL_NO_PRICE', 'limit order without price'));
      if (req.type === 'market' && req.timeInForce === 'post_only') {
        return yield* Effect.fail(localReject(op, 'LOCAL_MARKET_POST_ONLY', 'a market order cannot be post-only (EC_MarketOrderCannotBePostOnly)'));
      }
      const inst = yield* instrumentFor(op, req.symbol);
      const qty = yield* formatted(op, () => formatQuantity(req.quantity, inst));
      const price = req.type === 'limit' && req.price !== undefined ? yield* formatted(op, () => formatPrice(req.price as Decimal, inst)) : undefined;
      // Field order follows Bybit's own example body; market orders are always IOC on Bybit.
      const body: Record<string, unknown> = {
        category,
        symbol: req.symbol,
        side: toBybitSide(req.side),
        orderType: toBybitOrderType(req.type),
        qty,
        ...(price === undefined ? {} : { price }),
        timeInForce: req.type === 'market' ? 'IOC' : toBybitTimeInForce(req.timeInForce),
        // 0 one-way; in hedge mode the leg the order opens or closes (a Sell on 1 closes the long leg).
        positionIdx: toBybitPositionIdx(req.leg),
        orderLinkId: req.clientOrderId,
        reduceOnly: req.reduceOnly,
        ...(req.closeOnTrigger === true ? { closeOnTrigger: true } : {}),
      };
      const res = yield* http.call({ operation: op, method: 'POST', path: BybitPaths.createOrder, body, signed: true, result: BybitHttpOrderId });
      return { venueOrderId: res.result?.orderId ?? '', clientOrderId: res.result?.orderLinkId || req.clientOrderId };
    });

  const amendOrder = (req: AmendRequest): Effect.Effect<OrderAck, VenueError> =>
    Effect.gen(function* () {
      const op = 'amendOrder';
      const inst = yield* instrumentFor(op, req.symbol);
      const qty = req.quantity === undefined ? undefined : yield* formatted(op, () => formatQuantity(req.quantity as Decimal, inst));
      const price = req.price === undefined ? undefined : yield* formatted(op, () => formatPrice(req.price as Decimal, inst));
      if (qty === undefined && price === undefined) return yield* Effect.fail(localReject(op, 'LOCAL_NOTHING_TO_AMEND', 'amend without quantity or price'));
      const body: Record<string, unknown> = {
        category,
        symbol: req.symbol,
        orderLinkId: req.clientOrderId,
        ...(qty === undefined ? {} : { qty }),
        ...(price === undefined ? {} : { price }),
      };
      const res = yield* http.call({ operation: op, method: 'POST', path: BybitPaths.amendOrder, body, signed: true, result: BybitHttpOrderId });
      return { venueOrderId: res.result?.orderId ?? '', clientOrderId: res.result?.orderLinkId || req.clientOrderId };
    });

  const cancelOrder = (symbol: string, clientOrderId: string): Effect.Effect<OrderAck, VenueError> =>
    checkSymbol('cancelOrder', symbol).pipe(
      Effect.flatMap(() =>
        http.call({
          operation: 'cancelOrder',
          method: 'POST',
          path: BybitPaths.cancelOrder,
          body: { category, symbol, orderLinkId: clientOrderId },
          signed: true,
          result: BybitHttpOrderId,
        }),
      ),
      Effect.map((res) => ({ venueOrderId: res.result?.orderId ?? '', clientOrderId: res.result?.orderLinkId || clientOrderId })),
    );

  const cancelAll = (symbol?: string): Effect.Effect<ReadonlyArray<string>, VenueError> =>
    (symbol === undefined ? Effect.void : checkSymbol('cancelAll', symbol)).pipe(
      Effect.flatMap(() => {
        const [key, value] = symbolOrSettle(symbol);
        return http.call({ operation: 'cancelAll', method: 'POST', path: BybitPaths.cancelAll, body: { category, [key]: value }, signed: true, result: BybitHttpCancelAll });
      }),
      Effect.map((res) => (res.result?.list ?? []).map((o) => o.orderLinkId)),
    );

  const setProtection = (req: ProtectionRequest): Effect.Effect<void, VenueError> =>
    Effect.gen(function* () {
      const op = 'setProtection';
      const inst = yield* instrumentFor(op, req.symbol);
      // "0" cancels a side (docs: trading-stop); Full mode protects the whole position with market exits.
      const takeProfit = req.takeProfit === undefined ? '0' : yield* formatted(op, () => formatPrice(req.takeProfit as Decimal, inst));
      const stopLoss = req.stopLoss === undefined ? '0' : yield* formatted(op, () => formatPrice(req.stopLoss as Decimal, inst));
      const trigger = toBybitTriggerBy(req.trigger);
      yield* http.call({
        operation: op,
        method: 'POST',
        path: BybitPaths.tradingStop,
        body: { category, symbol: req.symbol, takeProfit, stopLoss, tpTriggerBy: trigger, slTriggerBy: trigger, tpslMode: 'Full', positionIdx: toBybitPositionIdx(req.leg) },
        signed: true,
        result: BybitHttpEmpty,
      }).pipe(
        // Setting stops that are already in place answers 34040 "not modified": the position is protected as asked.
        Effect.catchIf((e) => e.reason.kind === 'rejected' && e.reason.category === 'not_modified', () => Effect.void),
      );
    });

  const setLeverage = (symbol: string, leverage: Decimal): Effect.Effect<void, VenueError> =>
    checkSymbol('setLeverage', symbol).pipe(
      Effect.flatMap(() => {
        const value = formatPlain(leverage);
        return http.call({
          operation: 'setLeverage',
          method: 'POST',
          path: BybitPaths.setLeverage,
          body: { category, symbol, buyLeverage: value, sellLeverage: value },
          signed: true,
          result: BybitHttpEmpty,
          // 110043 "leverage not modified": the leverage already has the value we asked for.
          acceptCodes: [LEVERAGE_NOT_MODIFIED],
        });
      }),
      Effect.asVoid,
    );

  /**
   * Switches the USDT perpetuals of the settle coin (`coin`, not one symbol: the port's mode is the account's). On a
   * coin-wide switch Bybit leaves symbols that hold a position or an open order as they were; its refusals (110024 a
   * position, 110028 open orders) are definitive: nothing changed.
   */
  const setPositionMode = (mode: PositionMode): Effect.Effect<void, VenueError> =>
    http
      .call({
        operation: 'setPositionMode',
        method: 'POST',
        path: BybitPaths.switchMode,
        body: { category, coin: config.settleCoin, mode: toBybitPositionMode(mode) },
        signed: true,
        result: BybitHttpEmpty,
        // 110025 "position mode not modified": the account already has the mode we asked for.
        acceptCodes: [POSITION_MODE_NOT_MODIFIED],
      })
      .pipe(Effect.asVoid);

  const listOrders = (operation: string, path: typeof BybitPaths.openOrders | typeof BybitPaths.orderHistory, base: ReadonlyArray<readonly [string, string]>, paginate: boolean) =>
    Effect.gen(function* () {
      const out: VenueOrder[] = [];
      let cursor = '';
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = [...base];
        if (cursor !== '') query.push(['cursor', cursor]);
        const res = yield* http.call({ operation, method: 'GET', path, query, signed: true, result: BybitHttpOrderList });
        const list = res.result?.list ?? [];
        out.push(...(yield* http.convert(operation, 'orders', () => list.map(parseOrder))));
        cursor = res.result?.nextPageCursor ?? '';
        if (!paginate || cursor === '' || list.length === 0) break;
      }
      return out;
    });

  const openOrders = (symbol?: string): Effect.Effect<ReadonlyArray<VenueOrder>, VenueError> =>
    listOrders('openOrders', BybitPaths.openOrders, [['category', category], symbolOrSettle(symbol), ['limit', '50']], true).pipe(
      // Without openOnly the realtime endpoint returns open orders only; keep the filter in case a venue sends more.
      Effect.map((orders) => orders.filter((o) => o.status === 'new' || o.status === 'partially_filled' || o.status === 'untriggered')),
    );

  const orderByClientId = (symbol: string, clientOrderId: string): Effect.Effect<VenueOrder | undefined, VenueError> =>
    Effect.gen(function* () {
      yield* checkSymbol('orderByClientId', symbol);
      const query: ReadonlyArray<readonly [string, string]> = [['category', category], ['symbol', symbol], ['orderLinkId', clientOrderId]];
      // The realtime endpoint also serves recent closed orders when queried by orderLinkId; history covers the rest.
      const live = yield* listOrders('orderByClientId', BybitPaths.openOrders, query, false);
      const hit = live.find((o) => o.clientOrderId === clientOrderId);
      if (hit !== undefined) return hit;
      const past = yield* listOrders('orderByClientId', BybitPaths.orderHistory, query, false);
      return past.find((o) => o.clientOrderId === clientOrderId);
    });

  const positions = (symbol?: string): Effect.Effect<ReadonlyArray<Position>, VenueError> =>
    Effect.gen(function* () {
      const out: Position[] = [];
      let cursor = '';
      for (let page = 0; page < MAX_PAGES; page++) {
        const query: Array<readonly [string, string]> = [['category', category], symbolOrSettle(symbol), ['limit', '200']];
        if (cursor !== '') query.push(['cursor', cursor]);
        const res = yield* http.call({ operation: 'positions', method: 'GET', path: BybitPaths.positions, query, signed: true, result: BybitHttpPositionList });
        const list = res.result?.list ?? [];
        out.push(...(yield* http.convert('positions', 'positions', () => list.map(parsePosition))));
        cursor = res.result?.nextPageCursor ?? '';
        if (cursor === '' || list.length === 0) break;
      }
      return out;
    });

  /** Returns the TP/SL of the symbol's open one-way position (`leg` undefined) or of that hedge-mode leg. */
  const protectionOf = (symbol: string, leg?: PositionLeg): Effect.Effect<Protection, VenueError> =>
    positions(symbol).pipe(
      Effect.map((ps) => {
        const p = ps.find((x) => x.symbol === symbol && x.leg === leg && x.side !== 'flat' && x.quantity.gt(0));
        return { takeProfit: p?.takeProfit, stopLoss: p?.stopLoss, orderIds: [] };
      }),
    );

  const balances = (): Effect.Effect<ReadonlyArray<Balance>, VenueError> =>
    http
      .call({ operation: 'balances', method: 'GET', path: BybitPaths.walletBalance, query: [['accountType', 'UNIFIED']], signed: true, result: BybitHttpWalletBalance })
      .pipe(Effect.flatMap((res) => http.convert('balances', 'wallets', () => (res.result?.list ?? []).flatMap(parseWallet))));

  const executionsSince = (sinceMs: number, symbol?: string): Effect.Effect<ReadonlyArray<Fill>, VenueError> =>
    Effect.gen(function* () {
      if (symbol !== undefined) yield* checkSymbol('executionsSince', symbol);
      const now = http.venueNow();
      const seen = new Set<string>();
      const out: Fill[] = [];
      // Bybit serves at most 7 days per query: walk forward in 7-day windows (endTime only when more follow).
      // At least one query even when `sinceMs` is at or slightly ahead of our venue-time estimate.
      for (let start = Math.floor(sinceMs); ; start += SEVEN_DAYS_MS) {
        const end = start + SEVEN_DAYS_MS - 1;
        let cursor = '';
        for (let page = 0; page < MAX_PAGES; page++) {
          const query: Array<readonly [string, string]> = [['category', category]];
          if (symbol !== undefined) query.push(['symbol', symbol]);
          query.push(['startTime', String(start)]);
          if (end < now) query.push(['endTime', String(end)]);
          query.push(['limit', '100']);
          if (cursor !== '') query.push(['cursor', cursor]);
          const res = yield* http.call({ operation: 'executionsSince', method: 'GET', path: BybitPaths.executions, query, signed: true, result: BybitHttpExecutionList });
          const list = res.result?.list ?? [];
          const fills = yield* http.convert('executionsSince', 'executions', () => list.map((wire) => parseExecution(wire, config.settleCoin)));
          for (const fill of fills) {
            if (fill === undefined || fill.ts < sinceMs || seen.has(fill.tradeId)) continue;
            seen.add(fill.tradeId);
            out.push(fill);
          }
          cursor = res.result?.nextPageCursor ?? '';
          if (cursor === '' || list.length === 0) break;
        }
        if (end >= now) break;
      }
      // Bybit lists newest first; callers want oldest first (stable for equal timestamps).
      return out.map((f, i) => ({ f, i })).sort((a, b) => a.f.ts - b.f.ts || b.i - a.i).map((x) => x.f);
    });

  const orderBook = (symbol: string, depth: number): Effect.Effect<BookSnapshot, VenueError> =>
    checkSymbol('orderBook', symbol).pipe(
      Effect.flatMap(() =>
        http.call({
          operation: 'orderBook',
          method: 'GET',
          path: BybitPaths.orderbook,
          query: [['category', category], ['symbol', symbol], ['limit', String(depth)]],
          signed: false,
          result: BybitHttpOrderbook,
        }),
      ),
      Effect.flatMap((res) => {
        const wire = res.result;
        return wire === undefined
          ? Effect.fail(new VenueError({ venue: 'bybit', operation: 'orderBook', reason: { kind: 'decode', message: 'empty result' } }))
          : http.convert('orderBook', 'order book', () => parseOrderbook(wire));
      }),
    );

  /**
   * Walks [startMs, endMs) forward in windows of at most 1000 bars, so one page can hold a whole window whichever end
   * Bybit keeps when a range holds more than `limit` candles; within a window it pages backwards (`end` = the oldest
   * start seen − 1) while a page ends above the window's start. Candles outside the asked window are ignored, a start
   * seen twice is kept once, and the answer is oldest first.
   */
  const klines = (symbol: string, intervalMinutes: number, startMs: number, endMs: number): Effect.Effect<ReadonlyArray<Kline>, VenueError> =>
    Effect.gen(function* () {
      const op = 'klines';
      yield* checkSymbol(op, symbol);
      const interval = KLINE_INTERVALS.get(intervalMinutes);
      if (interval === undefined) {
        return yield* Effect.fail(localReject(op, 'LOCAL_BAD_INTERVAL', `Bybit has no ${intervalMinutes}-minute klines (it has ${[...KLINE_INTERVALS.keys()].join(', ')} minutes)`));
      }
      if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs) || startMs < 0 || startMs >= endMs) {
        return yield* Effect.fail(localReject(op, 'LOCAL_BAD_RANGE', `the range [${startMs}, ${endMs}) is empty or not in whole epoch milliseconds`));
      }
      const windowMs = intervalMinutes * 60_000 * KLINE_PAGE_LIMIT;
      if ((endMs - startMs) / windowMs > MAX_KLINE_REQUESTS) {
        return yield* Effect.fail(localReject(op, 'LOCAL_RANGE_TOO_LONG', `${Math.ceil((endMs - startMs) / windowMs)} pages of ${interval} klines is more than ${MAX_KLINE_REQUESTS}; ask for a shorter range`));
      }
      const byStart = new Map<number, Kline>();
      let requests = 0;
      for (let from = startMs; from < endMs; from += windowMs) {
        let last = Math.min(from + windowMs, endMs) - 1;
        while (last >= from) {
          if (++requests > MAX_KLINE_REQUESTS) return yield* Effect.fail(localReject(op, 'LOCAL_RANGE_TOO_LONG', `more than ${MAX_KLINE_REQUESTS} kline pages`));
          const res = yield* http.call({
            operation: op,
            method: 'GET',
            path: BybitPaths.kline,
            query: [['category', category], ['symbol', symbol], ['interval', interval], ['start', String(from)], ['end', String(last)], ['limit', String(KLINE_PAGE_LIMIT)]],
            signed: false,
            result: BybitHttpKlineList,
          });
          const wire = res.result;
          if (wire === undefined) return yield* Effect.fail(new VenueError({ venue: 'bybit', operation: op, reason: { kind: 'decode', message: `${BybitPaths.kline}: empty result` } }));
          if (wire.symbol !== symbol) {
            return yield* Effect.fail(new VenueError({ venue: 'bybit', operation: op, reason: { kind: 'decode', message: `${BybitPaths.kline}: candles of ${wire.symbol.slice(0, 40)}, asked for ${symbol}` } }));
          }
          const page = (yield* http.convert(op, 'klines', () => wire.list.map(parseKline))).filter((k) => k.start >= from && k.start <= last);
          if (page.length === 0) break;
          let oldest = last;
          for (const k of page) {
            if (!byStart.has(k.start)) byStart.set(k.start, k);
            oldest = Math.min(oldest, k.start);
          }
          last = oldest - 1;
        }
      }
      return [...byStart.values()].sort((a, b) => a.start - b.start);
    });

  return {
    id: 'bybit',
    capabilities: bybitCapabilities,
    instruments,
    serverTime: () => http.serverTime(),
    placeOrder,
    amendOrder,
    cancelOrder,
    cancelAll,
    setProtection,
    setLeverage,
    setPositionMode,
    openOrders,
    orderByClientId,
    positions,
    balances,
    executionsSince,
    orderBook,
    klines,
    protectionOf,
    clockOffsetMs: () => http.clockOffsetMs(),
    venueNow: () => http.venueNow(),
    clockGate: http.clockGate,
    streams: {
      public: (symbols, depth, channels) => bybitPublicStream({ url: urls.wsPublic, symbols, depth, channels }),
      private: () => bybitPrivateStream({ url: urls.wsPrivate, apiKey: config.apiKey, apiSecret: config.apiSecret, defaultFeeAsset: config.settleCoin }),
    },
    close: () => http.close(),
  };
};

/** Returns the API key's public part for logs: the first 4 characters only (X-SEC-4). */
export const apiKeyFingerprint = (config: BybitConfig): string => `${Redacted.value(config.apiKey).slice(0, 4)}…`;
