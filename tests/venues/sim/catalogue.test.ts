/**
 * Specs of the simulator catalogue: BTCUSDT and ADAUSDT keep their exact Bybit specs, symbols a profile's table
 * does not list are derived from the first close of their data file (price-scale tick, notional step; equities by
 * the cent rule, whole or fractional shares), and the bundled Coinbase and US equity files replay with them.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { isMultipleOf } from '../../../src/domain/rounding.ts';
import { BYBIT_LINEAR_PROFILE } from '../../../src/venues/sim/bybit/profile.ts';
import { CatalogueError, SIM_SYMBOLS, simCatalogue, simInstrument } from '../../../src/venues/sim/catalogue.ts';
import { CASH_EQUITY_PROFILE, cashEquityProfile, HEDGE_PERP_PROFILE, notionalStep, priceScaleTick, SPOT_PROFILE, splitSymbol } from '../../../src/venues/sim/engine/profiles.ts';
import { createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { barFeed, loadBarsCsv } from '../../../src/venues/sim/replay/index.ts';
import { d } from './engineSupport.ts';

const grid = (i: { tickSize: Decimal; quantityStep: Decimal; minNotional: Decimal } | undefined): string[] => [i?.tickSize.toString() ?? '-', i?.quantityStep.toString() ?? '-', i?.minNotional.toString() ?? '-'];

describe('simulator catalogue', () => {
  it('lists BTCUSDT and ADAUSDT with exactly their Bybit specs, and nothing else without data', () => {
    expect(SIM_SYMBOLS).toEqual(['BTCUSDT', 'ADAUSDT']);
    expect(BYBIT_LINEAR_PROFILE.symbols).toEqual(SIM_SYMBOLS);
    const spec = (symbol: string): Record<string, string> => Object.fromEntries(Object.entries(simInstrument(symbol) ?? {}).map(([k, v]) => [k, String(v)]));
    expect(spec('BTCUSDT')).toEqual({
      venue: 'bybit', symbol: 'BTCUSDT', kind: 'linear_perp', baseAsset: 'BTC', quoteAsset: 'USDT', settleAsset: 'USDT', tickSize: '0.1', quantityStep: '0.001',
      minQuantity: '0.001', maxQuantity: '1190', maxMarketQuantity: '500', minNotional: '5', minPrice: '0.1', maxPrice: '199999.8', maxLeverage: '100', status: 'trading',
    });
    expect(spec('ADAUSDT')).toEqual({
      venue: 'bybit', symbol: 'ADAUSDT', kind: 'linear_perp', baseAsset: 'ADA', quoteAsset: 'USDT', settleAsset: 'USDT', tickSize: '0.0001', quantityStep: '1',
      minQuantity: '1', maxQuantity: '1000000', maxMarketQuantity: '200000', minNotional: '5', minPrice: '0.0001', maxPrice: '199.9998', maxLeverage: '75', status: 'trading',
    });
    expect(simInstrument('ETHUSDT')).toBeUndefined();
    expect(simInstrument('BTC-USD')).toBeUndefined();
  });

  it('derives the tick from the price scale (5 significant digits) and the step from a one-quote-unit notional', () => {
    expect([priceScaleTick(d('7422')), priceScaleTick(d('0.3068')), priceScaleTick(d('17208.88')), priceScaleTick(d('611.9'))].map(String)).toEqual(['0.1', '0.00001', '1', '0.01']);
    expect([notionalStep(d('7422'), d(1)), notionalStep(d('0.3068'), d(1)), notionalStep(d('17208.88'), d(1))].map(String)).toEqual(['0.0001', '1', '0.00001']);
    expect(splitSymbol('BTC-USD', ['USD'])).toEqual({ base: 'BTC', quote: 'USD' });
    expect(splitSymbol('ETHUSDT', ['USDT', 'USD'])).toEqual({ base: 'ETH', quote: 'USDT' });
    expect(splitSymbol('SPY', ['USDT'])).toBeUndefined();
  });

  it('lists unknown symbols from the first close of their data file, per profile', () => {
    const eth = loadBarsCsv('data/crypto-1m/coinbase_ETHUSD_spot_1m_2018-04-04_2018-04-05.csv');
    const busd = loadBarsCsv('data/crypto-1m/binance_BTCBUSD_spot_1m_2022-12-13.csv');
    const ibm = loadBarsCsv('data/us-equity-1m/IBM_1m_2013-10-04_2013-10-11.csv');
    const bac = loadBarsCsv('data/us-equity-1m/BAC_1m_2013-10-04_2013-10-11.csv');
    // Bybit lists any …USDT perpetual once its data gives a price: 416.15 → 0.01 tick, 0.001 step.
    const ethPerp = simInstrument('ETHUSDT', BYBIT_LINEAR_PROFILE, eth);
    expect([...grid(ethPerp), ethPerp?.venue, ethPerp?.baseAsset, ethPerp?.maxLeverage.toString()]).toEqual(['0.01', '0.001', '5', 'bybit', 'ETH', '25']);
    expect(simInstrument('ETH-USD', BYBIT_LINEAR_PROFILE, eth)).toBeUndefined();
    // Spot: ETH-USD comes from the table (Coinbase increments) whatever the data; BTC-BUSD from the BUSD file.
    expect(grid(simInstrument('ETH-USD', SPOT_PROFILE, eth))).toEqual(['0.01', '0.00000001', '1']);
    expect(grid(simInstrument('BTC-BUSD', SPOT_PROFILE, busd))).toEqual(['1', '0.00001', '1']);
    expect(simInstrument('BTC-BUSD', SPOT_PROFILE)).toBeUndefined();
    // Hedge perpetuals: the table's BTCUSDT has a 100 USDT minimum.
    expect(grid(simInstrument('BTCUSDT', HEDGE_PERP_PROFILE))).toEqual(['0.1', '0.001', '100']);
    // Equities: a cent tick from $1 up, whole shares (or 10^-9 fractional), settled in USD.
    const ibmInst = simInstrument('IBM', CASH_EQUITY_PROFILE, ibm);
    expect([...grid(ibmInst), ibmInst?.kind, ibmInst?.quoteAsset]).toEqual(['0.01', '1', '0', 'equity', 'USD']);
    expect(grid(simInstrument('BAC', cashEquityProfile({ fractional: true }), bac))).toEqual(['0.01', '0.000000001', '0']);
    expect(grid(CASH_EQUITY_PROFILE.instrument('PENNY', d('0.42')))).toEqual(['0.0001', '1', '0']);
  });

  it('builds a catalogue for a set of feeds, naming every symbol the profile cannot list', () => {
    const spy = loadBarsCsv('data/us-equity-1m/SPY_1m_2023-08-03.csv');
    expect(simCatalogue(CASH_EQUITY_PROFILE, [{ symbol: 'SPY', bars: spy }]).map((i) => i.symbol)).toEqual(['SPY']);
    let error: unknown;
    try {
      simCatalogue(BYBIT_LINEAR_PROFILE, [{ symbol: 'BTCUSDT', bars: spy }, { symbol: 'SPY', bars: spy }, { symbol: 'QQQ', bars: spy }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CatalogueError);
    expect(error).toMatchObject({ _tag: 'CatalogueError', profile: 'bybit-linear', symbols: ['SPY', 'QQQ'] });
  });

  it('replays the bundled Coinbase spot file and a US equity file on catalogue instruments without code edits', () => {
    for (const [profile, symbol, file] of [
      [SPOT_PROFILE, 'BTC-USD', 'data/crypto-1m/coinbase_BTCUSD_spot_1m_2018-04-04_2018-04-06.csv'],
      [CASH_EQUITY_PROFILE, 'AAPL', 'data/us-equity-1m/AAPL_1m_2014-06-05_2014-06-09.csv'],
    ] as const) {
      const bars = loadBarsCsv(file).slice(0, 600);
      const [inst] = simCatalogue(profile, [{ symbol, bars }]);
      if (inst === undefined) throw new Error('no instrument');
      const clock = new VirtualClock(bars[0]?.start ?? 0);
      const ex = createSimExchange({ clock, instruments: [inst], feeds: [barFeed({ symbol, bars, seed: 1, tickSize: inst.tickSize, quantityStep: inst.quantityStep })], seed: 1, profile });
      let trades = 0;
      ex.subscribe((e) => {
        if (e.type === 'trade' && isMultipleOf(e.price, inst.tickSize) && isMultipleOf(e.size, inst.quantityStep)) trades++;
      });
      for (let at = ex.nextEventAt(); at !== undefined; at = ex.nextEventAt()) {
        clock.advanceTo(at);
        ex.advanceTo(at);
      }
      expect(trades).toBeGreaterThan(1000);
      expect(ex.ticker(symbol).lastPrice.eq((bars.at(-1)?.close ?? new Decimal(0)).toNearest(inst.tickSize))).toBe(true);
    }
  });
});
