/**
 * X-ORD-6 for a position no actor owns: a foreign position adopted and protected at start-up whose venue-side stop
 * then fills only part of it (the simulator's close-position, like Bybit's, closes at most the market-order maximum)
 * and clears the stops. The periodic venue check protects what is left again — from its entry when the venue accepts
 * those levels, from its mark when the market is already past them. Real runtime over the in-process simulator, real
 * journal, the bundled BTCUSDT minute bars (a short opened near the day's low, the rally after it fires its stop).
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { makeHarness, type Harness } from '../runtime/harness.ts';

const MINUTE = 60_000;

const shortPosition = (hx: Harness) => hx.exchange.positions('main', 'BTCUSDT').find((p) => !p.size.isZero());

/** A short of 0.3 BTC opened by someone else at minute 441 (three market orders: the market maximum is 0.1). */
const adoptedShort = async (): Promise<Harness> => {
  const hx = makeHarness({ bars: 721, instrument: (i) => (i.symbol === 'BTCUSDT' ? { ...i, maxMarketQuantity: dec('0.1') } : i) });
  hx.clock.advanceBy(441 * MINUTE);
  hx.exchange.advanceTo(hx.clock.now());
  for (const n of [1, 2, 3]) {
    const r = hx.exchange.placeOrder({
      account: 'main', symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: dec('0.1'), timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false, clientOrderId: `manual-${n}`,
    });
    expect(r.ok).toBe(true);
  }
  await hx.runtime.prepare();
  for (const s of ['BTCUSDT', 'ADAUSDT']) hx.runtime.startActor(s);
  const report = await hx.runtime.recover();
  expect(report.adopted).toEqual(['BTCUSDT']);
  expect(report.actions.join('\n')).toMatch(/BTCUSDT: adopted short 0\.3 and protected it \(venue\.protectionSet, levels from its entry\)/);
  return hx;
};

/** Advances the market a minute at a time until the venue's stop fired (the position shrank); returns the minutes. */
const untilStopFires = (hx: Harness): number => {
  for (let minute = 1; minute <= 280; minute++) {
    hx.clock.advanceBy(MINUTE);
    hx.exchange.advanceTo(hx.clock.now());
    const p = shortPosition(hx);
    if (p !== undefined && p.size.abs().lt(dec('0.3'))) return minute;
  }
  throw new Error('the adopted short\'s stop never fired on the bundled bars');
};

describe('X-ORD-6 X-REC-4 an adopted position whose venue stop fills in part', () => {
  it('X-ORD-6 the periodic venue check protects the remainder again, from the mark when the market is past the entry\'s levels', async () => {
    const hx = await adoptedShort();
    const adoptedStop = shortPosition(hx)!.stopLoss!;
    const entry = shortPosition(hx)!.entryPrice;
    expect(adoptedStop.gt(entry)).toBe(true);
    untilStopFires(hx);
    const left = shortPosition(hx)!;
    // The venue closed 0.1 (its market maximum) and cleared the stops: 0.2 short is left without protection.
    expect(left.size.abs().toString()).toBe('0.2');
    expect([left.takeProfit, left.stopLoss]).toEqual([undefined, undefined]);
    expect(left.markPrice.gte(adoptedStop)).toBe(true);

    await hx.runtime.checkVenue('periodic');
    await hx.runtime.idle();
    const after = shortPosition(hx)!;
    expect(after.size.abs().toString()).toBe('0.2');
    expect(after.stopLoss, 'the remainder has a stop again').toBeDefined();
    expect(after.takeProfit).toBeDefined();
    // A short's stop above the market and its take-profit below it: levels from the mark, not from the old entry.
    expect(after.stopLoss!.gt(after.markPrice)).toBe(true);
    expect(after.takeProfit!.lt(after.markPrice)).toBe(true);
    const notes = [...hx.journal.readEvents({ type: 'RECONCILED_PROTECTED' })].map((e) => e.payload as { adopted?: boolean; from?: string; outcome: string });
    expect(notes.filter((n) => n.adopted === true).map((n) => [n.from, n.outcome])).toEqual([['mark', 'venue.protectionSet']]);
    expect(hx.logLines.join('\n')).toContain('adopted_position_reprotected');
    // A second check finds it protected and sends nothing more.
    await hx.runtime.checkVenue('periodic');
    expect([...hx.journal.readEvents({ type: 'RECONCILED_PROTECTED' })]).toHaveLength(notes.length);
    await hx.runtime.stop('test');
    hx.journal.close();
  });

  it('X-ORD-6 a stop cleared while the market is still inside the entry\'s levels is put back from the entry', async () => {
    const hx = await adoptedShort();
    const before = shortPosition(hx)!;
    // The stops removed at the venue (by hand, or a partial trigger that left the market where it was).
    expect(hx.exchange.setTradingStop('main', 'BTCUSDT', { takeProfit: dec(0), stopLoss: dec(0) }).ok).toBe(true);
    expect(shortPosition(hx)!.stopLoss).toBeUndefined();
    await hx.runtime.checkVenue('periodic');
    const after = shortPosition(hx)!;
    expect(after.stopLoss?.toString()).toBe(before.stopLoss?.toString());
    expect(after.takeProfit?.toString()).toBe(before.takeProfit?.toString());
    const notes = [...hx.journal.readEvents({ type: 'RECONCILED_PROTECTED' })].map((e) => e.payload as { adopted?: boolean; from?: string });
    expect(notes.filter((n) => n.adopted === true).map((n) => n.from)).toEqual(['entry']);
    await hx.runtime.stop('test');
    hx.journal.close();
  });
});
