/**
 * Golden tests of every notification template (S0-18, S0-19, X-TST-5, X-NTF-4): each renders its typed event to exactly
 * the text in tests/fixtures/notify/<TEMPLATE>.txt — headings, numbering, `#SYMBOL` hashtags, `11 %` with a space —
 * and ORDER_PLACED / POSITION_OPENED refuse, with a typed error naming the field, when a required field is missing.
 * Those two come twice: a followed signal's order (its source's name, IM confirmed yes) and a strategy's own order
 * (`<TEMPLATE>.strategy.txt`: its strategy id, IM confirmed no).
 */
import { readFileSync } from 'node:fs';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { ORDER_REQUIRED_FIELDS } from '../../src/notify/templates/orderPlaced.ts';
import { STOP_MOVED_REQUIRED_FIELDS } from '../../src/notify/templates/stopMoved.ts';
import { PYRAMID_STEP_REQUIRED_FIELDS } from '../../src/notify/templates/pyramidStep.ts';
import { HEDGE_REQUIRED_FIELDS } from '../../src/notify/templates/hedge.ts';
import { ladderStepLabel, S0_LADDER } from '../../src/domain/ladder.ts';
import { renderTemplate, TemplateError, type TemplateEvent } from '../../src/notify/templates/index.ts';

const d = (s: string): Decimal => new Decimal(s);
const golden = (name: string): string => readFileSync(new URL(`../fixtures/notify/${name}.txt`, import.meta.url), 'utf8');
const ms = (iso: string): number => Date.parse(iso);

// The BTCUSDT short of the demo run: 0.291 @ 17161.4, leverage 6, notional 4993.9674 → IM 832.3279; followed from
// CRYPTORAKETEN, its x6 set and read back at the venue before the entry (S0-4).
const order = {
  symbol: 'BTCUSDT', side: 'sell', leverage: d('6'), initialMargin: d('4993.9674').div(6), settleAsset: 'USDT',
  orderId: 'dd911407-471b-4c86-a41f-000000000001', postOnly: true, reduceOnly: false, imConfirmed: true, sourceChannelName: 'CRYPTORAKETEN', triggerSource: 'mark',
} as const;
// The same order as a strategy's own: the source is the strategy id; it trades at the account's leverage, not read back.
const strategyOrder = { ...order, imConfirmed: false, sourceChannelName: 'breakout' } as const;
const figures = { settleAsset: 'USDT', zone: 'Europe/Stockholm' } as const;

