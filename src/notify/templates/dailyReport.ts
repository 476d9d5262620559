/** DAILY_REPORT (S0-19): the closed trades of the day ending at `at`, dated in the report's zone. Pure. */
import { Either } from 'effect';
import { dateIn, lines, type Rendered, type TemplateError } from './format.ts';
import { figureLines, type ReportFigures } from './reportFields.ts';

/** What DAILY_REPORT is rendered from. */
export interface DailyReportInput extends ReportFigures {
  /** The first instant of the reported day (epoch ms). */
  readonly from: number;
}

/** Renders DAILY_REPORT. */
export const renderDailyReport = (input: DailyReportInput): Either.Either<Rendered, TemplateError> =>
  Either.right({ template: 'DAILY_REPORT', text: lines(`📊 DAILY REPORT ${dateIn(input.from, input.zone)} (${input.zone})`, ...figureLines(input)) });
