/**
 * The public surface of the incremental indicators (DESIGN §2: src/strategies owns them): each indicator as a class
 * fed one bar at a time in O(1), a batch function that runs that same class over a series, and text specs for the
 * CLI and feature lists. Floats only: indicator values never become orders. Pure; performs no I/O.
 */
export { Adx, adxSeries, type AdxOptions, type AdxValue } from './Adx.ts';
export { Atr, atrSeries, trueRange, type AtrOptions } from './Atr.ts';
export { Bollinger, bollingerSeries, type BollingerOptions, type BollingerValue } from './Bollinger.ts';
export { Donchian, donchianSeries, type DonchianOptions, type DonchianValue } from './Donchian.ts';
export { Ema, emaSeries, type EmaOptions } from './Ema.ts';
export { checkPeriod, IndicatorError, MAX_PERIOD, series, type Indicator, type IndicatorErrorReason } from './Indicator.ts';
export { Mfi, MFI_NO_FLOW, mfiSeries, type MfiOptions } from './Mfi.ts';
export { PRICE_SOURCES, priceBarOf, priceOf, type PriceBar, type PriceSource } from './PriceBar.ts';
export { RollingWindow } from './RollingWindow.ts';
export { Rsi, RSI_NO_MOVEMENT, rsiSeries, strengthIndex, type RsiAveraging, type RsiOptions } from './Rsi.ts';
export { Sma, smaSeries, type SmaOptions } from './Sma.ts';
export { columnSetOf, columnSetsOf, INDICATOR_USAGE, type ColumnSet } from './specs.ts';
export { RollingVwap, rollingVwapSeries, SessionVwap, sessionVwapSeries, sessionsStartingAt, utcDaySession, type RollingVwapOptions, type SessionOf, type SessionVwapOptions } from './Vwap.ts';
export { WilderAverage } from './WilderAverage.ts';
