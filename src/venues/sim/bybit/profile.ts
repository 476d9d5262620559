/**
 * The Bybit v5 linear-perpetual profile of the simulator core, one-way mode: Bybit's fee and limit defaults,
 * position-attached TP/SL, quantity-0 close-all, the `EC_*` spelling and retCodes (`codes.ts`), and the instruments
 * it lists — BTCUSDT with the limits Bybit documents, ADAUSDT approximated (docs/simulator.md), any other `…USDT`
 * symbol derived from the first price of its data. Pure data; no I/O.
 */
import { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import { instrumentFrom, notionalStep, priceScaleTick, type SimVenueProfile, splitSymbol } from '../engine/profiles.ts';
import { BYBIT_SPELLING, retCodeForReject } from './codes.ts';

/** Bybit's documented linear perpetual instruments used by the demo and tests (see docs/simulator.md). */
export const bybitLinearInstrument = (symbol: 'BTCUSDT' | 'ADAUSDT'): Instrument =>
  symbol === 'BTCUSDT'
    ? {
        venue: 'bybit',
        symbol,
        kind: 'linear_perp',
        baseAsset: 'BTC',
        quoteAsset: 'USDT',
        settleAsset: 'USDT',
        tickSize: new Decimal('0.10'),
        quantityStep: new Decimal('0.001'),
        minQuantity: new Decimal('0.001'),
        maxQuantity: new Decimal('1190'),
        maxMarketQuantity: new Decimal('500'),
        minNotional: new Decimal('5'),
        minPrice: new Decimal('0.10'),
        maxPrice: new Decimal('199999.80'),
        maxLeverage: new Decimal('100'),
        status: 'trading',
      }
    : {
        venue: 'bybit',
        symbol,
        kind: 'linear_perp',
        baseAsset: 'ADA',
        quoteAsset: 'USDT',
        settleAsset: 'USDT',
        tickSize: new Decimal('0.0001'),
        quantityStep: new Decimal('1'),
        minQuantity: new Decimal('1'),
        maxQuantity: new Decimal('1000000'),
        maxMarketQuantity: new Decimal('200000'),
        minNotional: new Decimal('5'),
        minPrice: new Decimal('0.0001'),
        maxPrice: new Decimal('199.9998'),
        maxLeverage: new Decimal('75'),
        status: 'trading',
      };

const TABLE = ['BTCUSDT', 'ADAUSDT'] as const;
const isTabled = (symbol: string): symbol is (typeof TABLE)[number] => (TABLE as ReadonlyArray<string>).includes(symbol);

/**
 * Bybit linear USDT perpetuals in one-way mode: maker 0.02 % / taker 0.055 %, 500 open orders per symbol, default
 * leverage 10, fees and PnL settled at 8 decimals, TP/SL on the position (trading-stop). Unknown `…USDT` symbols
 * get a 5-significant-digit tick and a step worth about 1 USDT at their first price, 5 USDT min notional, 25× max.
 */
export const BYBIT_LINEAR_PROFILE: SimVenueProfile = {
  id: 'bybit-linear',
  accountModel: 'linear_perp',
  positionMode: 'one_way',
  makerFeeRate: new Decimal('0.0002'),
  takerFeeRate: new Decimal('0.00055'),
  maxOpenOrdersPerSymbol: 500,
  defaultLeverage: new Decimal(10),
  settleDecimals: 8,
  protection: 'position',
  zeroQuantityClosesPosition: true,
  session: undefined,
  spelling: BYBIT_SPELLING,
  rejectCode: (code, operation) => retCodeForReject(code, operation === 'leverage' ? 'leverage' : 'other'),
  symbols: TABLE,
  instrument: (symbol, firstPrice) => {
    if (isTabled(symbol)) return bybitLinearInstrument(symbol);
    const assets = splitSymbol(symbol, ['USDT']);
    if (firstPrice === undefined || assets === undefined || assets.quote !== 'USDT' || !/^[A-Z0-9]+$/.test(symbol)) return undefined;
    return instrumentFrom('bybit', 'linear_perp', symbol, {
      baseAsset: assets.base,
      quoteAsset: 'USDT',
      tickSize: priceScaleTick(firstPrice),
      quantityStep: notionalStep(firstPrice, new Decimal(1)),
      minNotional: new Decimal(5),
      maxLeverage: new Decimal(25),
    });
  },
};
