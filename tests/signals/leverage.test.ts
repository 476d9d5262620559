/**
 * The S0 leverage policy as a table (S0-4, S0-5, C-1): each row a mode, a named leverage and whether the signal has a
 * stop loss, and the policy's verdict — including the negatives the requirement names (6.01 FIXED, 7.49 DYNAMIC,
 * FAST) — and the auto-SL at 2 % from the entry reference, on the tick, with the x10 lock.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { autoStopLoss, leveragePolicy, parseSignal, type LeverageProblem, type SignalMode } from '../../src/signals/index.ts';
import { POOL_CONTEXT } from './signalMessages.ts';

const TICK = new Decimal('0.1');
const ENTRY = new Decimal('100');
const STOP = new Decimal('95');

interface Row {
  readonly title: string;
  readonly mode: SignalMode;
  readonly leverage: string | undefined;
  readonly stop: boolean;
  readonly expected: { readonly leverage: string; readonly autoSl: boolean } | LeverageProblem;
}

const ROWS: ReadonlyArray<Row> = [
  { title: 'S0-4 SWING without a leverage trades at x6.00', mode: 'SWING', leverage: undefined, stop: true, expected: { leverage: '6', autoSl: false } },
  { title: 'S0-4 SWING naming x6 trades at x6.00', mode: 'SWING', leverage: '6', stop: true, expected: { leverage: '6', autoSl: false } },
  { title: 'S0-4 SWING naming x6.00 trades at x6.00', mode: 'SWING', leverage: '6.00', stop: true, expected: { leverage: '6', autoSl: false } },
  { title: 'S0-4 SWING naming anything but x6 is refused (x10)', mode: 'SWING', leverage: '10', stop: true, expected: 'swing_is_six' },
  { title: 'S0-4 SWING naming x6.01 is refused', mode: 'SWING', leverage: '6.01', stop: true, expected: 'swing_is_six' },
  { title: 'S0-4 DYNAMIC without a leverage trades at x7.50', mode: 'DYNAMIC', leverage: undefined, stop: true, expected: { leverage: '7.5', autoSl: false } },
  { title: 'S0-4 DYNAMIC at exactly x7.50 is accepted', mode: 'DYNAMIC', leverage: '7.50', stop: true, expected: { leverage: '7.5', autoSl: false } },
  { title: 'S0-4 DYNAMIC at x8.25 (two decimals) is accepted', mode: 'DYNAMIC', leverage: '8.25', stop: true, expected: { leverage: '8.25', autoSl: false } },
  { title: 'S0-4 DYNAMIC at x7.49 is refused (below x7.50)', mode: 'DYNAMIC', leverage: '7.49', stop: true, expected: 'dynamic_below_minimum' },
  { title: 'S0-4 DYNAMIC at x6 is refused (below x7.50)', mode: 'DYNAMIC', leverage: '6', stop: true, expected: 'dynamic_below_minimum' },
  { title: 'S0-4 DYNAMIC at x8.255 is refused (more than two decimals)', mode: 'DYNAMIC', leverage: '8.255', stop: true, expected: 'too_many_decimals' },
  { title: 'S0-4 FIXED without a leverage is refused (explicit only)', mode: 'FIXED', leverage: undefined, stop: true, expected: 'fixed_needs_leverage' },
  { title: 'S0-4 FIXED at x6.00 is accepted (the band is open)', mode: 'FIXED', leverage: '6.00', stop: true, expected: { leverage: '6', autoSl: false } },
  { title: 'S0-4 FIXED at x6.01 is refused (strictly between x6 and x7.5)', mode: 'FIXED', leverage: '6.01', stop: true, expected: 'fixed_forbidden_band' },
  { title: 'S0-4 FIXED at x7 is refused (strictly between x6 and x7.5)', mode: 'FIXED', leverage: '7', stop: true, expected: 'fixed_forbidden_band' },
  { title: 'S0-4 FIXED at x7.49 is refused (strictly between x6 and x7.5)', mode: 'FIXED', leverage: '7.49', stop: true, expected: 'fixed_forbidden_band' },
  { title: 'S0-4 FIXED at x7.50 is accepted (the band is open)', mode: 'FIXED', leverage: '7.50', stop: true, expected: { leverage: '7.5', autoSl: false } },
  { title: 'S0-4 FIXED at x3 is accepted (below the band)', mode: 'FIXED', leverage: '3', stop: true, expected: { leverage: '3', autoSl: false } },
  { title: 'S0-4 FIXED at x20 is accepted (above the band)', mode: 'FIXED', leverage: '20', stop: true, expected: { leverage: '20', autoSl: false } },
  { title: 'S0-4 FIXED at x0.5 is refused (below x1)', mode: 'FIXED', leverage: '0.5', stop: true, expected: 'below_one' },
  { title: 'S0-4 a leverage above the instrument maximum (x101 of x100) is refused', mode: 'FIXED', leverage: '101', stop: true, expected: 'above_instrument_max' },
  { title: 'S0-5 SWING without a stop loss: auto-SL and leverage locked at x10', mode: 'SWING', leverage: undefined, stop: false, expected: { leverage: '10', autoSl: true } },
  { title: 'S0-5 DYNAMIC x8.25 without a stop loss: auto-SL and leverage locked at x10', mode: 'DYNAMIC', leverage: '8.25', stop: false, expected: { leverage: '10', autoSl: true } },
  { title: 'S0-5 FIXED x20 without a stop loss: auto-SL and leverage locked at x10', mode: 'FIXED', leverage: '20', stop: false, expected: { leverage: '10', autoSl: true } },
  { title: 'S0-5 the lock does not excuse a malformed leverage: FIXED x6.5 without a stop is still refused', mode: 'FIXED', leverage: '6.5', stop: false, expected: 'fixed_forbidden_band' },
  { title: 'S0-5 the lock does not excuse a leverage above the instrument maximum', mode: 'FIXED', leverage: '150', stop: false, expected: 'above_instrument_max' },
];

describe('S0-4 S0-5 the leverage policy table', () => {
  for (const row of ROWS) {
    it(row.title, () => {
      const decision = leveragePolicy({
        mode: row.mode,
        leverage: row.leverage === undefined ? undefined : new Decimal(row.leverage),
        side: 'long',
        stopLoss: row.stop ? STOP : undefined,
        entryReference: ENTRY,
        tickSize: TICK,
        maxLeverage: new Decimal(100),
      });
      if (typeof row.expected === 'string') expect(decision).toEqual({ ok: false, problem: row.expected });
      else {
        expect(decision.ok).toBe(true);
        if (!decision.ok) return;
        expect({ leverage: decision.plan.leverage.toString(), autoSl: decision.plan.autoSl }).toEqual(row.expected);
        expect(decision.plan.stopLoss.toString()).toBe(row.stop ? '95' : '98');
      }
    });
  }
});

describe('S0-5 the auto-SL at 2 % from the entry reference', () => {
  it('S0-5 is OEP × (1 − 0.02) for a long and OEP × (1 + 0.02) for a short, on the nearest tick', () => {
    expect(autoStopLoss(new Decimal('68000'), 'long', TICK).toString()).toBe('66640');
    expect(autoStopLoss(new Decimal('68000'), 'short', TICK).toString()).toBe('69360');
    // 0.4537 × 0.98 = 0.444626 → 0.4446; × 1.02 = 0.462774 → 0.4628 on a 0.0001 tick.
    expect(autoStopLoss(new Decimal('0.4537'), 'long', new Decimal('0.0001')).toString()).toBe('0.4446');
    expect(autoStopLoss(new Decimal('0.4537'), 'short', new Decimal('0.0001')).toString()).toBe('0.4628');
    // 101.3 × 0.98 = 99.274 → 99.5 on a 0.5 tick (nearest).
    expect(autoStopLoss(new Decimal('101.3'), 'long', new Decimal('0.5')).toString()).toBe('99.5');
  });

  it('S0-5 a parsed signal without a stop loss carries the auto-SL from its first entry and the x10 lock', () => {
    const r = parseSignal('#BTCUSDT LONG SWING\nEntry: 68000 - 67500\nTP1: 69000', POOL_CONTEXT);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.signal.stopLoss).toBeUndefined();
    expect({ leverage: r.signal.plan.leverage.toString(), stopLoss: r.signal.plan.stopLoss.toString(), autoSl: r.signal.plan.autoSl }).toEqual({ leverage: '10', stopLoss: '66640', autoSl: true });
  });
});

describe('C-1 FAST is no mode', () => {
  it('C-1 S0-4 a FAST signal never reaches the leverage policy: the parser refuses it with ModeRefused', () => {
    for (const mode of ['FAST', 'SCALP', 'SCALPING']) {
      expect(parseSignal(`#BTCUSDT LONG ${mode}\nEntry: 68000\nTP1: 69000\nSL: 67000\nLeverage: x10`, POOL_CONTEXT)).toEqual({ ok: false, error: { _tag: 'ModeRefused', mode, symbol: 'BTCUSDT' } });
    }
  });
});
