/**
 * The figures DAILY_REPORT and WEEKLY_REPORT share (S0-19): trades, wins and losses, win rate, PnL, fees, re-entries,
 * hedges and the highest pyramid step reached. Pure.
 */
import type { Decimal } from '../../domain/money.ts';
import { money, percent, signedMoney } from './format.ts';

/** A report period's figures. */
export interface ReportFigures {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / trades as a fraction; undefined without trades. */
  readonly winRate: Decimal | undefined;
  readonly pnl: Decimal;
  readonly fees: Decimal;
  readonly settleAsset: string;
  readonly reEntries: number;
  readonly hedges: number;
  /** The highest pyramid step reached (S0-9, Step 1 = the initial entry); undefined: none. */
  readonly pyramidStep: number | undefined;
  /** The zone every date is shown in (S0-19: Europe/Stockholm). */
  readonly zone: string;
}

/** Returns the shared lines. */
export const figureLines = (f: ReportFigures): string[] => [
  `Trades: ${String(f.trades)}`,
  `Wins: ${String(f.wins)} · Losses: ${String(f.losses)}`,
  `Win rate: ${f.winRate === undefined ? 'n/a' : percent(f.winRate.times(100))}`,
  `PnL: ${signedMoney(f.pnl, f.settleAsset)}`,
  `Fees: ${money(f.fees, f.settleAsset)}`,
  `Re-entries: ${String(f.reEntries)}`,
  `Hedges: ${String(f.hedges)}`,
  `Pyramid: ${f.pyramidStep === undefined ? 'none' : `Step ${String(f.pyramidStep)}`}`,
];
