/**
 * What the operator reads about a refused signal: one short line for the private channel, and the same reason as
 * the fields of the notification ERROR template (src/notify/templates/error.ts), which renders it — this module
 * only maps, it never renders or sends. Pure; performs no I/O.
 */
import type { ErrorInput } from '../notify/templates/error.ts';
import type { BadNumberProblem, ContradictionProblem, LeverageProblem, SignalField, SignalRefusal } from './types.ts';

/** The most characters of the message quoted back in a refusal. */
const EXCERPT_LENGTH = 60;

const FIELD_WORDS: Readonly<Record<SignalField | 'number', string>> = {
  symbol: 'symbol',
  side: 'side',
  mode: 'mode',
  entry: 'entry',
  targets: 'targets',
  stopLoss: 'stop loss',
  leverage: 'leverage',
  number: 'number',
};

const BAD_NUMBER: Readonly<Record<BadNumberProblem, (token: string) => string>> = {
  ambiguous_comma: (t) => `"${t}" has a comma between digits (decimal comma or thousands separator?); write 1.5 or 68500`,
  malformed: (t) => `"${t}" is not a number`,
  no_separator: (t) => `"${t}" are two numbers with only a space between them`,
  percent_level: (t) => `"${t}": levels are prices, not percentages`,
  zero: (t) => `"${t}" is zero on the instrument's tick`,
  too_long: (t) => `"${t}" has too many digits`,
  out_of_range: (t) => `"${t}" is outside the instrument's price range`,
  bad_ordinal: (t) => `"${t}": targets are numbered 1 to 10, entries 1 and 2`,
};

const CONTRADICTION: Readonly<Record<ContradictionProblem, (level: string) => string>> = {
  target_not_beyond_entry: (l) => `target ${l} is not on the profit side of every entry`,
  stop_not_beyond_entry: (l) => `stop loss ${l} is not on the loss side of every entry`,
  targets_out_of_order: (l) => `target ${l} is out of order (TP numbers run in the profit direction)`,
  targets_not_distinct: (l) => `target ${l} is given twice`,
  entries_not_distinct: (l) => `both entries snap to ${l} on the instrument's tick`,
  targets_numbering_gap: (l) => `the numbered targets skip ${l}`,
  auto_stop_inside_entries: (l) => `the auto-SL at ${l} (2 % from the first entry) lies inside the entries`,
  level_too_far: (l) => `${l} lies more than 50 % from the first entry`,
};

const LEVERAGE: Readonly<Record<LeverageProblem, (leverage: string) => string>> = {
  swing_is_six: (x) => `SWING trades at x6.00, not ${x}`,
  dynamic_below_minimum: (x) => `DYNAMIC needs at least x7.50, not ${x}`,
  fixed_needs_leverage: () => 'FIXED needs an explicit leverage',
  fixed_forbidden_band: (x) => `FIXED leverage ${x} lies strictly between x6 and x7.5`,
  too_many_decimals: (x) => `leverage ${x} has more than two decimals`,
  below_one: (x) => `leverage ${x} is below x1`,
  above_instrument_max: (x) => `leverage ${x} is above the instrument's maximum`,
};

const REFUSED_MODES = new Set(['FAST', 'SCALP', 'SCALPING']);

/** Returns the reason of a refusal as one clause, without the message. */
export const refusalReason = (refusal: SignalRefusal): string => {
  switch (refusal._tag) {
    case 'Empty':
      return 'the message is empty';
    case 'TooLong':
      return `the message has ${String(refusal.length)} characters, more than the ${String(refusal.limit)} read`;
    case 'NotASignal':
      return 'it names no side, entry, target or stop loss';
    case 'ModeRefused':
      return `mode ${refusal.mode} is ${REFUSED_MODES.has(refusal.mode) ? 'not traded' : 'unknown'} (only SWING, DYNAMIC and FIXED)`;
    case 'QuoteRefused':
      return `${refusal.symbol ?? 'the symbol'} is quoted in ${refusal.quote}; only USDT-quoted symbols are traded`;
    case 'BadNumber':
      return BAD_NUMBER[refusal.problem](refusal.token);
    case 'Ambiguous':
      return refusal.field === 'number'
        ? `${refusal.values.join(', ')} belong${refusal.values.length === 1 ? 's' : ''} to no field`
        : `the ${FIELD_WORDS[refusal.field]} is given twice: ${refusal.values.join(' vs ')}`;
    case 'MissingField':
      return `no ${refusal.fields.map((f) => FIELD_WORDS[f]).join(', ')}`;
    case 'TooManyLevels':
      return `${String(refusal.count)} ${refusal.field === 'entry' ? 'entries' : 'targets'}, at most ${String(refusal.limit)}`;
    case 'UnknownSymbol':
      return refusal.reason ?? `${refusal.symbol} is not listed on the venue`;
    case 'ContradictoryLevels':
      return CONTRADICTION[refusal.problem](refusal.level);
    case 'LeverageRefused':
      return LEVERAGE[refusal.problem](refusal.leverage ?? 'x10.00 (the auto-SL lock)');
    case 'ParserDefect':
      return `the parser failed (${refusal.detail}); please report it`;
  }
};

/** Returns the first non-blank line of a message, control characters out, cut to EXCERPT_LENGTH characters. */
export const excerptOf = (rawText: string): string => {
  const line = rawText.split(/\r\n?|\n/).map((l) => l.replace(/\p{Cc}/gu, ' ').replace(/\s+/g, ' ').trim()).find((l) => l !== '') ?? '';
  const chars = Array.from(line);
  return chars.length > EXCERPT_LENGTH ? `${chars.slice(0, EXCERPT_LENGTH - 1).join('')}…` : line;
};

const quoted = (rawText: string): string => {
  const excerpt = excerptOf(rawText);
  return excerpt === '' ? '' : ` — “${excerpt}”`;
};

/** Returns the line the operator's private channel gets for a refused signal. */
export const refusalText = (refusal: SignalRefusal, rawText: string): string =>
  `Signal refused${refusal.symbol === undefined ? '' : ` #${refusal.symbol}`}: ${refusalReason(refusal)}${quoted(rawText)}`;

/** Returns the ERROR template's code for a refusal: `SIGNAL_MODE_REFUSED`, `SIGNAL_QUOTE_REFUSED`, … */
export const refusalCode = (refusal: SignalRefusal): string => `SIGNAL_${refusal._tag.replace(/([a-z])(?=[A-Z])|([A-Z])(?=[A-Z][a-z])/g, '$1$2_').toUpperCase()}`;

/** Returns the fields the ERROR template renders a refusal from (S0-1, S0-3: every refusal goes to the private channel). */
export const refusalErrorFields = (refusal: SignalRefusal, rawText: string): ErrorInput => ({
  code: refusalCode(refusal),
  message: `${refusalReason(refusal)}${quoted(rawText)}`,
  symbol: refusal.symbol,
});
