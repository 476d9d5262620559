/**
 * A strategy's request to trade (S3-5): never an order and never a position. The RiskEngine sizes and rounds it or
 * vetoes it. Decoded with effect/Schema wherever it crosses a boundary. Pure; performs no I/O.
 */
import { Schema } from 'effect';

/** A fraction in [0, 1]. */
export const Fraction = Schema.Number.pipe(
  Schema.filter((n) => (Number.isFinite(n) && n >= 0 && n <= 1) || `expected a fraction in [0, 1], got ${String(n)}`),
  Schema.brand('Fraction'),
);
export type Fraction = typeof Fraction.Type;

export const InstrumentKindForProposal = Schema.Literal('spot', 'perp', 'equity', 'put', 'inverse_etf');

/** The proposal every strategy returns. Percentages are fractions (0.05 = 5 %). */
export class TradeProposal extends Schema.Class<TradeProposal>('TradeProposal')({
  proposalId: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)),
  strategyId: Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_-]{0,23}$/)),
  symbol: Schema.String.pipe(Schema.pattern(/^[A-Z0-9][A-Z0-9._/-]{0,31}$/)),
  side: Schema.Literal('buy', 'sell'),
  instrumentKind: InstrumentKindForProposal,
  /** Fraction of the strategy's budget (NAV share) to commit; the RiskEngine may size it down. */
  notionalFraction: Fraction,
  stopLossFraction: Fraction,
  takeProfitFraction: Fraction,
  conviction: Fraction,
  /** Epoch ms of the market event the proposal was made on. */
  createdAt: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  /** How long the proposal stays valid, in ms. */
  ttlMs: Schema.Number.pipe(Schema.int(), Schema.positive()),
}) {}

export const decodeTradeProposal = Schema.decodeUnknownEither(TradeProposal, { errors: 'all' });
