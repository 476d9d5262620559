/**
 * The notification templates (S0-18, S0-19, X-NTF-4): one file per template, each rendering a typed event to exact
 * text or refusing with a TemplateError; `renderTemplate` dispatches a tagged event. Pure.
 */
import type { Either } from 'effect';
import { renderAlert, type AlertInput } from './alert.ts';
import { renderDailyReport, type DailyReportInput } from './dailyReport.ts';
import { renderError, type ErrorInput } from './error.ts';
import type { Rendered, TemplateError } from './format.ts';
import { renderHeartbeat, type HeartbeatInput } from './heartbeat.ts';
import { renderOrderPlaced, type OrderPlacedInput } from './orderPlaced.ts';
import { renderPositionClosed, type PositionClosedInput } from './positionClosed.ts';
import { renderPositionOpened, type PositionOpenedInput } from './positionOpened.ts';
import { renderPyramidStep, type PyramidStepInput } from './pyramidStep.ts';
import { renderHedge, type HedgeInput } from './hedge.ts';
import { renderSlHit, type SlHitInput } from './slHit.ts';
import { renderStopMoved, type StopMovedInput } from './stopMoved.ts';
import { renderTpHit, type TpHitInput } from './tpHit.ts';
import { renderWeeklyReport, type WeeklyReportInput } from './weeklyReport.ts';

export { TemplateError, type Rendered } from './format.ts';
export type { AlertInput, DailyReportInput, ErrorInput, HedgeInput, HeartbeatInput, OrderPlacedInput, PositionClosedInput, PositionOpenedInput, PyramidStepInput, SlHitInput, StopMovedInput, TpHitInput, WeeklyReportInput };

/** Every template's event, tagged by template name. */
export type TemplateEvent =
  | ({ readonly template: 'ORDER_PLACED' } & OrderPlacedInput)
  | ({ readonly template: 'POSITION_OPENED' } & PositionOpenedInput)
  | ({ readonly template: 'TP_HIT' } & TpHitInput)
  | ({ readonly template: 'SL_HIT' } & SlHitInput)
  | ({ readonly template: 'STOP_MOVED' } & StopMovedInput)
  | ({ readonly template: 'PYRAMID_STEP' } & PyramidStepInput)
  | ({ readonly template: 'HEDGE' } & HedgeInput)
  | ({ readonly template: 'POSITION_CLOSED' } & PositionClosedInput)
  | ({ readonly template: 'ERROR' } & ErrorInput)
  | ({ readonly template: 'DAILY_REPORT' } & DailyReportInput)
  | ({ readonly template: 'WEEKLY_REPORT' } & WeeklyReportInput)
  | ({ readonly template: 'HEARTBEAT' } & HeartbeatInput)
  | ({ readonly template: 'ALERT' } & AlertInput);

/** The template names. */
export type TemplateName = TemplateEvent['template'];

/** Renders an event with its template. */
export const renderTemplate = (event: TemplateEvent): Either.Either<Rendered, TemplateError> => {
  switch (event.template) {
    case 'ORDER_PLACED':
      return renderOrderPlaced(event);
    case 'POSITION_OPENED':
      return renderPositionOpened(event);
    case 'TP_HIT':
      return renderTpHit(event);
    case 'SL_HIT':
      return renderSlHit(event);
    case 'STOP_MOVED':
      return renderStopMoved(event);
    case 'PYRAMID_STEP':
      return renderPyramidStep(event);
    case 'HEDGE':
      return renderHedge(event);
    case 'POSITION_CLOSED':
      return renderPositionClosed(event);
    case 'ERROR':
      return renderError(event);
    case 'DAILY_REPORT':
      return renderDailyReport(event);
    case 'WEEKLY_REPORT':
      return renderWeeklyReport(event);
    case 'HEARTBEAT':
      return renderHeartbeat(event);
    case 'ALERT':
      return renderAlert(event);
  }
};
