/**
 * Specs of `Conditionals` beyond position TP/SL (engine.test.ts covers those): stand-alone stop-market and
 * take-profit-market orders (Binance style: closePosition or reduce-only with a quantity, hedge legs) triggered by
 * mark, last or index, stop-limits, refusals (already crossed, closePosition rules), expiry when nothing is left to
 * close, cancels; and OCO pairs and brackets on spot (Alpaca/Coinbase style: one fill cancels the other).
 */
import { describe, expect, it } from 'vitest';
import { isTriggered } from '../../../src/venues/sim/engine/Conditionals.ts';
import { HEDGE_PERP_PROFILE, SPOT_PROFILE } from '../../../src/venues/sim/engine/profiles.ts';
import type { SimConditionalInput, SimEvent } from '../../../src/venues/sim/engine/types.ts';
import { balance, d, engine, ok, order, place, type TickSpec } from './engineSupport.ts';

const btc = HEDGE_PERP_PROFILE.instrument('BTCUSDT');
const btcUsd = SPOT_PROFILE.instrument('BTC-USD');
if (btc === undefined || btcUsd === undefined) throw new Error('reference profiles list BTCUSDT and BTC-USD');

const perpTick = (last: string, mark: string, index: string): TickSpec => ({
  last,
  mark,
  index,
  bids: [[d(last).minus('0.1').toString(), '5']],
  asks: [[last, '5']],
});
/** Falling then rising: last/mark/index move at different speeds. */
const PERP_PATH = [perpTick('17000', '17000', '17000'), perpTick('16950', '16980', '16990'), perpTick('16900', '16940', '16960'), perpTick('17100', '17050', '17080')];

