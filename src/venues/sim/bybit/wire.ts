/**
 * Encoders from the engine's records to Bybit v5 wire objects (REST result items and WS `data` items), with every
 * number as a string the way Bybit sends it. Pure; the only file of the façade that knows Bybit's field names for
 * orders, executions, positions, wallets, instruments, tickers and klines.
 */
import { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { OrderStatus, OrderType, Side, TimeInForce, TriggerSource } from '../../../domain/orders.ts';
import type { SimExecution, SimKline, SimLevel, SimOrder, SimPosition, SimPositionMode, SimPositionSide, SimTicker, SimWallet } from '../engine/types.ts';

/** Bybit's side. */
export type BybitSide = 'Buy' | 'Sell';
/** Bybit's trigger price source. */
export type BybitTriggerBy = 'LastPrice' | 'IndexPrice' | 'MarkPrice';

/** A JSON object as sent on the wire. */
export type WireObject = Record<string, unknown>;

const str = (d: Decimal | undefined, empty = '0'): string => (d === undefined ? empty : d.toString());

/** Returns Bybit's side for ours. */
export const sideToWire = (s: Side): BybitSide => (s === 'buy' ? 'Buy' : 'Sell');
/** Returns our side for Bybit's. */
export const sideFromWire = (s: BybitSide): Side => (s === 'Buy' ? 'buy' : 'sell');
/** Returns Bybit's orderType for ours. */
export const orderTypeToWire = (t: OrderType): string => (t === 'market' ? 'Market' : 'Limit');

/** Returns Bybit's timeInForce for ours. */
export const tifToWire = (t: TimeInForce): string => {
  switch (t) {
    case 'gtc':
      return 'GTC';
    case 'ioc':
      return 'IOC';
    case 'fok':
      return 'FOK';
    case 'post_only':
      return 'PostOnly';
  }
};

/** Returns Bybit's orderStatus; linear has no expired status, so an expired IOC/FOK remainder reads `Cancelled`. */
export const statusToWire = (s: OrderStatus): string => {
  switch (s) {
    case 'new':
      return 'New';
    case 'partially_filled':
      return 'PartiallyFilled';
    case 'untriggered':
      return 'Untriggered';
    case 'filled':
      return 'Filled';
    case 'cancelled':
    case 'expired':
      return 'Cancelled';
    case 'rejected':
      return 'Rejected';
    case 'triggered':
      return 'Triggered';
    case 'deactivated':
      return 'Deactivated';
  }
};

/** Bybit's positionIdx: 0 one-way, 1 the Buy side (long leg) of hedge mode, 2 its Sell side (short leg). */
export type BybitPositionIdx = 0 | 1 | 2;

/** Returns the positionIdx of an order or position: its hedge-mode leg's, 0 in one-way mode. */
export const positionIdxToWire = (side: SimPositionSide | undefined): BybitPositionIdx => (side === 'long' ? 1 : side === 'short' ? 2 : 0);

/**
 * Returns the engine's leg for a positionIdx in an account of `mode` (0 → none in one-way; 1 / 2 → long / short in
 * hedge), or `'mismatch'` when the index does not belong to the mode (Bybit's 10001 "position idx not match position
 * mode"). An absent index is 0, as Bybit defaults it, so it is a mismatch in hedge mode, where the index is required.
 */
export const positionSideFromWire = (mode: SimPositionMode, idx: BybitPositionIdx | undefined): SimPositionSide | undefined | 'mismatch' => {
  const index = idx ?? 0;
  if (mode === 'one_way') return index === 0 ? undefined : 'mismatch';
  return index === 1 ? 'long' : index === 2 ? 'short' : 'mismatch';
};

/** Returns Bybit's trigger price source for ours. */
export const triggerToWire = (t: TriggerSource): BybitTriggerBy => (t === 'mark' ? 'MarkPrice' : t === 'index' ? 'IndexPrice' : 'LastPrice');
/** Returns our trigger price source for Bybit's. */
export const triggerFromWire = (t: BybitTriggerBy): TriggerSource => (t === 'MarkPrice' ? 'mark' : t === 'IndexPrice' ? 'index' : 'last');

/** Extra facts an order item needs that the order record does not carry (TP/SL orders take them from the position). */
export interface OrderWireContext {
  readonly triggerPrice?: Decimal | undefined;
  readonly triggerBy?: TriggerSource | undefined;
}

/** Returns a Bybit order item (REST `order/realtime` and `order/history`; WS `order` adds `category`). */
export const orderToWire = (o: SimOrder, ctx: OrderWireContext = {}): WireObject => {
  const leaves = o.status === 'new' || o.status === 'partially_filled' || o.status === 'untriggered' ? o.quantity.minus(o.filledQuantity) : new Decimal(0);
  const cumValue = o.averagePrice === undefined ? new Decimal(0) : o.averagePrice.times(o.filledQuantity);
  return {
    orderId: o.orderId,
    orderLinkId: o.clientOrderId,
    blockTradeId: '',
    symbol: o.symbol,
    price: str(o.price),
    qty: o.quantity.toString(),
    side: sideToWire(o.side),
    isLeverage: '',
    positionIdx: positionIdxToWire(o.positionSide),
    orderStatus: statusToWire(o.status),
    createType: o.stopOrderType === '' ? 'CreateByUser' : o.stopOrderType === 'TakeProfit' ? 'CreateByTakeProfit' : 'CreateByStopLoss',
    cancelType: o.cancelType,
    rejectReason: o.rejectReason,
    avgPrice: str(o.averagePrice),
    leavesQty: leaves.toString(),
    leavesValue: o.price === undefined ? '0' : leaves.times(o.price).toString(),
    cumExecQty: o.filledQuantity.toString(),
    cumExecValue: cumValue.toString(),
    cumExecFee: o.cumulativeFee.toString(),
    timeInForce: tifToWire(o.timeInForce),
    orderType: orderTypeToWire(o.type),
    stopOrderType: o.stopOrderType,
    orderIv: '',
    triggerPrice: str(ctx.triggerPrice),
    takeProfit: '',
    stopLoss: '',
    tpslMode: o.stopOrderType === '' ? '' : 'Full',
    tpLimitPrice: '',
    slLimitPrice: '',
    tpTriggerBy: '',
    slTriggerBy: '',
    triggerDirection: 0,
    triggerBy: ctx.triggerBy === undefined ? '' : triggerToWire(ctx.triggerBy),
    lastPriceOnCreated: '',
    reduceOnly: o.reduceOnly,
    closeOnTrigger: o.closeOnTrigger,
    placeType: '',
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    createdTime: String(o.createdAt),
    updatedTime: String(o.updatedAt),
  };
};

/** Returns a Bybit execution item (REST `execution/list`; WS `execution` adds `category`). */
export const executionToWire = (e: SimExecution, order: SimOrder | undefined): WireObject => ({
  symbol: e.symbol,
  orderId: e.orderId,
  orderLinkId: e.clientOrderId,
  side: sideToWire(e.side),
  orderPrice: str(order?.price),
  orderQty: order === undefined ? '0' : order.quantity.toString(),
  leavesQty: order === undefined ? '0' : order.quantity.minus(order.filledQuantity).toString(),
  createType: order === undefined || order.stopOrderType === '' ? 'CreateByUser' : order.stopOrderType === 'TakeProfit' ? 'CreateByTakeProfit' : 'CreateByStopLoss',
  orderType: order === undefined ? 'Limit' : orderTypeToWire(order.type),
  stopOrderType: order?.stopOrderType ?? '',
  execFee: e.fee.toString(),
  execId: e.execId,
  execPrice: e.price.toString(),
  execQty: e.quantity.toString(),
  execType: 'Trade',
  execValue: e.price.times(e.quantity).toString(),
  execTime: String(e.ts),
  feeCurrency: '',
  isMaker: e.isMaker,
  feeRate: e.feeRate.toString(),
  tradeIv: '',
  markIv: '',
  blockTradeId: '',
  isLeverage: '',
  seq: e.seq,
});

/** Returns a Bybit position item (REST `position/list`; WS `position` adds `category`). Unset TP/SL read "0". */
export const positionToWire = (p: SimPosition): WireObject => {
  const side = p.size.isZero() ? '' : p.size.isPositive() ? 'Buy' : 'Sell';
  return {
    positionIdx: positionIdxToWire(p.positionSide),
    riskId: 1,
    riskLimitValue: '2000000',
    symbol: p.symbol,
    side,
    size: p.size.abs().toString(),
    avgPrice: p.entryPrice.toString(),
    positionValue: p.positionValue.toString(),
    tradeMode: 0,
    autoAddMargin: 0,
    positionStatus: 'Normal',
    leverage: p.leverage.toString(),
    markPrice: p.markPrice.toString(),
    liqPrice: '',
    bustPrice: '',
    positionIM: p.positionIM.toString(),
    positionMM: '0',
    positionBalance: p.positionIM.toString(),
    takeProfit: str(p.takeProfit),
    stopLoss: str(p.stopLoss),
    trailingStop: '0',
    tpTriggerBy: triggerToWire(p.tpTrigger),
    slTriggerBy: triggerToWire(p.slTrigger),
    sessionAvgPrice: '',
    unrealisedPnl: p.unrealisedPnl.toString(),
    curRealisedPnl: '0',
    cumRealisedPnl: p.cumRealisedPnl.toString(),
    adlRankIndicator: p.size.isZero() ? 0 : 2,
    isReduceOnly: false,
    tpslMode: 'Full',
    createdTime: String(p.createdAt),
    updatedTime: String(p.updatedAt),
    seq: p.seq,
  };
};

/** Returns the UNIFIED account item of `account/wallet-balance` (and of the WS `wallet` topic). */
export const walletToWire = (coins: ReadonlyArray<SimWallet>): WireObject => {
  const sum = (f: (w: SimWallet) => Decimal): string => coins.reduce((acc, w) => acc.plus(f(w)), new Decimal(0)).toString();
  return {
    accountType: 'UNIFIED',
    accountIMRate: '0',
    accountMMRate: '0',
    accountLTV: '0',
    totalEquity: sum((w) => w.equity),
    totalWalletBalance: sum((w) => w.walletBalance),
    totalMarginBalance: sum((w) => w.equity),
    totalAvailableBalance: sum((w) => w.availableBalance),
    totalPerpUPL: sum((w) => w.unrealisedPnl),
    totalInitialMargin: sum((w) => w.equity.minus(w.availableBalance)),
    totalMaintenanceMargin: '0',
    coin: coins.map((w) => ({
      coin: w.coin,
      equity: w.equity.toString(),
      usdValue: w.equity.toString(),
      walletBalance: w.walletBalance.toString(),
      locked: '0',
      borrowAmount: '0',
      accruedInterest: '0',
      totalOrderIM: '0',
      totalPositionIM: w.equity.minus(w.availableBalance).toString(),
      totalPositionMM: '0',
      unrealisedPnl: w.unrealisedPnl.toString(),
      cumRealisedPnl: w.cumRealisedPnl.toString(),
      bonus: '0',
      marginCollateral: true,
      collateralSwitch: true,
      availableToWithdraw: '',
      spotHedgingQty: '0',
    })),
  };
};

const instrumentStatusToWire = (s: Instrument['status']): string => (s === 'trading' ? 'Trading' : s === 'halted' ? 'Closed' : 'PreLaunch');

/** Returns a `market/instruments-info` item for a linear perpetual. */
export const instrumentToWire = (i: Instrument): WireObject => ({
  symbol: i.symbol,
  contractType: 'LinearPerpetual',
  status: instrumentStatusToWire(i.status),
  baseCoin: i.baseAsset,
  quoteCoin: i.quoteAsset,
  launchTime: '0',
  deliveryTime: '0',
  deliveryFeeRate: '',
  priceScale: String(Math.max(0, i.tickSize.decimalPlaces())),
  leverageFilter: { minLeverage: '1', maxLeverage: i.maxLeverage.toString(), leverageStep: '0.01' },
  priceFilter: { minPrice: i.minPrice.toString(), maxPrice: i.maxPrice.toString(), tickSize: i.tickSize.toString() },
  lotSizeFilter: {
    maxOrderQty: i.maxQuantity.toString(),
    minOrderQty: i.minQuantity.toString(),
    qtyStep: i.quantityStep.toString(),
    postOnlyMaxOrderQty: i.maxQuantity.toString(),
    maxMktOrderQty: i.maxMarketQuantity.toString(),
    minNotionalValue: i.minNotional.toString(),
  },
  unifiedMarginTrade: true,
  fundingInterval: 480,
  settleCoin: i.settleAsset,
  copyTrading: 'both',
  upperFundingRate: '0.005',
  lowerFundingRate: '-0.005',
  isPreListing: false,
  preListingInfo: null,
  riskParameters: { priceLimitRatioX: i.priceLimitRatio?.x.toString() ?? '0.01', priceLimitRatioY: i.priceLimitRatio?.y.toString() ?? '0.02' },
});

/** Returns a `market/tickers` item (the WS `tickers` data object carries the same fields). */
export const tickerToWire = (t: SimTicker): WireObject => ({
  symbol: t.symbol,
  lastPrice: t.lastPrice.toString(),
  indexPrice: t.indexPrice.toString(),
  markPrice: t.markPrice.toString(),
  prevPrice24h: t.lastPrice.toString(),
  price24hPcnt: '0',
  highPrice24h: t.lastPrice.toString(),
  lowPrice24h: t.lastPrice.toString(),
  prevPrice1h: t.lastPrice.toString(),
  openInterest: '0',
  openInterestValue: '0',
  turnover24h: t.turnover24h.toString(),
  volume24h: t.volume24h.toString(),
  fundingRate: '0.0001',
  nextFundingTime: '0',
  predictedDeliveryPrice: '',
  basisRate: '',
  deliveryFeeRate: '',
  deliveryTime: '0',
  ask1Size: t.ask1Size.toString(),
  bid1Price: t.bid1Price.toString(),
  ask1Price: t.ask1Price.toString(),
  bid1Size: t.bid1Size.toString(),
  basis: '',
});

/** Returns Bybit's kline interval label for a bar length in minutes (`D`, `W`, `M` for day, week, month). */
export const klineIntervalToWire = (minutes: number): string =>
  minutes === 1440 ? 'D' : minutes === 10080 ? 'W' : minutes === 43200 ? 'M' : String(minutes);

/** Returns the bar length in minutes of a Bybit kline interval label (`D`, `W` = 1440, 10080); undefined for `M` (calendar months). */
export const klineIntervalFromWire = (label: string): number | undefined =>
  label === 'D' ? 1440 : label === 'W' ? 10080 : /^\d+$/.test(label) ? Number(label) : undefined;

/** Returns a REST `market/kline` candle: `[startTime, open, high, low, close, volume, turnover]`, all strings. */
export const klineToRestWire = (k: SimKline): string[] => [String(k.start), k.open.toString(), k.high.toString(), k.low.toString(), k.close.toString(), k.volume.toString(), k.turnover.toString()];

/** Returns a WS `kline` data item. */
export const klineToWire = (k: SimKline): WireObject => ({
  start: k.start,
  end: k.end,
  interval: klineIntervalToWire(k.intervalMinutes),
  open: k.open.toString(),
  close: k.close.toString(),
  high: k.high.toString(),
  low: k.low.toString(),
  volume: k.volume.toString(),
  turnover: k.turnover.toString(),
  confirm: k.confirm,
  timestamp: k.ts,
});

/** Returns book levels as Bybit's `[["price","size"], …]`. */
export const levelsToWire = (levels: ReadonlyArray<SimLevel>): string[][] => levels.map(([p, s]) => [p.toString(), s.toString()]);
