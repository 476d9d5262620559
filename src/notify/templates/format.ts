/**
 * Formatting shared by the templates (S0-18): `#BTCUSDT` hashtags, a space before `%` (`11 %`), money with two
 * decimals and its asset, leverage as `x6.00`, prices and quantities exactly as journaled — every figure from a
 * Decimal, never a float — and the template check that refuses a missing required field. Pure.
 */
import { roundMoney } from '../../domain/rounding.ts';
import { Data, Either } from 'effect';
import { DateTime } from 'luxon';
import type { Decimal } from '../../domain/money.ts';

/** Why a template refused to render. */
export class TemplateError extends Data.TaggedError('TemplateError')<{
  readonly template: string;
  readonly reason: { readonly _tag: 'MissingField'; readonly field: string } | { readonly _tag: 'InvalidField'; readonly field: string; readonly problem: string };
}> {
  override get message(): string {
    const r = this.reason;
    return r._tag === 'MissingField' ? `template ${this.template}: required field ${r.field} is missing` : `template ${this.template}: field ${r.field} ${r.problem}`;
  }
}

/** A rendered message text. */
export interface Rendered {
  readonly template: string;
  readonly text: string;
}

/** Returns Left(MissingField) for the first of `fields` that is undefined, null or an empty string. */
export const requireFields = <T extends object>(template: string, input: T, fields: ReadonlyArray<keyof T & string>): Either.Either<void, TemplateError> => {
  for (const field of fields) {
    const v = (input as Record<string, unknown>)[field];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return Either.left(new TemplateError({ template, reason: { _tag: 'MissingField', field } }));
  }
  return Either.right(undefined);
};

/** Returns `#BTCUSDT`: a hashtag keeps letters, digits and `_` only (`BTC-USD` → `#BTCUSD`). */
export const hashtag = (symbol: string): string => `#${symbol.replace(/[^A-Za-z0-9_]/g, '')}`;

/** Returns a percent with `dp` decimals and a space before the sign: `11 %`, `-0.60 %`. */
export const percent = (value: Decimal, dp = 2): string => `${roundMoney(value, dp).toFixed(dp)} %`;

/** Returns a signed percent: `+0.60 %`, `-1.25 %`, `0.00 %`. */
export const signedPercent = (value: Decimal, dp = 2): string => `${value.gt(0) ? '+' : ''}${percent(value, dp)}`;

/** Returns money with two decimals and its asset: `832.33 USDT`. */
export const money = (value: Decimal, asset: string, dp = 2): string => `${roundMoney(value, dp).toFixed(dp)} ${asset}`;

/** Returns signed money: `+29.97 USDT`, `-1.91 USDT`. */
export const signedMoney = (value: Decimal, asset: string, dp = 2): string => `${roundMoney(value, dp).gt(0) ? '+' : ''}${money(value, asset, dp)}`;

/** Returns leverage with two decimals (S0-4): `x6.00`, `x7.50`. */
export const leverage = (value: Decimal): string => `x${roundMoney(value, 2).toFixed(2)}`;

/** Returns a price or quantity exactly as held (no rounding, no exponent). */
export const exact = (value: Decimal): string => value.toFixed();

/** Returns `yes` or `no`. */
export const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/** The trigger sources as the templates name them (X-ORD-7). */
export const triggerName = (source: 'mark' | 'last' | 'index'): string => ({ mark: 'Mark', last: 'Last', index: 'Index' })[source];

/** Returns the position side of an entry order's side: buy opens LONG, sell opens SHORT. */
export const positionSide = (side: 'buy' | 'sell' | 'long' | 'short'): string => (side === 'buy' || side === 'long' ? 'LONG' : 'SHORT');

/** Returns `2026-03-01` for the instant in the zone. */
export const dateIn = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd');

/** Returns `2026-03-01 08:30` for the instant in the zone. */
export const minuteIn = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm');

/** Returns the move from `from` to `to` in percent of `from`, signed in the position's favour (a short gains when price falls). */
export const favourableMove = (from: Decimal, to: Decimal, side: 'long' | 'short'): Decimal => {
  const raw = to.minus(from).div(from).times(100);
  return side === 'long' ? raw : raw.negated();
};

/** Joins lines with `\n` (no trailing newline). */
export const lines = (...ls: ReadonlyArray<string | undefined>): string => ls.filter((l): l is string => l !== undefined).join('\n');