const perp = () => {
  const e = engine(HEDGE_PERP_PROFILE, [btc], PERP_PATH);
  e.step();
  e.ex.fundAccount('a', 'USDT', d(100_000));
  place(e.ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', positionSide: 'long' }));
  return e;
};
const conditional = (c: Partial<SimConditionalInput> & Pick<SimConditionalInput, 'side' | 'kind' | 'triggerPrice' | 'triggerBy'>): SimConditionalInput => ({ account: 'a', symbol: 'BTCUSDT', positionSide: 'long', ...c });
const statuses = (events: ReadonlyArray<SimEvent>, id: string): string[] => events.flatMap((e) => (e.type === 'conditional' && e.conditional.conditionalId === id ? [e.conditional.status] : []));

describe('stand-alone conditional orders', () => {
  it('knows which way each kind fires: a stop against the position, a take-profit in its favour', () => {
    expect([isTriggered('stop', 'sell', d(99), d(100)), isTriggered('stop', 'sell', d(101), d(100)), isTriggered('stop', 'buy', d(100), d(100))]).toEqual([true, false, true]);
    expect([isTriggered('take_profit', 'sell', d(101), d(100)), isTriggered('take_profit', 'buy', d(101), d(100)), isTriggered('take_profit', 'buy', d(99), d(100))]).toEqual([true, false, true]);
  });

  it('closes the whole long leg with a stop-market closePosition when the mark falls to its trigger', () => {
    const { ex, step, events } = perp();
    const stop = ok(ex.placeConditional(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16950'), triggerBy: 'mark', closePosition: true })));
    expect([stop.status, stop.quantity, stop.closePosition]).toEqual(['untriggered', undefined, true]);
    step();
    // Last reached 16950, the mark (16980) did not.
    expect(ex.conditionalOrders('a').map((c) => c.conditionalId)).toEqual([stop.conditionalId]);
    step();
    expect(statuses(events, stop.conditionalId)).toEqual(['untriggered', 'triggered']);
    const fired = events.flatMap((e) => (e.type === 'conditional' && e.conditional.status === 'triggered' ? [e.conditional] : []))[0];
    const closing = ex.getOrder('a', 'BTCUSDT', { orderId: fired?.triggeredOrderId ?? '' });
    expect([closing?.type, closing?.side, closing?.quantity.toString(), closing?.status, closing?.reduceOnly, closing?.closeOnTrigger, closing?.stopOrderType, closing?.positionSide]).toEqual(['market', 'sell', '0.1', 'filled', true, true, 'stop', 'long']);
    expect(ex.positions('a', 'BTCUSDT').map((p) => p.size.toString())).toEqual(['0', '0']);
    expect(ex.conditionalOrders('a')).toEqual([]);
  });

  it('triggers by last, mark or index as asked: reduce-only stops with quantities and a take-profit on the way back up', () => {
    const { ex, step, events } = perp();
    const byLast = ok(ex.placeConditional(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16950'), triggerBy: 'last', quantity: d('0.02'), reduceOnly: true })));
    const byIndex = ok(ex.placeConditional(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16960'), triggerBy: 'index', quantity: d('0.03'), reduceOnly: true })));
    const tp = ok(ex.placeConditional(conditional({ side: 'sell', kind: 'take_profit', triggerPrice: d('17080'), triggerBy: 'last', quantity: d('0.04'), reduceOnly: true })));
    step();
    expect([statuses(events, byLast.conditionalId).at(-1), statuses(events, byIndex.conditionalId).at(-1)]).toEqual(['triggered', 'untriggered']);
    step();
    expect(statuses(events, byIndex.conditionalId).at(-1)).toBe('triggered');
    expect(ex.positions('a', 'BTCUSDT')[0]?.size.toString()).toBe('0.05');
    step();
    expect(statuses(events, tp.conditionalId)).toEqual(['untriggered', 'triggered']);
    expect(ex.positions('a', 'BTCUSDT')[0]?.size.toString()).toBe('0.01');
    expect(ex.orderHistory('a').slice(1).map((o) => [o.stopOrderType, o.quantity.toString()])).toEqual([['stop', '0.02'], ['stop', '0.03'], ['take_profit', '0.04']]);
  });

  it('places a limit order at its limit price when a stop-limit triggers', () => {
    const { ex, step, events } = perp();
    const c = ok(ex.placeConditional(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16950'), triggerBy: 'last', quantity: d('0.1'), limitPrice: d('16980'), reduceOnly: true })));
    step();
    const id = events.flatMap((e) => (e.type === 'conditional' && e.conditional.conditionalId === c.conditionalId ? [e.conditional.triggeredOrderId] : [])).at(-1);
    expect(ex.getOrder('a', 'BTCUSDT', { orderId: id ?? '' })).toMatchObject({ type: 'limit', timeInForce: 'gtc', status: 'new' });
    expect(ex.getOrder('a', 'BTCUSDT', { orderId: id ?? '' })?.price?.toString()).toBe('16980');
  });

  it('refuses a crossed trigger, closePosition with a quantity, limit or reduce-only flag, a missing quantity, an off-tick trigger and a missing leg', () => {
    const { ex } = perp();
    const code = (c: SimConditionalInput): string => {
      const r = ex.placeConditional(c);
      return r.ok ? 'ok' : r.code;
    };
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('17050'), triggerBy: 'last', quantity: d('0.01') }))).toBe('would_trigger_immediately');
    expect(code(conditional({ side: 'sell', kind: 'take_profit', triggerPrice: d('16990'), triggerBy: 'mark', quantity: d('0.01') }))).toBe('would_trigger_immediately');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16900'), triggerBy: 'last', closePosition: true, quantity: d('0.01') }))).toBe('invalid_request');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16900'), triggerBy: 'last', closePosition: true, reduceOnly: true }))).toBe('invalid_request');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16900'), triggerBy: 'last', closePosition: true, limitPrice: d('16890') }))).toBe('invalid_request');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16900'), triggerBy: 'last' }))).toBe('invalid_request');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16900.05'), triggerBy: 'last', quantity: d('0.01') }))).toBe('price_invalid');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16900'), triggerBy: 'last', quantity: d('0.01'), positionSide: undefined }))).toBe('invalid_request');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16900'), triggerBy: 'last', quantity: d('0.01'), clientOrderId: 'c1' }))).toBe('ok');
    expect(code(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16800'), triggerBy: 'last', quantity: d('0.01'), clientOrderId: 'c1' }))).toBe('duplicate_client_id');
    expect(ex.setTradingStop('a', 'BTCUSDT', { stopLoss: d(16000), positionSide: 'long' })).toMatchObject({ ok: false, code: 'not_supported' });
  });

  it('expires a closePosition stop that finds its leg flat, and cancels by id or client id', () => {
    const { ex, step, events } = perp();
    const onShort = ok(ex.placeConditional(conditional({ side: 'buy', kind: 'stop', triggerPrice: d('17050'), triggerBy: 'last', closePosition: true, positionSide: 'short' })));
    const keep = ok(ex.placeConditional(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16000'), triggerBy: 'last', quantity: d('0.01'), clientOrderId: 'keep' })));
    const drop = ok(ex.placeConditional(conditional({ side: 'sell', kind: 'stop', triggerPrice: d('16100'), triggerBy: 'last', quantity: d('0.01') })));
    expect(ok(ex.cancelConditional('a', 'BTCUSDT', { orderId: drop.conditionalId })).status).toBe('cancelled');
    expect(ex.cancelConditional('a', 'BTCUSDT', { orderId: drop.conditionalId })).toMatchObject({ ok: false, code: 'order_not_found' });
    expect(ex.cancelConditional('b', 'BTCUSDT', { clientOrderId: 'keep' })).toMatchObject({ ok: false, code: 'order_not_found' });
    step();
    step();
    step();
    const last = events.flatMap((e) => (e.type === 'conditional' && e.conditional.conditionalId === onShort.conditionalId ? [e.conditional] : [])).at(-1);
    expect([last?.status, last?.expiredBy, last?.triggeredOrderId]).toEqual(['expired', 'reduce_only_no_position', undefined]);
    expect(ex.conditionalOrders('a', 'BTCUSDT').map((c) => c.conditionalId)).toEqual([keep.conditionalId]);
    expect(ok(ex.cancelConditional('a', 'BTCUSDT', { clientOrderId: 'keep' })).status).toBe('cancelled');
  });
});

