/**
 * fast-check generators for the signal parser's property tests (X-TST-6): a pool of instruments with awkward ticks,
 * valid signal meanings built in whole ticks (so every level is on its side with room to spare), and the channel
 * messages that say them — every supported spelling of every field, case, emoji, separators, and any line order —
 * plus the mutations (inserted, deleted and case-flipped characters, emoji, shuffled lines) that break them.
 */
import fc from 'fast-check';
import type { Instrument } from '../../src/domain/Instrument.ts';
import { Decimal } from '../../src/domain/money.ts';
import type { ParseContext, Signal, SignalMode, SignalSide } from '../../src/signals/index.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/bybit/profile.ts';
import { instrumentFrom } from '../../src/venues/sim/engine/profiles.ts';

/** The committed seed and run count of every property (X-TST-6: at least 1,000 cases). */
export const PROPERTY_RUNS = { seed: 20261202, numRuns: 1000 } as const;

const d = (s: string): Decimal => new Decimal(s);
const perp = (symbol: string, baseAsset: string, tickSize: string, maxLeverage: string): Instrument =>
  instrumentFrom('bybit', 'linear_perp', symbol, { baseAsset, quoteAsset: 'USDT', tickSize: d(tickSize), quantityStep: d('0.01'), minNotional: d('5'), maxLeverage: d(maxLeverage) });

/** Bybit's BTCUSDT and ADAUSDT as the simulator lists them, and four more with ticks of 0.01, 10⁻⁷, 0.005 and 0.5. */
export const INSTRUMENTS: ReadonlyArray<Instrument> = [
  bybitLinearInstrument('BTCUSDT'),
  bybitLinearInstrument('ADAUSDT'),
  perp('ETHUSDT', 'ETH', '0.01', '100'),
  perp('1000PEPEUSDT', '1000PEPE', '0.0000001', '25'),
  perp('SOLUSDT', 'SOL', '0.005', '50'),
  perp('XAUTUSDT', 'XAUT', '0.5', '20'),
];

/** The parser's context over the pool. */
export const POOL_CONTEXT: ParseContext = { instrument: (symbol) => INSTRUMENTS.find((i) => i.symbol === symbol) };

/** What a generated message means. */
export interface Meaning {
  readonly instrument: Instrument;
  readonly side: SignalSide;
  readonly mode: SignalMode;
  readonly leverage: Decimal | undefined;
  /** Fill order: the first is the one a limit reaches first. */
  readonly entries: ReadonlyArray<Decimal>;
  /** Profit order. */
  readonly targets: ReadonlyArray<Decimal>;
  readonly stopLoss: Decimal | undefined;
}

const cents = (min: number, max: number): fc.Arbitrary<Decimal> => fc.integer({ min, max }).map((c) => new Decimal(c).div(100));

/** A mode with a leverage its policy accepts (at most x20, the pool's smallest maximum). */
const modeAndLeverage: fc.Arbitrary<{ readonly mode: SignalMode; readonly leverage: Decimal | undefined }> = fc.oneof(
  fc.record({ mode: fc.constant('SWING' as const), leverage: fc.option(fc.constant(d('6')), { nil: undefined }) }),
  fc.record({ mode: fc.constant('DYNAMIC' as const), leverage: fc.option(cents(750, 2000), { nil: undefined }) }),
  fc.record({ mode: fc.constant('FIXED' as const), leverage: fc.oneof(cents(100, 600), cents(750, 2000)) }),
);

/** Returns `span × u / 10000` ticks, at least `min`. */
const scaled = (u: number, span: number, min: number): number => min + Math.floor((u * Math.max(0, span - min)) / 10_000);

/**
 * Valid meanings in whole ticks: a first entry of 2,000 to 1,000,000 ticks, a second within 1.5 % (so the auto-SL at
 * 2 % stays beyond it), one to six targets up to 5 % apart, a stop up to 10 % beyond the last entry. `minGap` is the
 * least distance in ticks between neighbouring levels.
 */
export const meaningArb = (minGap = 1): fc.Arbitrary<Meaning> =>
  fc
    .record({
      instrument: fc.constantFrom(...INSTRUMENTS),
      side: fc.constantFrom<SignalSide>('long', 'short'),
      k: fc.integer({ min: 2000, max: 1_000_000 }),
      second: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
      gaps: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 6 }),
      stop: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
      ml: modeAndLeverage,
    })
    .map(({ instrument, side, k, second, gaps, stop, ml }) => {
      const dir = side === 'long' ? 1 : -1;
      const price = (ticks: number): Decimal => instrument.tickSize.times(ticks);
      const entryTicks = second === undefined ? [k] : [k, k - dir * scaled(second, Math.floor(k * 0.015), minGap)];
      const targets: number[] = [];
      let t = k;
      for (const g of gaps) {
        t += dir * scaled(g, Math.floor(k / 20), minGap);
        targets.push(t);
      }
      const last = entryTicks[entryTicks.length - 1]!;
      return {
        instrument,
        side,
        mode: ml.mode,
        leverage: ml.leverage,
        entries: entryTicks.map(price),
        targets: targets.map(price),
        stopLoss: stop === undefined ? undefined : price(last - dir * scaled(stop, Math.floor(k / 10), minGap)),
      };
    });