const EVENTS: Readonly<Record<string, TemplateEvent>> = {
  ORDER_PLACED: { template: 'ORDER_PLACED', ...order, price: d('17161.4'), quantity: d('0.291'), clientOrderId: 'tw-signals-lblhba86-0' },
  POSITION_OPENED: { template: 'POSITION_OPENED', ...order, entryPrice: d('17161.4'), quantity: d('0.291'), takeProfit: d('17058.4'), stopLoss: d('17230') },
  'ORDER_PLACED.strategy': { template: 'ORDER_PLACED', ...strategyOrder, price: d('17161.4'), quantity: d('0.291'), clientOrderId: 'tw-breakout-lblhba86-0' },
  'POSITION_OPENED.strategy': { template: 'POSITION_OPENED', ...strategyOrder, entryPrice: d('17161.4'), quantity: d('0.291'), takeProfit: d('17058.4'), stopLoss: d('17230') },
  TP_HIT: { template: 'TP_HIT', level: 2, symbol: 'ETHUSDT', side: 'long', entryPrice: d('1250'), exitPrice: d('1387.5'), quantity: d('2'), realizedPnl: d('275'), initialMargin: d('2500').div(6), settleAsset: 'USDT' },
  // S0-11: the demo short's stop to break-even, OEP − 0.0015 % (17161.1425, rounded into profit to the 0.1 tick).
  STOP_MOVED: {
    template: 'STOP_MOVED', symbol: 'BTCUSDT', side: 'short', movedBy: 'breakEven', stopLoss: d('17161.1'), previousStopLoss: d('17230'), entryPrice: d('17161.4'),
    takeProfit: d('17058.4'), triggerSource: 'mark', sourceChannelName: 'CRYPTORAKETEN',
  },
  // S0-13: a long from 1250 with TP 11 % away; at a mark of 1330 the trailer puts the stop 2.5 % behind it (1296.75).
  'STOP_MOVED.trailing': {
    template: 'STOP_MOVED', symbol: 'ETHUSDT', side: 'long', movedBy: 'trailing', stopLoss: d('1330').times('0.975'), previousStopLoss: d('1250.02'), entryPrice: d('1250'),
    takeProfit: d('1387.5'), triggerSource: 'last', sourceChannelName: 'breakout',
  },
  SL_HIT: { template: 'SL_HIT', symbol: 'BTCUSDT', side: 'short', entryPrice: d('17161.4'), exitPrice: d('17230'), quantity: d('0.291'), realizedPnl: d('-19.9626'), initialMargin: order.initialMargin, settleAsset: 'USDT' },
  POSITION_CLOSED: {
    template: 'POSITION_CLOSED', reason: 'exit', symbol: 'BTCUSDT', side: 'short', entryPrice: d('17161.4'), exitPrice: d('17149.1'), quantity: d('0.291'),
    realizedPnl: d('-1.91209553'), fees: d('5.49139553'), initialMargin: order.initialMargin, settleAsset: 'USDT',
  },
  ERROR: { template: 'ERROR', code: 'ORDER_REJECTED', venueCode: '110007', message: 'insufficient available balance', symbol: 'ADAUSDT', clientOrderId: 'tw-breakout-lblhj0x4-0' },
  // The day of the spring DST change in Stockholm: midnight is still CET (+01:00).
  DAILY_REPORT: {
    template: 'DAILY_REPORT', ...figures, from: ms('2026-03-28T23:00:00Z'), trades: 8, wins: 3, losses: 5, winRate: d('0.375'), pnl: d('-43.92728886'), fees: d('40.1214'),
    reEntries: 1, hedges: 0, pyramidStep: 4,
  },
  WEEKLY_REPORT: {
    template: 'WEEKLY_REPORT', ...figures, from: ms('2026-03-22T23:00:00Z'), to: ms('2026-03-29T21:59:59.999Z'), trades: 21, wins: 12, losses: 9, winRate: d('12').div(21),
    pnl: d('118.4'), fees: d('96.031'), reEntries: 2, hedges: 1, pyramidStep: undefined,
    topSymbols: [{ symbol: 'BTCUSDT', trades: 11, pnl: d('90.1') }, { symbol: 'ADAUSDT', trades: 9, pnl: d('30.3') }, { symbol: 'ETHUSDT', trades: 1, pnl: d('-2') }],
  },
  // S0-9: the demo short's Step 4 (x6 → x50, leverage only) and a Step 5 add-on the venue refused.
  PYRAMID_STEP: {
    template: 'PYRAMID_STEP', symbol: 'BTCUSDT', side: 'short', step: 4, result: 'done', reason: undefined, entryPrice: d('17161.4'), quantity: d('0.291'), leverage: d('50'), sourceChannelName: 'CRYPTORAKETEN',
  },
  'PYRAMID_STEP.blocked': {
    template: 'PYRAMID_STEP', symbol: 'BTCUSDT', side: 'short', step: 5, result: 'blocked', reason: 'add-on rejected (110007)', entryPrice: d('17161.4'), quantity: d('0.291'), leverage: d('50'), sourceChannelName: 'CRYPTORAKETEN',
  },  HEDGE: {
    template: 'HEDGE', symbol: 'BTCUSDT', side: 'long', action: 'on', entryPrice: d('17161.4'), quantity: d('0.291'), takeProfit: d('16732.4'), stopLoss: d('17161.4'),
    pnl: undefined, settleAsset: 'USDT', reason: undefined, sourceChannelName: 'CRYPTORAKETEN',
  },
  'HEDGE.closed': {
    template: 'HEDGE', symbol: 'BTCUSDT', side: 'long', action: 'off', entryPrice: d('17161.4'), quantity: d('0.291'), takeProfit: d('16732.4'), stopLoss: d('17161.4'),
    pnl: d('-7.5123'), settleAsset: 'USDT', reason: undefined, sourceChannelName: 'CRYPTORAKETEN',
  },
  'HEDGE.failed': {
    template: 'HEDGE', symbol: 'BTCUSDT', side: 'short', action: 'refused', entryPrice: d('17161.4'), quantity: d('0.291'), takeProfit: d('17590.5'), stopLoss: d('17161.4'),
    pnl: undefined, settleAsset: 'USDT', reason: 'hedge rejected (110007 insufficient_margin)', sourceChannelName: 'CRYPTORAKETEN',
  },

  HEARTBEAT: {
    template: 'HEARTBEAT', at: ms('2026-03-29T06:30:00Z'), zone: 'Europe/Stockholm', tradingOn: false, reasons: ['kill switch engaged', 'venue_ws down'],
    openPositions: 2, workingOrders: 1, equity: d('100012.5'), settleAsset: 'USDT', uptimeMs: (26 * 60 + 5) * 60_000,
  },
};