describe('OCO pairs and brackets (spot)', () => {
  const spot = (path: ReadonlyArray<TickSpec>) => {
    const e = engine(SPOT_PROFILE, [btcUsd], [{ last: '7000', bids: [['6999.99', '2']], asks: [['7000', '2']] }, ...path]);
    e.step();
    e.ex.fundAccount('a', 'USD', d(10_000));
    e.ex.fundAccount('a', 'BTC', d('0.5'));
    return e;
  };
  const oco = { account: 'a', symbol: 'BTC-USD', side: 'sell', quantity: d('0.5'), takeProfitPrice: d('7100'), stopTriggerPrice: d('6900'), stopTriggerBy: 'last' } as const;

  it('cancels the stop when the take-profit fills', () => {
    const { ex, step, events } = spot([{ last: '7100', trades: [['7100', '1', 'buy']], bids: [['7099.99', '2']], asks: [['7100.01', '2']] }]);
    const pair = ok(ex.placeOco(oco));
    expect([pair.takeProfit.status, pair.takeProfit.stopOrderType, pair.stop.status, pair.stop.ocoOrderId]).toEqual(['new', 'oco_take_profit', 'untriggered', pair.takeProfit.orderId]);
    expect(balance(ex, 'a', 'BTC')).toEqual(['0.5', '0']);
    step();
    expect(ex.getOrder('a', 'BTC-USD', { orderId: pair.takeProfit.orderId })?.status).toBe('filled');
    expect(statuses(events, pair.stop.conditionalId)).toEqual(['untriggered', 'cancelled']);
    expect(balance(ex, 'a', 'BTC')).toEqual(['0', '0']);
  });

  it('cancels the take-profit (releasing the base it held) and sells when the stop triggers', () => {
    const { ex, step, events } = spot([{ last: '6890', bids: [['6889.99', '2']], asks: [['6890', '2']] }]);
    const pair = ok(ex.placeOco(oco));
    step();
    expect(ex.getOrder('a', 'BTC-USD', { orderId: pair.takeProfit.orderId })).toMatchObject({ status: 'cancelled', cancelType: 'one_cancels_other' });
    const stop = events.flatMap((e) => (e.type === 'conditional' && e.conditional.conditionalId === pair.stop.conditionalId ? [e.conditional] : [])).at(-1);
    expect(stop?.status).toBe('triggered');
    expect(ex.getOrder('a', 'BTC-USD', { orderId: stop?.triggeredOrderId ?? '' })).toMatchObject({ side: 'sell', type: 'market', status: 'filled', stopOrderType: 'stop' });
    // 0.5 × 6889.99 = 3444.995, taker fee 20.66997.
    expect(balance(ex, 'a', 'USD')).toEqual(['13424.32503', '13424.32503']);
  });

  it('refuses an OCO whose take-profit is on the wrong side of its stop, or that the balance cannot cover, creating nothing', () => {
    const { ex } = spot([]);
    expect(ex.placeOco({ ...oco, takeProfitPrice: d('6800') })).toMatchObject({ ok: false, code: 'price_invalid' });
    expect(ex.placeOco({ ...oco, quantity: d('0.6') })).toMatchObject({ ok: false, code: 'insufficient_balance' });
    expect([ex.openOrders('a'), ex.conditionalOrders('a')]).toEqual([[], []]);
  });

  it('arms a bracket exit for what the entry filled: at once for a marketable entry, at the fill for a resting one', () => {
    const { ex, step } = spot([{ last: '6950', trades: [['6950', '1', 'sell']], bids: [['6949.99', '2']], asks: [['6950', '2']] }]);
    const exits = { takeProfitPrice: d('7100'), stopTriggerPrice: d('6800'), stopTriggerBy: 'last' as const };
    expect(ex.placeBracket({ entry: order({ symbol: 'BTC-USD', side: 'buy', quantity: '0.2' }), ...exits, takeProfitPrice: d('6700') })).toMatchObject({ ok: false, code: 'price_invalid' });
    const now = ok(ex.placeBracket({ entry: order({ symbol: 'BTC-USD', side: 'buy', quantity: '0.2' }), ...exits }));
    expect(now.status).toBe('filled');
    expect(ex.openOrders('a').map((o) => [o.side, o.quantity.toString(), o.price?.toString(), o.stopOrderType])).toEqual([['sell', '0.2', '7100', 'oco_take_profit']]);
    expect(ex.conditionalOrders('a').map((c) => [c.kind, c.quantity?.toString(), c.triggerPrice.toString()])).toEqual([['stop', '0.2', '6800']]);
    const later = ok(ex.placeBracket({ entry: order({ symbol: 'BTC-USD', side: 'buy', quantity: '0.3', price: '6950' }), ...exits }));
    expect(later.status).toBe('new');
    expect(ex.conditionalOrders('a')).toHaveLength(1);
    step();
    expect(ex.getOrder('a', 'BTC-USD', { orderId: later.orderId })?.status).toBe('filled');
    expect(ex.openOrders('a').map((o) => o.quantity.toString())).toEqual(['0.2', '0.3']);
    expect(ex.conditionalOrders('a').map((c) => c.quantity?.toString())).toEqual(['0.2', '0.3']);
  });
});
