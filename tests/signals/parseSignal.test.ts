/**
 * The S0 signal grammar by example (S0-1, S0-3, C-1; docs/signals.md): every spelling the docs promise parses to the
 * same signal, prices snap to the tick as documented, and every refusal reason is produced by a message that
 * deserves it. The property suites (parseSignal.property.test.ts) generalise these.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { parseSignal, rawTextHash, type ParseContext, type SignalRefusal } from '../../src/signals/index.ts';
import { INSTRUMENTS, POOL_CONTEXT, said } from './signalMessages.ts';

const accept = (text: string, ctx: ParseContext = POOL_CONTEXT): ReturnType<typeof said> => {
  const r = parseSignal(text, ctx);
  if (!r.ok) throw new Error(`refused ${JSON.stringify(r.error)}:\n${text}`);
  return said(r.signal);
};

const refuse = (text: string, ctx: ParseContext = POOL_CONTEXT): SignalRefusal => {
  const r = parseSignal(text, ctx);
  if (r.ok) throw new Error(`accepted:\n${text}`);
  return r.error;
};

const BTC_LONG = {
  symbol: 'BTCUSDT',
  side: 'long',
  mode: 'SWING',
  entries: ['68000', '67500'],
  targets: ['69000', '70000', '71000'],
  stopLoss: '66000',
  leverage: undefined,
  plan: { leverage: '6', stopLoss: '66000', autoSl: false },
} as const;

describe('S0-3 the grammar: one signal, many spellings', () => {
  const spellings: ReadonlyArray<readonly [string, string]> = [
    ['hashtag symbol, numbered TP lines, SL:', '#BTCUSDT LONG\nMode: SWING\nEntry: 67500 - 68000\nTP1: 69000\nTP2: 70000\nTP3: 71000\nSL: 66000'],
    ['slash symbol, entry zone, Target n -, Stop loss', 'BTC/USDT\nBUY\n#swing\nEntry zone 67500-68000\nTarget 1 - 69000\nTarget 2 - 70000\nTarget 3 - 71000\nStop loss 66000'],
    ['lower-case symbol, Targets list, Stop:', 'btcusdt long swing\nentry: 68000 to 67500\ntargets: 69000, 70000, 71000\nstop: 66000'],
    ['one line, any order', 'SL: 66000 | Targets: 71000, 69000, 70000 | SWING | Entries: 68000, 67500 | BTC-USDT | LONG'],
    ['emoji, markdown, en dash, take profit n:', '🚀🚀 **#BTC/USDT** 📈 LONG\n⚡️ Swing trade ⚡️\n🎯 Entry: 67500 – 68000\n✅ Take profit 1: 69000\n✅ Take-profit 2: 70000\n✅ Take Profit 3: 71000\n⛔️ Stop-loss: 66000'],
    ['numbered list under Targets:, entries numbered', '$BTCUSDT\nSide: Long\nType = swing\nEntry 1: 68000\nEntry 2: 67500\nTargets:\n1) 69000\n2) 70000\n3) 71000\nS/L = 66000'],
    ['keycap digits, bullet list', '#BTCUSDT LONG SWING\nEntry between 67500 and 68000\nTake profit targets:\n1️⃣ 69000\n2️⃣ 70000\n3️⃣ 71000\nStopLoss 66000'],
    ['dash bullets and annotations', 'BTCUSDT LONG (SWING)\nBuy zone: 67500 - 68000\nTargets 🎯\n- 69000 (+1.5 %)\n- 70000 (+2.9%)\n- 71000\nSL 66000\nR/R 1:3\nRisk: 2%'],
    ['T1…, TP n =, SL attached', 'LONG #BTCUSDT #SWING\nEntry: 67500/68000\nT1: 69000\nTP 2 = 70000\nTP3 71000\nSL66000'],
    ['full-width and case', 'ＢＴＣＵＳＤＴ ｌｏｎｇ ｓｗｉｎｇ\nＥＮＴＲＹ：６７５００－６８０００\nＴＰ１：６９０００\nＴＰ２：７００００\nＴＰ３：７１０００\nＳＬ：６６０００'],
  ];
  for (const [name, text] of spellings) {
    it(`S0-3 ${name}`, () => expect(accept(text)).toEqual(BTC_LONG));
  }

  it('S0-3 a single entry: `Buy @ 100`, `Entry: 100`, `LONG 100`', () => {
    const one = { ...BTC_LONG, entries: ['68000'], targets: ['69000'] };
    expect(accept('#BTCUSDT SWING\nBuy @ 68000\nTP: 69000\nSL: 66000')).toEqual(one);
    expect(accept('#BTCUSDT LONG SWING Entry: 68000 TP 69000 SL 66000')).toEqual(one);
    expect(accept('#BTCUSDT SWING\nLONG 68000\nTP1 69000\nStop 66000')).toEqual(one);
  });

  it('S0-3 a short: entries in fill order (lower first), targets falling, stop above', () => {
    expect(accept('#ADAUSDT SHORT\nMode: Dynamic\nSell zone: 0.4550 - 0.4500\nTP1: 0.44 (-2.2 %)\nTP2: 0.43\nSL: 0.47')).toEqual({
      symbol: 'ADAUSDT',
      side: 'short',
      mode: 'DYNAMIC',
      entries: ['0.45', '0.455'],
      targets: ['0.44', '0.43'],
      stopLoss: '0.47',
      leverage: undefined,
      plan: { leverage: '7.5', stopLoss: '0.47', autoSl: false },
    });
  });

  it('S0-3 S0-4 leverage spellings: `Leverage: x6`, `Lev 7.5x`, `Cross 10x`, `Leverage: Cross (10x)`, `Isolated x12`, `LEV8X`', () => {
    const lev = (line: string, mode = 'FIXED'): string | undefined => accept(`#BTCUSDT LONG ${mode}\nEntry: 68000\nTP1: 69000\nSL: 66000\n${line}`).leverage;
    expect(lev('Leverage: x6')).toBe('6');
    expect(lev('Lev 7.5x', 'DYNAMIC')).toBe('7.5');
    expect(lev('Cross 10x')).toBe('10');
    expect(lev('Leverage: Cross (10x)')).toBe('10');
    expect(lev('Margin mode: Isolated x12')).toBe('12');
    expect(lev('LEV8X')).toBe('8');
    expect(lev('Leverage: 20')).toBe('20');
    expect(lev('10x')).toBe('10');
  });

  it('S0-3 a mode the message does not name comes from the context when it has one, else the message is refused', () => {
    const text = '#BTCUSDT LONG\nEntry: 68000\nTP1: 69000\nSL: 66000';
    expect(accept(text, { ...POOL_CONTEXT, defaultMode: 'SWING' }).mode).toBe('SWING');
    expect(refuse(text)).toEqual({ _tag: 'MissingField', fields: ['mode'], symbol: 'BTCUSDT' });
  });

  it('S0-3 the raw hash is the sha256 of the exact text', () => {
    const text = '#BTCUSDT LONG SWING Entry 68000 TP 69000 SL 66000';
    const r = parseSignal(text, POOL_CONTEXT);
    expect(r.ok && r.signal.rawHash).toBe(rawTextHash(text));
    expect(rawTextHash(text)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('S0-3 prices snap to the instrument tick', () => {
  it('S0-3 entries snap to the passive side: a long\'s down, a short\'s up', () => {
    expect(accept('#BTCUSDT LONG SWING\nEntry: 68000.07 - 67500.01\nTP1: 69000\nSL: 66000').entries).toEqual(['68000', '67500']);
    expect(accept('#BTCUSDT SHORT SWING\nEntry: 68000.01 - 68500.07\nTP1: 67000\nSL: 69000').entries).toEqual(['68000.1', '68500.1']);
  });

  it('S0-3 targets and the stop snap to the nearest tick (half to even)', () => {
    const s = accept('#XAUTUSDT LONG SWING\nEntry: 2000\nTP1: 2010.2\nTP2: 2020.3\nTP3: 2030.25\nSL: 1990.74');
    expect(s.targets).toEqual(['2010', '2020.5', '2030']);
    expect(s.stopLoss).toBe('1990.5');
  });

  it('S0-3 two entries written apart that snap onto one tick are refused', () => {
    expect(refuse('#BTCUSDT LONG SWING\nEntry: 68000.01 - 68000.05\nTP1: 69000\nSL: 66000')).toMatchObject({ _tag: 'ContradictoryLevels', problem: 'entries_not_distinct' });
  });
});

describe('S0-3 every refusal reason', () => {
  const valid = '#BTCUSDT LONG SWING\nEntry: 68000\nTP1: 69000\nSL: 66000';

  it('S0-3 TooLong and Empty', () => {
    expect(refuse('x'.repeat(4097))).toEqual({ _tag: 'TooLong', length: 4097, limit: 4096 });
    expect(refuse('')).toEqual({ _tag: 'Empty' });
    expect(refuse(' \n 🚀🚀 \n\t')).toEqual({ _tag: 'Empty' });
  });

  it('S0-3 NotASignal: chatter with no side, entry, target or stop', () => {
    expect(refuse('Good morning traders! #BTCUSDT looks strong today 🚀')).toEqual({ _tag: 'NotASignal', symbol: 'BTCUSDT' });
  });

  it('C-1 ModeRefused: FAST, SCALP, SCALPING anywhere, or an unknown mode after `Mode:`', () => {
    expect(refuse(`${valid}\nFAST`)).toEqual({ _tag: 'ModeRefused', mode: 'FAST', symbol: 'BTCUSDT' });
    expect(refuse(valid.replace('SWING', '#scalp'))).toEqual({ _tag: 'ModeRefused', mode: 'SCALP', symbol: 'BTCUSDT' });
    expect(refuse(valid.replace('SWING', 'Scalping'))).toEqual({ _tag: 'ModeRefused', mode: 'SCALPING', symbol: 'BTCUSDT' });
    expect(refuse(valid.replace('SWING', '\nMode: Turbo'))).toEqual({ _tag: 'ModeRefused', mode: 'TURBO', symbol: 'BTCUSDT' });
  });

  it('S0-1 QuoteRefused: USDC or any other quote, however the symbol is written', () => {
    for (const symbol of ['#BTCUSDC', 'BTC/USDC', 'btcusdc', 'BTC-USDC']) {
      expect(refuse(valid.replace('#BTCUSDT', symbol))).toEqual({ _tag: 'QuoteRefused', quote: 'USDC', symbol: 'BTCUSDC' });
    }
    expect(refuse(valid.replace('#BTCUSDT', 'ETH/BTC'))).toEqual({ _tag: 'QuoteRefused', quote: 'BTC', symbol: 'ETHBTC' });
    expect(refuse(valid.replace('#BTCUSDT', 'BTCUSD'))).toEqual({ _tag: 'QuoteRefused', quote: 'USD', symbol: 'BTCUSD' });
  });

  it('S0-3 BadNumber: ambiguous commas, broken numbers, no separator, percent levels, zero, too many digits, ordinals', () => {
    const bad = (text: string) => {
      const e = refuse(text);
      return e._tag === 'BadNumber' ? [e.token, e.problem] : e;
    };
    expect(bad(valid.replace('68000', '68,000'))).toEqual(['68,000', 'ambiguous_comma']);
    expect(bad(valid.replace('TP1: 69000', 'TP1: 1,5'))).toEqual(['1,5', 'ambiguous_comma']);
    expect(bad(valid.replace('68000', "68'000"))).toEqual(["68'000", 'malformed']);
    expect(bad(valid.replace('68000', '68.000.5'))).toEqual(['68.000.5', 'malformed']);
    expect(bad(valid.replace('TP1: 69000', 'TP1.69000'))).toEqual(['TP1.69000', 'malformed']);
    expect(bad(valid.replace('68000', '68 500'))).toEqual(['68 500', 'no_separator']);
    expect(bad(valid.replace('68000', '68 000'))).toEqual(['000', 'malformed']);
    expect(bad(valid.replace('SL: 66000', 'SL: 3%'))).toEqual(['3%', 'percent_level']);
    expect(bad(valid.replace('SL: 66000', 'SL: 0'))).toEqual(['0', 'zero']);
    expect(bad(valid.replace('68000', '1234567890123456789012345'))).toEqual(['1234567890123456789012345', 'too_long']);
    expect(bad(valid.replace('TP1', 'TP11'))).toEqual(['TP11', 'bad_ordinal']);
    expect(bad(valid.replace('Entry: 68000', 'Entry 3: 68000'))).toEqual(['3', 'bad_ordinal']);
    expect(bad(valid.replace('68000', '68000 -'))).toEqual(['68000 -', 'malformed']);
    expect(bad(`${valid}\nMargin: 100USDT`)).toEqual(['100USDT', 'malformed']);
    expect(bad(valid.replace('SL: 66000', 'SL: 0.01'))).toEqual(['0.01', 'zero']);
    expect(bad(valid.replace('TP1: 69000', 'TP1: 250000'))).toEqual(['250000', 'out_of_range']);
  });

  it('S0-3 Ambiguous: two sides, symbols, modes, stops, leverages, a TP given twice, a number in no field', () => {
    const amb = (text: string) => {
      const e = refuse(text);
      return e._tag === 'Ambiguous' ? [e.field, e.values] : e;
    };
    expect(amb(`${valid}\nSHORT`)).toEqual(['side', ['long', 'short']]);
    expect(amb(`${valid}\nETH/USDT`)).toEqual(['symbol', ['BTCUSDT', 'ETHUSDT']]);
    expect(amb(`${valid}\nDYNAMIC`)).toEqual(['mode', ['SWING', 'DYNAMIC']]);
    expect(amb(`${valid}\nStop: 65000`)).toEqual(['stopLoss', ['66000', '65000']]);
    expect(amb(`${valid}\nLeverage: 5x - 10x`)).toEqual(['leverage', ['5x', '10x']]);
    expect(amb(`${valid}\nTP1: 69500`)).toEqual(['targets', ['69000', '69500']]);
    expect(amb(`${valid}\nSignal 45`)).toEqual(['number', ['45']]);
    expect(amb(valid.replace('TP1: 69000', 'Targets:\n1) 69000\n70000'))).toEqual(['targets', ['70000']]);
  });

  it('S0-3 a hashtag number (`#45`), a timeframe (`4h`) and commentary (`R/R 1:3`, `(+5 %)`) are not stray numbers', () => {
    expect(accept(`Signal #45 (4h chart)\n${valid.replace('69000', '69000 (+1.5 %)')}\nR/R 1:3`).targets).toEqual(['69000']);
  });

  it('S0-3 MissingField: every field the message lacks, including a keyword whose value was lost', () => {
    expect(refuse('LONG Entry 68000')).toEqual({ _tag: 'MissingField', fields: ['symbol', 'mode', 'targets'] });
    expect(refuse('#BTCUSDT SWING TP1: 69000 SL: 66000')).toEqual({ _tag: 'MissingField', fields: ['side', 'entry'], symbol: 'BTCUSDT' });
    expect(refuse('#BTC LONG SWING Entry 68000 TP1 69000')).toMatchObject({ _tag: 'MissingField', fields: ['symbol'] });
    expect(refuse(valid.replace('SL: 66000', 'SL: —'))).toEqual({ _tag: 'MissingField', fields: ['stopLoss'], symbol: 'BTCUSDT' });
    expect(refuse(valid.replace('Entry: 68000', 'Entry: market\nBuy @ 68000'))).toEqual({ _tag: 'MissingField', fields: ['entry'], symbol: 'BTCUSDT' });
  });

  it('S0-3 TooManyLevels: three entries, eleven targets', () => {
    expect(refuse(valid.replace('Entry: 68000', 'Entries: 68000, 67900, 67800'))).toEqual({ _tag: 'TooManyLevels', field: 'entry', count: 3, limit: 2, symbol: 'BTCUSDT' });
    const eleven = Array.from({ length: 11 }, (_, i) => String(69000 + i * 100)).join(', ');
    expect(refuse(valid.replace('TP1: 69000', `Targets: ${eleven}`))).toEqual({ _tag: 'TooManyLevels', field: 'targets', count: 11, limit: 10, symbol: 'BTCUSDT' });
  });

  it('S0-3 UnknownSymbol: the instrument lookup does not list it, or lists it without a usable tick', () => {
    expect(refuse(valid.replace('BTCUSDT', 'DOGEUSDT'))).toEqual({ _tag: 'UnknownSymbol', symbol: 'DOGEUSDT' });
    const zeroTick: ParseContext = { instrument: (s) => (s === 'BTCUSDT' ? { ...INSTRUMENTS[0]!, tickSize: new Decimal(0) } : undefined) };
    expect(refuse(valid, zeroTick)).toEqual({ _tag: 'UnknownSymbol', symbol: 'BTCUSDT' });
  });

  it('S0-3 ContradictoryLevels: a TP not beyond the entries, a stop on the wrong side, TPs out of order or skipped, a level too far', () => {
    const problem = (text: string) => {
      const e = refuse(text);
      return e._tag === 'ContradictoryLevels' ? [e.problem, e.level] : e;
    };
    expect(problem(valid.replace('TP1: 69000', 'TP1: 67000'))).toEqual(['target_not_beyond_entry', '67000']);
    expect(problem(valid.replace('TP1: 69000', 'TP1: 68000'))).toEqual(['target_not_beyond_entry', '68000']);
    expect(problem(valid.replace('SL: 66000', 'SL: 68500'))).toEqual(['stop_not_beyond_entry', '68500']);
    expect(problem(valid.replace('Entry: 68000', 'Entry: 68000 - 65500'))).toEqual(['stop_not_beyond_entry', '66000']);
    expect(problem('#BTCUSDT SHORT SWING\nEntry: 68000\nTP1: 69000\nSL: 70000')).toEqual(['target_not_beyond_entry', '69000']);
    expect(problem('#BTCUSDT SHORT SWING\nEntry: 68000\nTP1: 67000\nSL: 67500')).toEqual(['stop_not_beyond_entry', '67500']);
    expect(problem(valid.replace('TP1: 69000', 'TP1: 70000\nTP2: 69000'))).toEqual(['targets_out_of_order', '69000']);
    expect(problem(valid.replace('TP1: 69000', 'TP1: 69000\nTP3: 70000'))).toEqual(['targets_numbering_gap', 'TP2']);
    expect(problem(valid.replace('TP1: 69000', 'Targets: 69000, 69000'))).toEqual(['targets_not_distinct', '69000']);
    expect(problem(valid.replace('TP1: 69000', 'TP1: 110000'))).toEqual(['level_too_far', '110000']);
    // Without a stop, the auto-SL at 2 % from the first entry must stay beyond the second.
    expect(problem('#BTCUSDT LONG SWING\nEntry: 68000 - 66000\nTP1: 69000')).toEqual(['auto_stop_inside_entries', '66640']);
  });

  it('S0-4 LeverageRefused: the policy\'s refusals reach the caller with the mode and the leverage as written', () => {
    expect(refuse(valid.replace('SWING', 'FIXED') + '\nLeverage: x6.5')).toEqual({ _tag: 'LeverageRefused', problem: 'fixed_forbidden_band', mode: 'FIXED', leverage: 'x6.5', symbol: 'BTCUSDT' });
    expect(refuse(valid.replace('SWING', 'DYNAMIC') + '\nLev 7.49')).toEqual({ _tag: 'LeverageRefused', problem: 'dynamic_below_minimum', mode: 'DYNAMIC', leverage: '7.49', symbol: 'BTCUSDT' });
    expect(refuse(valid.replace('SWING', 'FIXED'))).toEqual({ _tag: 'LeverageRefused', problem: 'fixed_needs_leverage', mode: 'FIXED', leverage: undefined, symbol: 'BTCUSDT' });
  });

  it('S0-3 ParserDefect: a throwing instrument lookup or a non-string comes back as a refusal, never a throw', () => {
    const throwing: ParseContext = {
      instrument: () => {
        throw new Error('lookup down');
      },
    };
    expect(parseSignal(valid, throwing)).toEqual({ ok: false, error: { _tag: 'ParserDefect', detail: 'lookup down' } });
    expect(parseSignal(42 as unknown as string, POOL_CONTEXT)).toEqual({ ok: false, error: { _tag: 'ParserDefect', detail: 'expected a string, got number' } });
  });

  it('S0-3 the order of the checks: mode before quote before numbers', () => {
    expect(refuse('#BTCUSDC LONG FAST Entry 68,000 TP 69000')).toMatchObject({ _tag: 'ModeRefused' });
    expect(refuse('#BTCUSDC LONG SWING Entry 68,000 TP 69000')).toMatchObject({ _tag: 'QuoteRefused' });
    expect(refuse('#BTCUSDT LONG SWING Entry 68,000 TP 69000 SHORT')).toMatchObject({ _tag: 'BadNumber' });
  });
});
