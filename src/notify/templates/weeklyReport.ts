/** WEEKLY_REPORT (S0-19): the daily figures over a week plus its top symbols by PnL, numbered from 1. Pure. */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { dateIn, hashtag, lines, signedMoney, type Rendered, type TemplateError } from './format.ts';
import { figureLines, type ReportFigures } from './reportFields.ts';

/** What WEEKLY_REPORT is rendered from. */
export interface WeeklyReportInput extends ReportFigures {
  readonly from: number;
  /** The last instant of the week (inclusive). */
  readonly to: number;
  /** Best first. */
  readonly topSymbols: ReadonlyArray<{ readonly symbol: string; readonly trades: number; readonly pnl: Decimal }>;
}

/** Renders WEEKLY_REPORT. */
export const renderWeeklyReport = (input: WeeklyReportInput): Either.Either<Rendered, TemplateError> =>
  Either.right({
    template: 'WEEKLY_REPORT',
    text: lines(
      `📅 WEEKLY REPORT ${dateIn(input.from, input.zone)} – ${dateIn(input.to, input.zone)} (${input.zone})`,
      ...figureLines(input),
      'Top symbols:',
      ...(input.topSymbols.length === 0
        ? ['none']
        : input.topSymbols.map((s, i) => `${String(i + 1)}. ${hashtag(s.symbol)} ${signedMoney(s.pnl, input.settleAsset)} (${String(s.trades)} ${s.trades === 1 ? 'trade' : 'trades'})`)),
    ),
  });
