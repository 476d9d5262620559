/**
 * The Bybit linear-perpetual instruments the simulator ships for the demo and tests, with the limits Bybit documents
 * (BTCUSDT) or approximates (ADAUSDT; see docs/simulator.md). Pure data; no I/O.
 */
import { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';

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
