/**
 * The façade driving its engine along an accelerated clock, and the standalone `runSim` composition root with the
 * documented sim credentials.
 */
import { fileURLToPath } from 'node:url';
import { Either } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSimArgs, runSim, SimArgsError, symbolOfDataFile, type RunningSim } from '../../../src/app/sim.ts';
import { VirtualClock, wallClock } from '../../../src/kernel/Clock.ts';
import { Decimal } from '../../../src/domain/money.ts';
import { DEFAULT_SIM_API_KEYS } from '../../../src/venues/sim/bybit/defaults.ts';
import { startBybitSim, type BybitSimServer } from '../../../src/venues/sim/bybit/BybitSimServer.ts';
import { bybitLinearInstrument, createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import { barFeed, loadBarsCsv } from '../../../src/venues/sim/replay/index.ts';
import { acceleratedClock } from '../../../src/venues/sim/server.ts';
import { createRawBybitClient, RawWs } from '../../support/bybitRawClient.ts';

const BARS = fileURLToPath(new URL('../../../data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv', import.meta.url));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('acceleratedClock', () => {
  it('runs speed times as fast as its base clock from the given start', () => {
    const base = new VirtualClock(5_000);
    const clock = acceleratedClock(60, 1_000_000, base);
    expect(clock.now()).toBe(1_000_000);
    base.advanceBy(250);
    expect(clock.now()).toBe(1_015_000);
    const slow = acceleratedClock(0.5, 0, base);
    base.advanceBy(3);
    expect(slow.now()).toBe(1);
    expect(() => acceleratedClock(0, 0, base)).toThrow(RangeError);
  });
});

describe('driveClock', () => {
  it('advances the engine on its own timer so replayed market data reaches websocket clients', async () => {
    const start = wallClock.now();
    const clock = acceleratedClock(400, start);
    const exchange = createSimExchange({
      clock,
      instruments: [bybitLinearInstrument('BTCUSDT')],
      feeds: [barFeed({ symbol: 'BTCUSDT', bars: loadBarsCsv(BARS).slice(0, 30), seed: 1, tickSize: new Decimal('0.1'), quantityStep: new Decimal('0.001'), shiftTo: start })],
      seed: 1,
    });
    const server: BybitSimServer = await startBybitSim({ exchange, apiKeys: DEFAULT_SIM_API_KEYS, driveClock: true, clock, driveIntervalMs: 10 });
    cleanups.push(() => server.close());
    const ws = await RawWs.open(server.wsPublicUrl);
    cleanups.push(() => ws.close());
    ws.send({ op: 'subscribe', args: ['publicTrade.BTCUSDT'] });
    // Nobody but the server's driver advances this engine; a trade after the subscribe proves it runs.
    const trade = await ws.next((f) => f['topic'] === 'publicTrade.BTCUSDT', 10_000);
    expect(Number(trade['ts'])).toBeGreaterThan(start);
    expect(exchange.now()).toBeGreaterThan(start);
  });
});

describe('runSim', () => {
  it('starts the Bybit façade with the documented sim key funded with 100,000 USDT', async () => {
    const sim: RunningSim = await runSim({ venue: 'bybit', port: 0, dataFiles: [BARS], speed: 1, seed: 3, faults: 'skew:250ms' });
    cleanups.push(() => sim.stop());
    expect(sim.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = DEFAULT_SIM_API_KEYS[0];
    expect(key).toEqual({ key: 'sim-key-1', secret: 'sim-secret-1', account: 'main' });
    const rest = createRawBybitClient({ baseUrl: sim.server.url, apiKey: 'sim-key-1', secret: 'sim-secret-1', now: () => wallClock.now() });
    const wallet = await rest.get<{ list: Array<{ coin: Array<Record<string, string>> }> }>('/v5/account/wallet-balance', { accountType: 'UNIFIED' });
    expect(wallet.body?.retCode).toBe(0);
    expect(wallet.body?.result.list[0]?.coin[0]).toMatchObject({ coin: 'USDT', walletBalance: '100000' });
    const book = await rest.publicGet<{ b: string[][] }>('/v5/market/orderbook', { category: 'linear', symbol: 'BTCUSDT', limit: 5 });
    expect(book.body?.result.b.length).toBeGreaterThan(0);
    expect(sim.server.faults().clockSkewMs).toBe(250);
  });

  it('X-CLK-3 at --speed 600 accepts the window a loopback run signs with (600 × 250 ms) and refuses one past a wall minute', async () => {
    const sim: RunningSim = await runSim({ venue: 'bybit', port: 0, speed: 600, seed: 3 });
    cleanups.push(() => sim.stop());
    const rest = createRawBybitClient({ baseUrl: sim.server.url, apiKey: 'sim-key-1', secret: 'sim-secret-1', now: () => sim.exchange.now() });
    expect((await rest.get('/v5/order/realtime', { category: 'linear' }, { recvWindow: 150_000 })).body?.retCode).toBe(0);
    expect((await rest.get('/v5/order/realtime', { category: 'linear' }, { recvWindow: 600 * 60_000 + 1 })).body?.retCode).toBe(10001);
  });

  it('refuses an unsupported data file and a bad fault spec', async () => {
    await expect(runSim({ venue: 'bybit', port: 0, dataFiles: ['data/crypto-1m/coinbase_ETHUSD_spot_1m_2018-04-04_2018-04-05.csv'], speed: 1, seed: 1 })).rejects.toThrow(SimArgsError);
    await expect(runSim({ venue: 'bybit', port: 0, speed: 1, seed: 1, faults: 'gap:7' })).rejects.toThrow(/gap:7/);
    expect(symbolOfDataFile('data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv')).toBe('BTCUSDT');
  });

  it('parses the sim command line', () => {
    const ok = parseSimArgs(['--venue', 'bybit', '--port', '0', '--data', 'a_BTCUSDT_x.csv', '--speed', '5', '--seed', '9', '--faults', 'gap:0.1']);
    expect(Either.isRight(ok) && ok.right).toEqual({ venue: 'bybit', port: 0, dataFiles: ['a_BTCUSDT_x.csv'], speed: 5, seed: 9, faults: 'gap:0.1' });
    expect(Either.isLeft(parseSimArgs(['--port', '1']))).toBe(true);
    expect(Either.isLeft(parseSimArgs(['--venue', 'bybit']))).toBe(true);
    expect(Either.isLeft(parseSimArgs(['--venue', 'bybit', '--port', '1', '--speed', '-2']))).toBe(true);
    const badFaults = parseSimArgs(['--venue', 'bybit', '--port', '1', '--faults', 'nope:1']);
    expect(Either.isLeft(badFaults) && badFaults.left).toMatch(/nope/);
  });

  it('S0-16 --max-order-qty lowers a symbol\'s limit-order maximum: instruments-info reports it and a larger limit order is refused, market orders keep theirs; bad values are sentences', async () => {
    const parsed = parseSimArgs(['--venue', 'bybit', '--port', '0', '--max-order-qty', 'BTCUSDT=0.1']);
    if (Either.isLeft(parsed)) throw new Error(parsed.left);
    expect(parsed.right.maxOrderQuantity?.map((c) => [c.symbol, c.quantity.toString()])).toEqual([['BTCUSDT', '0.1']]);
    for (const [bad, why] of [[['BTCUSDT=abc'], /SYMBOL=quantity/], [['BTCUSDT=0.1', '--max-order-qty', 'BTCUSDT=0.2'], /twice/]] as const) {
      const r = parseSimArgs(['--venue', 'bybit', '--port', '0', '--max-order-qty', ...bad]);
      expect(Either.isLeft(r) && r.left).toMatch(why);
    }
    const sim: RunningSim = await runSim({ ...parsed.right, speed: 600, seed: 3 });
    cleanups.push(() => sim.stop());
    const rest = createRawBybitClient({ baseUrl: sim.server.url, apiKey: 'sim-key-1', secret: 'sim-secret-1', now: () => sim.exchange.now() });
    const info = await rest.publicGet<{ list: Array<{ lotSizeFilter: { maxOrderQty: string; maxMktOrderQty: string } }> }>('/v5/market/instruments-info', { category: 'linear', symbol: 'BTCUSDT' });
    expect(info.body?.result.list[0]?.lotSizeFilter).toMatchObject({ maxOrderQty: '0.1', maxMktOrderQty: '500' });
    const order = (qty: string) => rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', price: '10000', timeInForce: 'GTC', qty, orderLinkId: `maxq-${qty.replace('.', '_')}` });
    const tooLarge = await order('0.2');
    expect(tooLarge.body?.retCode, JSON.stringify(tooLarge.body)).not.toBe(0);
    expect(JSON.stringify(tooLarge.body)).toMatch(/qty|quantity/i);
    const fits = await order('0.1');
    expect(fits.body?.retCode, JSON.stringify(fits.body)).toBe(0);
    for (const [cap, why] of [['0.0005', /multiple of its quantity step/], ['1191', /above the venue's own limit-order maximum/]] as const) {
      await expect(runSim({ venue: 'bybit', port: 0, speed: 1, seed: 1, maxOrderQuantity: [{ symbol: 'BTCUSDT', quantity: new Decimal(cap) }] })).rejects.toThrow(why);
    }
    await expect(runSim({ venue: 'bybit', port: 0, speed: 1, seed: 1, maxOrderQuantity: [{ symbol: 'XRPUSDT', quantity: new Decimal(1) }] })).rejects.toThrow(/does not list/);
  });

  it('S0-16 --max-market-order-qty lowers a symbol\'s market-order maximum: instruments-info reports it, a larger market order is refused, limit orders keep theirs', async () => {
    const parsed = parseSimArgs(['--venue', 'bybit', '--port', '0', '--max-market-order-qty', 'BTCUSDT=0.1']);
    if (Either.isLeft(parsed)) throw new Error(parsed.left);
    expect(parsed.right.maxMarketOrderQuantity?.map((c) => [c.symbol, c.quantity.toString()])).toEqual([['BTCUSDT', '0.1']]);
    const twice = parseSimArgs(['--venue', 'bybit', '--port', '0', '--max-market-order-qty', 'BTCUSDT=0.1', '--max-market-order-qty', 'BTCUSDT=0.2']);
    expect(Either.isLeft(twice) && twice.left).toMatch(/--max-market-order-qty names BTCUSDT twice/);
    const sim: RunningSim = await runSim({ ...parsed.right, speed: 600, seed: 3 });
    cleanups.push(() => sim.stop());
    const rest = createRawBybitClient({ baseUrl: sim.server.url, apiKey: 'sim-key-1', secret: 'sim-secret-1', now: () => sim.exchange.now() });
    const info = await rest.publicGet<{ list: Array<{ lotSizeFilter: { maxOrderQty: string; maxMktOrderQty: string } }> }>('/v5/market/instruments-info', { category: 'linear', symbol: 'BTCUSDT' });
    expect(info.body?.result.list[0]?.lotSizeFilter).toMatchObject({ maxOrderQty: '1190', maxMktOrderQty: '0.1' });
    const market = await rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.2', orderLinkId: 'maxm-0_2' });
    expect(market.body?.retCode, JSON.stringify(market.body)).not.toBe(0);
    const limit = await rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', price: '10000', timeInForce: 'GTC', qty: '0.2', orderLinkId: 'maxm-l0_2' });
    expect(limit.body?.retCode, JSON.stringify(limit.body)).toBe(0);
    await expect(runSim({ venue: 'bybit', port: 0, speed: 1, seed: 1, maxMarketOrderQuantity: [{ symbol: 'BTCUSDT', quantity: new Decimal('501') }] })).rejects.toThrow(/above the venue's own market-order maximum 500/);
  });
});