/** How one message spells a meaning: an index into each list of spellings, and the layout. */
export interface Spelling {
  readonly symbol: number;
  readonly sideWord: number;
  readonly sidePlace: number;
  readonly modeStyle: number;
  readonly entryStyle: number;
  readonly entryOrder: boolean;
  readonly targetStyle: number;
  readonly targetShuffle: ReadonlyArray<number>;
  readonly stopStyle: number;
  readonly leverageStyle: number;
  readonly leverageDecimals: boolean;
  readonly numberStyle: number;
  readonly emoji: ReadonlyArray<number>;
  readonly caseStyle: ReadonlyArray<number>;
  readonly noise: ReadonlyArray<number>;
  readonly order: ReadonlyArray<number>;
  readonly singleLine: number;
}

export const spellingArb: fc.Arbitrary<Spelling> = fc.record({
  symbol: fc.nat(5),
  sideWord: fc.nat(1),
  sidePlace: fc.nat(4),
  modeStyle: fc.nat(5),
  entryStyle: fc.nat(9),
  entryOrder: fc.boolean(),
  targetStyle: fc.nat(13),
  targetShuffle: fc.array(fc.nat(1000), { minLength: 6, maxLength: 6 }),
  stopStyle: fc.nat(7),
  leverageStyle: fc.nat(7),
  leverageDecimals: fc.boolean(),
  numberStyle: fc.nat(2),
  emoji: fc.array(fc.nat(9), { minLength: 16, maxLength: 16 }),
  caseStyle: fc.array(fc.nat(3), { minLength: 16, maxLength: 16 }),
  noise: fc.array(fc.nat(5), { maxLength: 2 }),
  order: fc.array(fc.nat(1000), { minLength: 16, maxLength: 16 }),
  singleLine: fc.nat(3),
});

/** What a rendering may replace to make a message invalid on purpose. */
export interface Overrides {
  /** The quote the symbol is written with (S0-1). */
  readonly quote?: string;
  /** A mode word instead of the meaning's mode (C-1); unknown words are written as `Mode: <word>`. */
  readonly modeWord?: string;
}

const EMOJI = ['', '', '', '', '🚀 ', '🔥', '📈 ', '🎯', '⚡️ ', '✅ '];
const NOISE = ['Good luck! 🍀', 'VIP Signal 🔥', 'Binance Futures', 'Not financial advice', '⚡️⚡️⚡️', ''];

const title = (w: string): string => (w === '' ? w : `${w[0]!.toUpperCase()}${w.slice(1).toLowerCase()}`);

const recase = (text: string, style: number): string => {
  if (style === 1) return text.toUpperCase();
  if (style === 2) return text.toLowerCase();
  // Alternating case of the letters: `eNtRy`.
  if (style === 3) return Array.from(text, (c, i) => (i % 2 === 0 ? c.toLowerCase() : c.toUpperCase())).join('');
  return text;
};

const decimalsOf = (tick: Decimal): number => Math.max(0, tick.decimalPlaces());

/** Writes a price as `100.5`, padded to the tick's decimals (`100.50`), or without its leading zero (`.45`). */
const priceText = (p: Decimal, tick: Decimal, style: number): string => {
  if (style === 1) return p.toFixed(Math.max(decimalsOf(tick), p.decimalPlaces()));
  if (style === 2 && p.lt(1)) return p.toFixed().replace(/^0\./, '.');
  return p.toFixed();
};

