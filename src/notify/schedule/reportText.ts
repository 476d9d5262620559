/**
 * The texts of the scheduled reports (S0-19, S2-18): DAILY_REPORT, WEEKLY_REPORT and HEARTBEAT through the
 * notification templates (src/notify/templates), fed from the period's closed trades and the StatusView; a session
 * window's post (no template of its own yet) is rendered here, every time in ET and PT when asked. The pyramid figure
 * is the highest ladder step reached (S0-9); the re-entry and hedge figures are 0 until they are counted. Pure.
 */
import { Either } from 'effect';
import type { ReportKind } from '../../config/schedulesSection.ts';
import { Decimal } from '../../domain/money.ts';
import type { StatusView } from '../../ops/types.ts';
import { renderDailyReport } from '../templates/dailyReport.ts';
import { hashtag, type Rendered, type TemplateError } from '../templates/format.ts';
import { renderHeartbeat } from '../templates/heartbeat.ts';
import type { ReportFigures } from '../templates/reportFields.ts';
import { renderWeeklyReport } from '../templates/weeklyReport.ts';
import { formatInZones } from './displayTime.ts';
import { signedText, type PeriodStats } from './periodStats.ts';

/** What a report is rendered from. */
export interface ReportInput {
  readonly kind: ReportKind;
  /** The schedule's heading, if it names one (session windows). */
  readonly label: string | undefined;
  /** The period's fire time (epoch ms). */
  readonly firedAt: number;
  /** Zones every time is shown in; the templates date in the first. */
  readonly zones: ReadonlyArray<string>;
  readonly status: StatusView;
  /** The closed trades of the period (daily and weekly). */
  readonly period: PeriodStats | undefined;
  /** The asset money is counted in (the first account's settle asset). */
  readonly settleAsset: string;
  /** How long the reports have been running (the heartbeat's uptime). */
  readonly uptimeMs: number;
  /** How many top symbols a weekly report lists. */
  readonly topSymbols?: number | undefined;
}

const MAX_REASONS = 3;

/** `ON`, or `OFF (reason; reason; +2 more)`. */
export const tradingText = (status: StatusView): string => {
  if (status.trading.on) return 'ON';
  const shown = status.trading.reasons.slice(0, MAX_REASONS).join('; ');
  const more = status.trading.reasons.length - MAX_REASONS;
  return `OFF (${shown}${more > 0 ? `; +${String(more)} more` : ''})`;
};

const signed = (text: string | null): string => (text === null ? 'n/a' : signedText(new Decimal(text)));

const EMPTY_PERIOD = (at: number): PeriodStats => ({ from: at, to: at, trades: 0, wins: 0, losses: 0, winRate: undefined, pnl: new Decimal(0), fees: new Decimal(0), symbols: [], curve: [], unreadable: 0, pyramidStep: undefined, hedges: 0 });

/** Returns a session window's post: its heading, the time in every zone, trading, positions, today's PnL. */
export const renderSessionWindow = (input: ReportInput): Rendered => {
  const s = input.status;
  const text = [
    input.label ?? 'Session window',
    formatInZones(input.firedAt, input.zones),
    `Trading: ${tradingText(s)}`,
    `Open positions: ${s.positions.length === 0 ? 'none' : s.positions.map((p) => `${hashtag(p.symbol)} ${p.side} ${p.quantity}`).join(', ')}`,
    `Today: ${signed(s.pnl.dailyChange)}, realized PnL ${signed(s.pnl.realized)}`,
  ].join('\n');
  return { template: 'SESSION_WINDOW', text };
};

/** Renders a scheduled report with its template (a template's refusal is returned, never thrown). */
export const renderReport = (input: ReportInput): Either.Either<Rendered, TemplateError> => {
  const zone = input.zones[0] ?? 'UTC';
  const s = input.status;
  if (input.kind === 'heartbeat') {
    return renderHeartbeat({
      at: input.firedAt, zone, tradingOn: s.trading.on, reasons: s.trading.reasons, openPositions: s.positions.length, workingOrders: s.workingOrders.length,
      equity: s.pnl.equity === null ? undefined : new Decimal(s.pnl.equity), settleAsset: input.settleAsset, uptimeMs: input.uptimeMs,
    });
  }
  if (input.kind === 'session_window') return Either.right(renderSessionWindow(input));
  const p = input.period ?? EMPTY_PERIOD(input.firedAt);
  // S0-19's ladder figures: the pyramid step from the journaled ladder steps (S0-9), the hedges opened (S0-12); re-entries are not counted yet.
  const figures: ReportFigures = {
    trades: p.trades, wins: p.wins, losses: p.losses, winRate: p.winRate, pnl: p.pnl, fees: p.fees, settleAsset: input.settleAsset,
    reEntries: 0, hedges: p.hedges, pyramidStep: p.pyramidStep, zone,
  };
  if (input.kind === 'daily') return renderDailyReport({ ...figures, from: p.from });
  return renderWeeklyReport({ ...figures, from: p.from, to: p.to - 1, topSymbols: p.symbols.slice(0, input.topSymbols ?? 3) });
};
