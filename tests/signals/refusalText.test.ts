/**
 * What the operator reads about a refused signal (S0-1, S0-3, C-1): one line naming the reason and quoting the
 * message, and the same reason as the fields of the notification ERROR template, which renders it.
 */
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/notify/templates/error.ts';
import { excerptOf, parseSignal, refusalCode, refusalErrorFields, refusalText, REFUSAL_TAGS, type SignalRefusal } from '../../src/signals/index.ts';
import { POOL_CONTEXT } from './signalMessages.ts';

const refusalOf = (text: string): SignalRefusal => {
  const r = parseSignal(text, POOL_CONTEXT);
  if (r.ok) throw new Error(`accepted: ${text}`);
  return r.error;
};

/** One message per refusal reason, and the words its line must contain. */
const CASES: ReadonlyArray<readonly [string, string, ReadonlyArray<string>]> = [
  ['TooLong', 'y'.repeat(5000), ['5000 characters', '4096']],
  ['Empty', '   ', ['empty']],
  ['NotASignal', 'gm everyone, #BTCUSDT is pumping', ['no side, entry, target or stop loss']],
  ['ModeRefused', '#BTCUSDT LONG FAST Entry 68000 TP 69000', ['mode FAST is not traded', 'SWING, DYNAMIC and FIXED']],
  ['QuoteRefused', '#BTCUSDC LONG SWING Entry 68000 TP 69000', ['BTCUSDC is quoted in USDC', 'only USDT']],
  ['BadNumber', '#BTCUSDT LONG SWING Entry 1,5 TP 69000', ['"1,5"', 'comma']],
  ['Ambiguous', '#BTCUSDT LONG SHORT SWING Entry 68000 TP 69000', ['side is given twice', 'long vs short']],
  ['MissingField', '#BTCUSDT LONG Entry 68000', ['no mode, targets']],
  ['TooManyLevels', '#BTCUSDT LONG SWING Entries: 68000, 67900, 67800 TP 69000', ['3 entries, at most 2']],
  ['UnknownSymbol', '#DOGEUSDT LONG SWING Entry 0.1 TP 0.11', ['DOGEUSDT is not listed']],
  ['ContradictoryLevels', '#BTCUSDT LONG SWING Entry 68000 TP 67000', ['target 67000 is not on the profit side']],
  ['LeverageRefused', '#BTCUSDT LONG FIXED Entry 68000 TP 69000 SL 67000 Leverage: x7', ['FIXED leverage x7', 'between x6 and x7.5']],
];

describe('S0-3 refusal text for the private channel', () => {
  it('S0-3 every refusal reason has a line that names it and quotes the message', () => {
    expect(CASES.map(([tag]) => tag)).toEqual(REFUSAL_TAGS.filter((t) => t !== 'ParserDefect'));
    for (const [tag, text, words] of CASES) {
      const refusal = refusalOf(text);
      expect(refusal._tag).toBe(tag);
      const line = refusalText(refusal, text);
      expect(line).toMatch(/^Signal refused/);
      expect(line).not.toContain('\n');
      for (const w of words) expect(line, tag).toContain(w);
      if (text.trim() !== '') expect(line).toContain(`“${excerptOf(text)}”`);
    }
    expect(refusalText({ _tag: 'ParserDefect', detail: 'boom' }, 'x')).toBe('Signal refused: the parser failed (boom); please report it — “x”');
  });

  it('S0-1 C-1 the line carries the symbol as a hashtag when the parser read one', () => {
    const text = '#BTCUSDC LONG SWING Entry 68000 TP 69000';
    expect(refusalText(refusalOf(text), text)).toBe('Signal refused #BTCUSDC: BTCUSDC is quoted in USDC; only USDT-quoted symbols are traded — “#BTCUSDC LONG SWING Entry 68000 TP 69000”');
    const fast = '🚀 #ETHUSDT SCALP\nLONG Entry 3000 TP 3100';
    expect(refusalText(refusalOf(fast), fast)).toBe('Signal refused #ETHUSDT: mode SCALP is not traded (only SWING, DYNAMIC and FIXED) — “🚀 #ETHUSDT SCALP”');
  });

  it('S0-3 the quoted excerpt is the first non-blank line, without control characters, cut to 60 characters', () => {
    expect(excerptOf('\n\n  \tBTC\u0007 LONG  now \nsecond')).toBe('BTC LONG now');
    const long = `${'🚀'.repeat(70)}`;
    expect(Array.from(excerptOf(long))).toHaveLength(60);
    expect(excerptOf(long).endsWith('…')).toBe(true);
    expect(excerptOf('')).toBe('');
  });
});

describe('S0-1 S0-3 the ERROR template renders a refusal', () => {
  it('S0-1 S0-3 C-1 refusalErrorFields maps every reason onto the ERROR template: a SIGNAL_* code, the reason, the symbol', () => {
    for (const [tag, text] of CASES) {
      const refusal = refusalOf(text);
      const fields = refusalErrorFields(refusal, text);
      expect(fields.code).toBe(refusalCode(refusal));
      expect(fields.code).toMatch(/^SIGNAL_[A-Z_]+$/);
      const rendered = renderError(fields);
      expect(Either.isRight(rendered), tag).toBe(true);
      if (Either.isRight(rendered)) {
        expect(rendered.right.text).toContain(`Code: ${fields.code}`);
        expect(rendered.right.text).toContain(`Reason: ${fields.message}`);
        if (refusal.symbol !== undefined) expect(rendered.right.text).toContain(`⚠️ ERROR #${refusal.symbol}`);
      }
    }
    expect(refusalCode({ _tag: 'ModeRefused', mode: 'FAST' })).toBe('SIGNAL_MODE_REFUSED');
    expect(refusalCode({ _tag: 'QuoteRefused', quote: 'USDC' })).toBe('SIGNAL_QUOTE_REFUSED');
    expect(refusalCode({ _tag: 'NotASignal' })).toBe('SIGNAL_NOT_A_SIGNAL');
  });

  it('S0-1 the USDC refusal renders exactly', () => {
    const text = 'BTC/USDC SHORT DYNAMIC Entry 68000 TP 67000';
    const rendered = renderError(refusalErrorFields(refusalOf(text), text));
    expect(Either.getOrThrow(rendered).text).toBe(
      ['⚠️ ERROR #BTCUSDC', 'Code: SIGNAL_QUOTE_REFUSED', 'Reason: BTCUSDC is quoted in USDC; only USDT-quoted symbols are traded — “BTC/USDC SHORT DYNAMIC Entry 68000 TP 67000”'].join('\n'),
    );
  });
});