/** Returns the lines of a message that says `m` the way `s` spells it. */
export const render = (m: Meaning, s: Spelling, o: Overrides = {}): string => {
  const tick = m.instrument.tickSize;
  const px = (p: Decimal): string => priceText(p, tick, s.numberStyle);
  const base = m.instrument.baseAsset;
  const quote = o.quote ?? 'USDT';
  const long = m.side === 'long';
  const sideWord = long ? ['LONG', 'BUY'][s.sideWord]! : ['SHORT', 'SELL'][s.sideWord]!;
  const orderWord = long ? 'Buy' : 'Sell';
  const modeWord = o.modeWord ?? m.mode;
  const known = o.modeWord === undefined || ['FAST', 'SCALP', 'SCALPING'].includes(o.modeWord);
  const symbol = [`#${base}${quote}`, `${base}/${quote}`, `${base}${quote}`.toLowerCase(), `#${base}/${quote}`, `${base}-${quote}`, `$${base}${quote}`][s.symbol]!;

  // Blocks: each is one or more lines that stay together when the order is shuffled.
  const blocks: string[][] = [];
  const modeText = known ? [`Mode: ${title(modeWord)}`, `#${modeWord}`, `${title(modeWord)} trade`, `Type = ${modeWord.toLowerCase()}`, modeWord, `Mode - ${modeWord}`][s.modeStyle]! : `Mode: ${modeWord}`;
  if (s.sidePlace === 0) blocks.push([`${symbol} ${sideWord}${known && s.modeStyle === 4 ? ` ${modeWord}` : ''}`]);
  else {
    blocks.push([symbol]);
    blocks.push([[`${sideWord}`, `Direction: ${title(sideWord)}`, `Side - ${sideWord}`, `📉 ${sideWord} 📈`][s.sidePlace - 1]!]);
  }
  if (!(s.sidePlace === 0 && known && s.modeStyle === 4)) blocks.push([modeText]);

  const [first, second] = m.entries;
  if (second === undefined) {
    blocks.push([[`Entry: ${px(first!)}`, `Entry price ${px(first!)}`, `${orderWord} @ ${px(first!)}`, `Entry zone: ${px(first!)}`, `Entry = ${px(first!)}`, `Enter at ${px(first!)}`, `Entry - ${px(first!)}`, `Entry ${px(first!)}`, `Entry: ${px(first!)}`, `Entry: ${px(first!)}`][s.entryStyle]!]);
  } else {
    const [a, b] = s.entryOrder ? [px(first!), px(second)] : [px(second), px(first!)];
    if (s.entryStyle === 8) blocks.push([`Entry 1: ${px(first!)}`], [`Entry 2: ${px(second)}`]);
    else blocks.push([[`Entry: ${a} - ${b}`, `Entry zone ${a}-${b}`, `Entries: ${a}, ${b}`, `Entry between ${a} and ${b}`, `Entry: ${a} to ${b}`, `Entry: ${a} – ${b}`, `${orderWord} zone: ${a} - ${b}`, `Entry ${a} / ${b}`, '', `Entry 1) ${px(first!)}\nEntry 2) ${px(second)}`][s.entryStyle]!]);
  }

  const ts = m.targets.map(px);
  const shuffled = ts.map((t, i) => [t, s.targetShuffle[i]!] as const).sort((x, y) => x[1] - y[1]).map(([t]) => t);
  const numbered = (line: (i: number, t: string) => string): void => ts.forEach((t, i) => blocks.push([line(i + 1, t)]));
  switch (s.targetStyle) {
    case 0: numbered((i, t) => `TP${i}: ${t}`); break;
    case 1: numbered((i, t) => `Target ${i} - ${t}`); break;
    case 2: numbered((i, t) => `Take profit ${i}: ${t}`); break;
    case 3: numbered((i, t) => `T${i}: ${t}`); break;
    case 4: numbered((i, t) => `TP ${i} = ${t}`); break;
    case 5: numbered((i, t) => `TP${i} ${t}`); break;
    case 6: numbered((i, t) => `🎯 TP${i}: ${t} (+${i}.5 %)`); break;
    case 7: blocks.push([`Targets: ${shuffled.join(', ')}`]); break;
    case 8: blocks.push([`TP: ${shuffled.join(' / ')}`]); break;
    case 9: blocks.push([`TPs: ${shuffled.join('; ')}`]); break;
    case 10: blocks.push(['Targets:', ...ts.map((t, i) => `${i + 1}) ${t}`)]); break;
    case 11: blocks.push(['Targets 🎯', ...shuffled]); break;
    case 12: blocks.push(['Take profit targets:', ...ts.map((t, i) => `${i + 1}. ${t}`)]); break;
    default: blocks.push(['Targets:', ...shuffled.map((t) => `- ${t}`)]);
  }

  if (m.stopLoss !== undefined) {
    const x = px(m.stopLoss);
    blocks.push([[`SL: ${x}`, `Stop loss ${x}`, `Stop: ${x}`, `S/L = ${x}`, `StopLoss: ${x}`, `Stop-loss @ ${x}`, `SL ${x}`, `⛔ SL: ${x}`][s.stopStyle]!]);
  }
  if (m.leverage !== undefined) {
    const l = s.leverageDecimals ? m.leverage.toFixed(2) : m.leverage.toFixed();
    blocks.push([[`Leverage: x${l}`, `Lev ${l}x`, `Cross ${l}x`, `Leverage: Cross (${l}x)`, `Leverage: ${l}`, `Isolated x${l}`, `${l}x`, `Leverage ${l}X`][s.leverageStyle]!]);
  }
  for (const n of s.noise) blocks.push([NOISE[n]!]);

  const dressed = blocks.map((lines, i) => lines.map((line, j) => `${j === 0 ? EMOJI[s.emoji[i % 16]!]! : ''}${recase(line, s.caseStyle[i % 16]!)}`));
  const ordered = dressed.map((b, i) => [b, s.order[i % 16]! * 100 + i] as const).sort((x, y) => x[1] - y[1]).map(([b]) => b);
  const oneLine = s.singleLine > 0 && ordered.every((b) => b.length === 1 && !b[0]!.includes('\n'));
  return oneLine ? ordered.map((b) => b[0]).join([' ', ' | ', '  '][s.singleLine - 1]) : ordered.map((b) => b.join('\n')).join('\n');
};

