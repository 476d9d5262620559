/**
 * Specs of the venue profiles: the Bybit linear profile spells every neutral order reason, cancel cause and order
 * origin as Bybit reports them and maps every neutral reject code to a Bybit retCode (110043 only on set-leverage);
 * the reference profiles keep the neutral words; the engine's default profile is Bybit's, with its fees and limits.
 */
import { describe, expect, it } from 'vitest';
import { RetCode, BYBIT_SPELLING } from '../../../src/venues/sim/bybit/codes.ts';
import { BYBIT_LINEAR_PROFILE, bybitLinearInstrument } from '../../../src/venues/sim/bybit/profile.ts';
import { CASH_EQUITY_PROFILE, HEDGE_PERP_PROFILE, NEUTRAL_SPELLING, SPOT_PROFILE } from '../../../src/venues/sim/engine/profiles.ts';
import type { SimRejectCode } from '../../../src/venues/sim/engine/types.ts';
import { d, engine, order, place } from './engineSupport.ts';

const CODES: ReadonlyArray<SimRejectCode> = [
  'unknown_symbol',
  'duplicate_client_id',
  'order_not_found',
  'insufficient_margin',
  'reduce_only_no_position',
  'qty_invalid',
  'price_invalid',
  'min_notional',
  'too_many_orders',
  'not_modified',
  'invalid_request',
  'insufficient_balance',
  'market_closed',
  'not_supported',
  'would_trigger_immediately',
];

describe('Bybit linear profile', () => {
  it('spells the neutral order reasons, cancel causes and origins as Bybit reports them', () => {
    expect(BYBIT_SPELLING.reason).toEqual({ none: 'EC_NoError', post_only_would_take: 'EC_PostOnlyWillTakeLiquidity', no_immediate_fill: 'EC_NoImmediateQtyToFill', fok_not_filled: 'EC_NoEnoughQtyToFill' });
    expect([BYBIT_SPELLING.cancel.unknown, BYBIT_SPELLING.cancel.user, BYBIT_SPELLING.cancel.reduce_only]).toEqual(['UNKNOWN', 'CancelByUser', 'CancelByReduceOnly']);
    expect([BYBIT_SPELLING.origin.user, BYBIT_SPELLING.origin.position_take_profit, BYBIT_SPELLING.origin.position_stop_loss, BYBIT_SPELLING.origin.stop]).toEqual(['', 'TakeProfit', 'StopLoss', 'Stop']);
    expect(BYBIT_LINEAR_PROFILE.spelling).toBe(BYBIT_SPELLING);
  });

  it('maps every neutral reject code to a retCode, 110043 only for an unchanged leverage', () => {
    const codes = Object.fromEntries(CODES.map((c) => [c, BYBIT_LINEAR_PROFILE.rejectCode(c, 'place')]));
    expect(codes).toEqual({
      unknown_symbol: RetCode.paramError,
      duplicate_client_id: RetCode.duplicateOrderLinkId,
      order_not_found: RetCode.orderNotExists,
      insufficient_margin: RetCode.insufficientBalance,
      reduce_only_no_position: RetCode.reduceOnlyZeroPosition,
      qty_invalid: RetCode.paramError,
      price_invalid: RetCode.priceOutOfRange,
      min_notional: RetCode.minNotional,
      too_many_orders: RetCode.tooManyOrders,
      not_modified: RetCode.paramError,
      invalid_request: RetCode.paramError,
      insufficient_balance: RetCode.insufficientBalance,
      market_closed: RetCode.paramError,
      not_supported: RetCode.paramError,
      would_trigger_immediately: RetCode.paramError,
    });
    expect(BYBIT_LINEAR_PROFILE.rejectCode('not_modified', 'leverage')).toBe(110043);
    expect(BYBIT_LINEAR_PROFILE.rejectCode('not_modified', 'trading_stop')).toBe(10001);
  });

  it('is the engine default: Bybit fees, one-way positions, position TP/SL, EC_* reasons on orders', () => {
    const { ex, step } = engine(BYBIT_LINEAR_PROFILE, [bybitLinearInstrument('BTCUSDT')], [{ last: '17000', bids: [['16999.9', '1']], asks: [['17000', '1']] }]);
    step();
    ex.fundAccount('a', 'USDT', d(10_000));
    const taker = place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1' }));
    expect([taker.rejectReason, taker.cancelType, taker.stopOrderType]).toEqual(['EC_NoError', 'UNKNOWN', '']);
    expect(ex.executions('a')[0]?.feeRate.toString()).toBe('0.00055');
    expect(ex.positions('a', 'BTCUSDT')[0]).not.toHaveProperty('positionSide');
    expect(BYBIT_LINEAR_PROFILE).toMatchObject({ accountModel: 'linear_perp', positionMode: 'one_way', protection: 'position', maxOpenOrdersPerSymbol: 500, zeroQuantityClosesPosition: true });
    expect([BYBIT_LINEAR_PROFILE.makerFeeRate.toString(), BYBIT_LINEAR_PROFILE.defaultLeverage.toString()]).toEqual(['0.0002', '10']);
  });
});

describe('reference profiles', () => {
  it('keep the neutral words and codes', () => {
    for (const p of [SPOT_PROFILE, HEDGE_PERP_PROFILE, CASH_EQUITY_PROFILE]) {
      expect(p.spelling).toBe(NEUTRAL_SPELLING);
      expect(CODES.map((c) => p.rejectCode(c, 'place'))).toEqual(CODES);
    }
    expect(NEUTRAL_SPELLING.reason.post_only_would_take).toBe('post_only_would_take');
    expect([SPOT_PROFILE.accountModel, HEDGE_PERP_PROFILE.positionMode, CASH_EQUITY_PROFILE.session?.timeZone]).toEqual(['spot', 'hedge', 'America/New_York']);
  });
});