const textOf = (e: TemplateEvent): string => {
  const r = renderTemplate(e);
  if (Either.isLeft(r)) throw r.left;
  return r.right.text;
};

describe('notification templates (S0-18, S0-19, X-TST-5)', () => {
  for (const [name, event] of Object.entries(EVENTS)) {
    it(`S0-18 X-NTF-4 X-TST-5 ${name} renders exactly its golden text`, () => {
      expect(textOf(event)).toBe(golden(name));
    });
  }

  it('S0-18 every S0 template has a golden file and hashtags its symbol with a space before every %', () => {
    for (const [name, event] of Object.entries(EVENTS)) {
      const text = textOf(event);
      if ('symbol' in event && event.symbol !== undefined) expect(text, name).toContain(`#${event.symbol}`);
      expect(text, name).not.toMatch(/\d%/);
    }
  });

  for (const template of ['ORDER_PLACED', 'POSITION_OPENED'] as const) {
    for (const field of ORDER_REQUIRED_FIELDS) {
      it(`S0-18 X-NTF-2 ${template} is refused with a typed error when ${field} is missing`, () => {
        const r = renderTemplate({ ...EVENTS[template]!, [field]: undefined });
        expect(Either.isLeft(r)).toBe(true);
        const e = Either.isLeft(r) ? r.left : undefined;
        expect(e).toBeInstanceOf(TemplateError);
        expect(e?.reason).toEqual({ _tag: 'MissingField', field });
        expect(e?.message).toBe(`template ${template}: required field ${field} is missing`);
      });
    }
  }

  for (const field of STOP_MOVED_REQUIRED_FIELDS) {
    it(`S0-11 S0-13 S0-18 X-NTF-4 STOP_MOVED is refused with a typed error when ${field} is missing`, () => {
      const r = renderTemplate({ ...EVENTS['STOP_MOVED']!, [field]: undefined });
      expect(Either.isLeft(r)).toBe(true);
      const e = Either.isLeft(r) ? r.left : undefined;
      expect(e).toBeInstanceOf(TemplateError);
      expect(e?.reason).toEqual({ _tag: 'MissingField', field });
      expect(e?.message).toBe(`template STOP_MOVED: required field ${field} is missing`);
    });
  }

  it('S0-11 S0-13 S0-18 STOP_MOVED names what moved the stop and shows every level with its distance from the OEP', () => {
    expect(textOf(EVENTS['STOP_MOVED']!)).toContain('\nMoved by: break-even\nNew SL: 17161.1 (+0.00 %)\nPrevious SL: 17230 (-0.40 %)\nOEP: 17161.4\nTP: 17058.4 (+0.60 %)\n');
    expect(textOf(EVENTS['STOP_MOVED.trailing']!)).toMatch(/\nMoved by: trailing\nNew SL: 1296\.75 \(\+3\.74 %\)\n.*\nTP: 1387\.5 \(\+11\.00 %\)\nTrigger: Last\nSource: breakout$/s);
  });

  it('S0-18 X-NTF-4 a followed signal\'s order shows its source\'s name and IM confirmed yes; a strategy\'s own its strategy id and no', () => {
    for (const template of ['ORDER_PLACED', 'POSITION_OPENED']) {
      expect(textOf(EVENTS[template]!)).toMatch(/\nIM confirmed: yes\nTrigger: Mark\nSource: CRYPTORAKETEN$/);
      expect(textOf(EVENTS[`${template}.strategy`]!)).toMatch(/\nIM confirmed: no\nTrigger: Mark\nSource: breakout$/);
    }
  });

  it('S0-18 an empty source channel name counts as missing; a TP level must be a positive integer', () => {
    const r = renderTemplate({ ...EVENTS['ORDER_PLACED']!, sourceChannelName: ' ' } as TemplateEvent);
    expect(Either.isLeft(r) && r.left.reason).toEqual({ _tag: 'MissingField', field: 'sourceChannelName' });
    const tp = renderTemplate({ ...EVENTS['TP_HIT']!, level: 0 } as TemplateEvent);
    expect(Either.isLeft(tp) && tp.left.reason._tag).toBe('InvalidField');
  });

  it('S0-9 S0-23 ladder numbering is the same in code and in messages: PYRAMID_STEP n shows the ladder table\'s Step n (Step 1 = the entry, C-10), and no other number', () => {
    const base = EVENTS['PYRAMID_STEP'] as Extract<TemplateEvent, { template: 'PYRAMID_STEP' }>;
    for (const step of S0_LADDER.filter((s) => s.step > 1)) {
      const text = textOf({ ...base, step: step.step });
      const [title, , label] = text.split('\n');
      expect(title).toBe(`🪜 PYRAMID STEP ${String(step.step)} #BTCUSDT`);
      expect(label).toBe(ladderStepLabel(step));
      expect(label!.startsWith(`Pyramid Step ${String(step.step)} (`)).toBe(true);
      expect([...text.matchAll(/Step (\d+)/gi)].map((m) => Number(m[1]))).toEqual([step.step, step.step]);
    }
    // Step 4 is the +2.4 % leverage-only step, Step 5 the first margin add-on (C-10's harmonised numbering).
    expect(textOf(base)).toContain('\nPyramid Step 4 (+2.4 %): leverage → max (leverage only)\n');
    for (const bad of [1, 9, 0]) {
      const r = renderTemplate({ ...base, step: bad });
      expect(Either.isLeft(r) && r.left.reason._tag).toBe('InvalidField');
    }
  });

  for (const field of HEDGE_REQUIRED_FIELDS) {
    it(`S0-12 S0-18 X-NTF-4 HEDGE is refused with a typed error when ${field} is missing`, () => {
      const r = renderTemplate({ ...EVENTS['HEDGE']!, [field]: undefined });
      expect(Either.isLeft(r) && r.left.reason).toEqual({ _tag: 'MissingField', field });
    });
  }

  it('S0-12 S0-18 a closed HEDGE needs its PnL; the hedge is the other side with TP at the position\'s SL and SL at the OEP', () => {
    const r = renderTemplate({ ...EVENTS['HEDGE.closed']!, pnl: undefined } as TemplateEvent);
    expect(Either.isLeft(r) && r.left.reason).toEqual({ _tag: 'MissingField', field: 'pnl' });
    expect(textOf(EVENTS['HEDGE']!)).toContain('\nPosition: LONG, hedge SHORT 0.291\nOEP: 17161.4\nHedge TP: 16732.4 (the position\'s SL)\nHedge SL: 17161.4 (the OEP)\n');
    expect(textOf(EVENTS['HEDGE.failed']!)).toContain('Position: SHORT, hedge LONG 0.291');
  });

  for (const field of PYRAMID_STEP_REQUIRED_FIELDS) {
    it(`S0-9 S0-18 X-NTF-4 PYRAMID_STEP is refused with a typed error when ${field} is missing`, () => {
      const r = renderTemplate({ ...EVENTS['PYRAMID_STEP']!, [field]: undefined });
      expect(Either.isLeft(r) && r.left.reason).toEqual({ _tag: 'MissingField', field });
    });
  }

  it('S0-18 ALERT renders raise, escalation and resolution with its fields in key order', () => {
    const alert = { template: 'ALERT', key: 'staleness:BTCUSDT', severity: 'CRITICAL', message: 'quotes older than 5 s', suppressed: 3, fields: { symbol: 'BTCUSDT', ageMs: 7400 } } as const;
    expect(textOf({ ...alert, kind: 'escalated' })).toBe('🚨 ALERT ESCALATED CRITICAL\nKey: staleness:BTCUSDT\nquotes older than 5 s\nSuppressed repeats: 3\nageMs: 7400\nsymbol: BTCUSDT');
    expect(textOf({ ...alert, kind: 'resolved', severity: 'INFO', suppressed: 0, fields: {} })).toBe('✅ ALERT RESOLVED INFO\nKey: staleness:BTCUSDT\nquotes older than 5 s');
  });
});