/** A valid meaning and a message that says it. */
export const messageArb = (minGap = 1, overrides: fc.Arbitrary<Overrides> = fc.constant({})): fc.Arbitrary<{ readonly meaning: Meaning; readonly text: string; readonly overrides: Overrides }> =>
  fc.tuple(meaningArb(minGap), spellingArb, overrides).map(([meaning, spelling, o]) => ({ meaning, text: render(meaning, spelling, o), overrides: o }));

/** One edit that may break a message. */
type Mutation =
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number }
  | { readonly kind: 'shuffle'; readonly keys: ReadonlyArray<number> }
  | { readonly kind: 'duplicate'; readonly at: number };

const INSERTS = ['1', '0', '5', '.', ',', '-', ':', '/', '%', '#', 'x', 'X', ' ', '\n', 'TP', 'SL', 'SHORT', 'FAST', '🚀', '🎯', '\u200b', '\u20e3', 'USDC', '@', '(', ')'];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...INSERTS), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('shuffle' as const), keys: fc.array(fc.nat(1000), { minLength: 30, maxLength: 30 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
);

const apply = (text: string, m: Mutation): string => {
  const chars = Array.from(text);
  const at = chars.length === 0 ? 0 : ('at' in m ? m.at : 0) % chars.length;
  switch (m.kind) {
    case 'insert':
      return [...chars.slice(0, at), m.text, ...chars.slice(at)].join('');
    case 'delete':
      return [...chars.slice(0, at), ...chars.slice(at + 1)].join('');
    case 'flip': {
      const c = chars[at] ?? '';
      return [...chars.slice(0, at), c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase(), ...chars.slice(at + 1)].join('');
    }
    case 'shuffle': {
      const lines = text.split('\n');
      return lines.map((l, i) => [l, m.keys[i % 30]! * 100 + i] as const).sort((x, y) => x[1] - y[1]).map(([l]) => l).join('\n');
    }
    case 'duplicate': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      return [...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)].join('\n');
    }
  }
};

/** A valid message with one to five mutations applied. */
export const mutatedArb: fc.Arbitrary<string> = fc
  .tuple(messageArb(), fc.array(mutationArb, { minLength: 1, maxLength: 5 }))
  .map(([{ text }, mutations]) => mutations.reduce(apply, text));

/** Words and numbers of the grammar, to build strings that reach deep into the parser. */
const GRAMMAR_PIECES = [
  '#BTCUSDT', 'BTC/USDT', 'ethusdt', 'BTC/USDC', 'LONG', 'SHORT', 'BUY', 'SELL', 'SWING', 'DYNAMIC', 'FIXED', 'FAST', 'Mode:', 'Entry:', 'Entry zone', 'Buy @',
  'TP1:', 'TP2:', 'Target 2 -', 'Targets:', 'SL:', 'Stop loss', 'Leverage:', 'Lev', 'Cross', '10x', 'x6', '7.5x', '100', '102', '105', '107', '95', '0.5', '1,5',
  '68000', '70000', '66000', '-', ',', ':', '/', '(', ')', '%', '\n', '1)', '2.', '🚀', '🎯', 'R/R', '4h', '#45', 'to', 'and', '.5', '1️⃣',
];

/** Strings of grammar pieces joined by spaces or nothing. */
export const grammarSoupArb: fc.Arbitrary<string> = fc.array(fc.tuple(fc.constantFrom(...GRAMMAR_PIECES), fc.constantFrom(' ', '', ' ', '\n')), { maxLength: 40 }).map((parts) => parts.map(([p, sep]) => `${p}${sep}`).join(''));

/** A signal's meaning as plain strings (what the example and property tests compare). */
export const said = (s: Signal) => ({
  symbol: s.symbol,
  side: s.side,
  mode: s.mode,
  entries: s.entries.map(String),
  targets: s.targets.map(String),
  stopLoss: s.stopLoss?.toString(),
  leverage: s.leverage?.toString(),
  plan: { leverage: s.plan.leverage.toString(), stopLoss: s.plan.stopLoss.toString(), autoSl: s.plan.autoSl },
});
