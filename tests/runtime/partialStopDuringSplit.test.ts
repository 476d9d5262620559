/**
 * X-ORD-6 during a split entry (S0-16), against the real runtime and the simulator: the venue takes at most 0.002 per
 * limit order and 0.001 per market order, so an entry of 0.004 goes out as two limit parts. The first part fills
 * (0.002, protected at once); while the second rests, the venue's stop closes what its market maximum allows (0.001)
 * and clears the stops, as Bybit's close-position does — a remainder of 0.001 without TP/SL. The actor must withdraw
 * the resting part, close the remainder reduce-only and alert, never send another part, and end flat.
 * Venue requests are held on the wire (tests/model/runtimeSupport) so each step is observable; every outcome comes
 * from the simulator.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { RIG_ACCOUNT, SYMBOL, makeModelRig, newClientOrderId, registerApproval, settle, type HeldKind, type ModelRig } from '../model/runtimeSupport.ts';

const LIMIT_MAX = dec('0.002');
const MARKET_MAX = dec('0.001');

/** Releases (performs at the simulator) the next held request of `kind`, once the runtime has sent it. */
const releaseNext = async (rig: ModelRig, kind: HeldKind, id?: string): Promise<string> => {
  const pending = () => rig.calls.find((c) => !c.released && c.kind === kind && (id === undefined || c.clientOrderId === id));
  await settle(() => pending() !== undefined, `a held ${kind}${id === undefined ? '' : ` of ${id}`}`);
  const call = pending()!;
  call.release('perform');
  return call.clientOrderId;
};

const state = (rig: ModelRig): string => lifecycleState(rig.host.snapshot());

describe('X-ORD-6 S0-16 a partial venue stop while a split entry is still going out', () => {
  it('X-ORD-6 S0-16 the resting part is withdrawn, the unprotected remainder closed reduce-only and alerted, no further part sent', async () => {
    const rig = await makeModelRig({ instrument: (i) => ({ ...i, maxQuantity: LIMIT_MAX, maxMarketQuantity: MARKET_MAX }) });
    const quantity = dec('0.004');
    const approval = registerApproval(rig, quantity);
    const base = newClientOrderId(rig);
    // Inside the spread: the best bid, so the counterparty's sell below fills only us.
    const bid = rig.exchange.book(SYMBOL, 1).bids[0]![0].plus(dec('0.1'));
    rig.host.send({
      type: 'command.open', at: rig.clock.now(), intentId: approval.decisionId, clientOrderId: base, side: 'buy', quantity: quantity.toString(), price: bid.toString(),
      timeInForce: 'post_only', takeProfitFraction: '0.02', stopLossFraction: '0.01', maxRepriceAttempts: 1, repriceTicks: 1, tickSize: '0.1', ackTimeoutMs: 60_000,
      limits: { maxLimitQuantity: LIMIT_MAX.toString(), maxMarketQuantity: MARKET_MAX.toString(), quantityStep: '0.001' },
    });
    expect(await releaseNext(rig, 'place')).toBe(base);
    await settle(() => state(rig) === 'working', 'the first part acknowledged');

    // A counterparty sells 0.002 into the first part: it fills in full, is protected, and the second part goes out.
    const fill = rig.exchange.placeOrder({ account: 'mm', symbol: SYMBOL, side: 'sell', type: 'limit', quantity: LIMIT_MAX, price: bid, timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false });
    expect(fill.ok).toBe(true);
    await releaseNext(rig, 'protect');
    await settle(() => rig.calls.some((c) => !c.released && c.kind === 'place' && c.clientOrderId === `${base}-p1`), 'the second part sent');
    const protectedPosition = rig.exchange.positions(RIG_ACCOUNT, SYMBOL).find((p) => !p.size.isZero())!;
    expect(protectedPosition.size.toString()).toBe('0.002');
    expect(protectedPosition.stopLoss).toBeDefined();
    expect(state(rig)).toBe('submitting');

    // While the second part is on its way, the venue's stop fires: it clears the stops and its close-position order
    // closes at most the market maximum.
    expect(rig.exchange.setTradingStop(RIG_ACCOUNT, SYMBOL, { takeProfit: dec(0), stopLoss: dec(0) }).ok).toBe(true);
    const close = rig.exchange.placeOrder({ account: RIG_ACCOUNT, symbol: SYMBOL, side: 'sell', type: 'market', quantity: dec(0), timeInForce: 'ioc', reduceOnly: true, closeOnTrigger: true });
    expect(close.ok).toBe(true);
    expect(rig.exchange.positions(RIG_ACCOUNT, SYMBOL).find((p) => !p.size.isZero())?.size.toString()).toBe('0.001');
    rig.clock.advanceTo(rig.clock.now());

    // The actor withdraws the second part (the cancel goes out behind its placement, which lands and rests)…
    await settle(() => state(rig) === 'cancelling', 'the entry being withdrawn');
    expect(await releaseNext(rig, 'place')).toBe(`${base}-p1`);
    expect(await releaseNext(rig, 'cancel')).toBe(`${base}-p1`);
    await settle(() => state(rig) === 'flattening', 'the remainder being flattened');
    // …and closes what is left reduce-only, by market, within the venue's maximum.
    const flattenId = await releaseNext(rig, 'place');
    expect(flattenId).toBe(`${base}-f1`);
    // OPENED asked for TP/SL on its way to flattening; that request lands too (on a flat position by now, or not).
    for (const c of rig.calls.filter((x) => !x.released)) c.release('perform');
    await settle(() => state(rig) === 'closed.cooldown', `the cycle closed (${state(rig)})`);
    expect(rig.calls.filter((x) => !x.released)).toEqual([]);

    expect(rig.exchange.positions(RIG_ACCOUNT, SYMBOL).filter((p) => !p.size.isZero())).toEqual([]);
    expect(rig.exchange.openOrders(RIG_ACCOUNT, SYMBOL)).toEqual([]);
    const events = [...rig.journal.readEvents({ fromSeq: 1 })];
    const requested = events.filter((e) => e.type === 'ORDER_REQUESTED').map((e) => e.payload as { clientOrderId: string; quantity: string; reduceOnly?: boolean });
    expect(requested.map((r) => [r.clientOrderId, dec(r.quantity).toString(), r.reduceOnly === true])).toEqual([
      [base, '0.002', false], [`${base}-p1`, '0.002', false], [`${base}-f1`, '0.001', true],
    ]);
    expect(events.filter((e) => e.type === 'POSITION_UNPROTECTED').map((e) => (e.payload as { symbol: string }).symbol)).toEqual([SYMBOL]);
    const closed = events.find((e) => e.type === 'TRADE_CLOSED')?.payload as { quantity: string };
    expect(dec(closed.quantity).toString()).toBe('0.002');
    await rig.runtime.stop('test');
    rig.journal.close();
  });
});
