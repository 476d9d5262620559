/**
 * Property tests of the S0 signal parser (X-TST-6; committed seed, 1,000 cases each): it never throws and always
 * answers with a typed result, for arbitrary strings and for valid messages mutated; every signal it accepts is
 * internally consistent; every valid message, in any supported spelling and line order, parses to what it means;
 * off-tick prices snap as documented; USDC (S0-1) and FAST/SCALP/SCALPING/unknown modes (C-1) are refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { isMultipleOf, roundPrice, roundPriceForSide } from '../../src/domain/rounding.ts';
import { lex } from '../../src/signals/lexer.ts';
import { parseSignal, rawTextHash, refusalText, REFUSAL_TAGS, type Signal, type SignalResult } from '../../src/signals/index.ts';
import { INSTRUMENTS, meaningArb, messageArb, mutatedArb, grammarSoupArb, POOL_CONTEXT, PROPERTY_RUNS, render, said, spellingArb, type Meaning } from './signalMessages.ts';

/** Parses and checks the result is one of the typed outcomes (never a defect), with a refusal text that renders. */
const typedParse = (text: string): SignalResult => {
  const r = parseSignal(text, POOL_CONTEXT);
  if (r.ok) expect(typeof r.signal.symbol).toBe('string');
  else {
    expect(REFUSAL_TAGS).toContain(r.error._tag);
    expect(r.error, text).not.toMatchObject({ _tag: 'ParserDefect' });
    expect(refusalText(r.error, text)).toMatch(/^Signal refused/);
  }
  return r;
};

const strictlyMonotone = (xs: ReadonlyArray<Decimal>, rising: boolean): boolean => xs.every((x, i) => i === 0 || (rising ? x.gt(xs[i - 1]!) : x.lt(xs[i - 1]!)));

/** Checks an accepted signal against the S0 rules, independently of how the parser got there. */
const expectConsistent = (s: Signal, text: string): void => {
  const instrument = INSTRUMENTS.find((i) => i.symbol === s.symbol);
  expect(instrument, s.symbol).toBeDefined();
  const tick = instrument!.tickSize;
  const long = s.side === 'long';
  expect(s.symbol.endsWith('USDT')).toBe(true);
  expect(['SWING', 'DYNAMIC', 'FIXED']).toContain(s.mode);
  expect(s.entries.length).toBeGreaterThanOrEqual(1);
  expect(s.entries.length).toBeLessThanOrEqual(2);
  expect(s.targets.length).toBeGreaterThanOrEqual(1);
  expect(s.targets.length).toBeLessThanOrEqual(10);
  const prices = [...s.entries, ...s.targets, s.plan.stopLoss, ...(s.stopLoss === undefined ? [] : [s.stopLoss])];
  for (const p of prices) {
    expect(p.gt(0)).toBe(true);
    expect(isMultipleOf(p, tick), `${p.toString()} on ${tick.toString()}`).toBe(true);
  }
  // Entries in fill order (a long's higher first), targets in profit direction.
  expect(strictlyMonotone(s.entries, !long)).toBe(true);
  expect(strictlyMonotone(s.targets, long)).toBe(true);
  for (const e of s.entries) {
    for (const t of s.targets) expect(long ? t.gt(e) : t.lt(e)).toBe(true);
    expect(long ? s.plan.stopLoss.lt(e) : s.plan.stopLoss.gt(e)).toBe(true);
  }
  // Leverage within policy (S0-4, S0-5).
  const lev = s.plan.leverage;
  expect(lev.lte(instrument!.maxLeverage)).toBe(true);
  if (s.plan.autoSl) {
    expect(s.stopLoss).toBeUndefined();
    expect(lev.eq(10)).toBe(true);
    expect(s.plan.stopLoss.eq(roundPrice(s.entries[0]!.times(long ? '0.98' : '1.02'), tick, 'nearest'))).toBe(true);
  } else {
    expect(s.stopLoss?.eq(s.plan.stopLoss)).toBe(true);
    expect(lev.decimalPlaces()).toBeLessThanOrEqual(2);
    if (s.mode === 'SWING') expect(lev.eq(6)).toBe(true);
    if (s.mode === 'DYNAMIC') expect(lev.gte('7.5') && lev.eq(s.leverage ?? '7.5')).toBe(true);
    if (s.mode === 'FIXED') expect(s.leverage !== undefined && lev.eq(s.leverage) && !(lev.gt(6) && lev.lt('7.5'))).toBe(true);
  }
  expect(s.rawHash).toBe(rawTextHash(text));
};

/** Checks a signal says a meaning; the entries, targets and stop to expect default to the meaning's own (on the tick). */
const expectMeaning = (s: Signal, m: Meaning, entries: ReadonlyArray<Decimal> = m.entries, targets: ReadonlyArray<Decimal> = m.targets, stop: Decimal | undefined = m.stopLoss): void => {
  const long = m.side === 'long';
  const policy = m.mode === 'SWING' ? new Decimal(6) : m.mode === 'DYNAMIC' ? (m.leverage ?? new Decimal('7.5')) : m.leverage!;
  expect(said(s)).toEqual({
    symbol: m.instrument.symbol,
    side: m.side,
    mode: m.mode,
    entries: entries.map(String),
    targets: targets.map(String),
    stopLoss: stop?.toString(),
    leverage: m.leverage?.toString(),
    plan: {
      leverage: (stop === undefined ? new Decimal(10) : policy).toString(),
      stopLoss: (stop ?? roundPrice(entries[0]!.times(long ? '0.98' : '1.02'), m.instrument.tickSize, 'nearest')).toString(),
      autoSl: stop === undefined,
    },
  });
};

describe('S0-3 X-TST-6 the parser never throws', () => {
  it('S0-3 X-TST-6 arbitrary strings (any code point, lone surrogates, grammar soup) give a typed result', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
      grammarSoupArb,
      fc.string({ unit: fc.constantFrom('1', '0', '.', ',', ' ', '\n', '-', 'x', 'X', '%', '#', '/', ':', 'T', 'P', 'S', 'L'), maxLength: 80 }),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        const r = typedParse(text);
        if (r.ok) expectConsistent(r.signal, text);
      }),
      PROPERTY_RUNS,
    );
  });

  it('S0-3 X-TST-6 valid messages mutated (inserted, deleted, case-flipped characters, emoji, shuffled lines) give a typed result, and what is accepted is consistent', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutatedArb, (text) => {
        const r = typedParse(text);
        if (r.ok) {
          accepted += 1;
          expectConsistent(r.signal, text);
        }
      }),
      PROPERTY_RUNS,
    );
    // The consistency check above is not vacuous: a good share of mutated messages still parse.
    expect(accepted).toBeGreaterThan(PROPERTY_RUNS.numRuns / 5);
  });

  it('S0-3 X-TST-6 messages beyond the length limit are refused as TooLong without being read', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4097, maxLength: 6000 }), (text) => {
        const r = parseSignal(text, POOL_CONTEXT);
        expect(r).toMatchObject({ ok: false, error: { _tag: 'TooLong', length: text.length, limit: 4096 } });
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('S0-3 X-TST-6 accepted signals mean what the message says', () => {
  it('S0-3 X-TST-6 every valid message, in every supported spelling and line order, parses to its meaning and is consistent', () => {
    fc.assert(
      fc.property(messageArb(), ({ meaning, text }) => {
        const r = typedParse(text);
        expect(r.ok, `${text}\n${JSON.stringify(r)}`).toBe(true);
        if (!r.ok) return;
        expectMeaning(r.signal, meaning);
        expectConsistent(r.signal, text);
      }),
      PROPERTY_RUNS,
    );
  });

  it('S0-3 X-TST-6 off-tick prices snap: entries to the passive side (long down, short up), targets and stop to the nearest tick', () => {
    const offTick = fc.tuple(meaningArb(3), spellingArb, fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 12, maxLength: 12 }));
    fc.assert(
      fc.property(offTick, ([m, spelling, shifts]) => {
        const tick = m.instrument.tickSize;
        // Each price moves by up to 0.4 tick, never onto a half tick, so the nearest tick is unambiguous.
        const shift = (p: Decimal, i: number): Decimal => p.plus(tick.times(shifts[i % 12]!).div(100));
        const written: Meaning = { ...m, entries: m.entries.map(shift), targets: m.targets.map((t, i) => shift(t, i + 2)), stopLoss: m.stopLoss === undefined ? undefined : shift(m.stopLoss, 11) };
        const text = render(written, spelling);
        const r = typedParse(text);
        expect(r.ok, `${text}\n${JSON.stringify(r)}`).toBe(true);
        if (!r.ok) return;
        const passive = written.entries.map((e) => roundPriceForSide(e, tick, m.side === 'long' ? 'buy' : 'sell', 'passive'));
        const nearest = (p: Decimal): Decimal => roundPrice(p, tick, 'nearest');
        expectMeaning(r.signal, m, passive, written.targets.map(nearest), written.stopLoss === undefined ? undefined : nearest(written.stopLoss));
        expectConsistent(r.signal, text);
      }),
      PROPERTY_RUNS,
    );
  });

  it('S0-3 X-TST-6 the raw hash is the sha256 of the exact text: the same message twice hashes alike, any edit differently', () => {
    fc.assert(
      fc.property(messageArb(), fc.constantFrom(' ', '\n', '!'), ({ text }, extra) => {
        const a = parseSignal(text, POOL_CONTEXT);
        const b = parseSignal(text, POOL_CONTEXT);
        const c = parseSignal(`${text}${extra}`, POOL_CONTEXT);
        expect(a.ok && b.ok && c.ok).toBe(true);
        if (!a.ok || !b.ok || !c.ok) return;
        expect(a.signal.rawHash).toBe(b.signal.rawHash);
        expect(c.signal.rawHash).not.toBe(a.signal.rawHash);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('S0-1 only USDT-quoted symbols', () => {
  it('S0-1 X-TST-6 a valid message whose symbol is quoted in USDC (or any other quote) is refused with QuoteRefused naming it', () => {
    const quoted = messageArb(1, fc.record({ quote: fc.constantFrom('USDC', 'USDC', 'USD', 'BUSD', 'FDUSD') }));
    fc.assert(
      fc.property(quoted, ({ meaning, text, overrides }) => {
        const r = typedParse(text);
        // The symbol as written; its quote is the one written, or a longer one it ends in (`XAUTUSD` reads XAU-TUSD).
        expect(r).toMatchObject({ ok: false, error: { _tag: 'QuoteRefused', symbol: `${meaning.instrument.baseAsset}${overrides.quote!}` } });
        expect(!r.ok && r.error._tag === 'QuoteRefused' && r.error.quote.endsWith(overrides.quote!)).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('C-1 only SWING, DYNAMIC and FIXED', () => {
  it('C-1 S0-3 X-TST-6 a valid message in FAST, SCALP, SCALPING or an unknown mode is refused with ModeRefused naming it', () => {
    const plainWord = fc.stringMatching(/^[A-Z]{3,9}$/).filter((w) => {
      const lexemes = lex(w);
      return lexemes.length === 1 && lexemes[0]!.kind === 'word';
    });
    const refused = messageArb(1, fc.record({ modeWord: fc.oneof(fc.constantFrom('FAST', 'SCALP', 'SCALPING'), plainWord) }));
    fc.assert(
      fc.property(refused, ({ text, overrides }) => {
        const r = typedParse(text);
        expect(r).toMatchObject({ ok: false, error: { _tag: 'ModeRefused', mode: overrides.modeWord } });
      }),
      PROPERTY_RUNS,
    );
  });
});
