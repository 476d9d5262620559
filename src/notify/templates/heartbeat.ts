/** HEARTBEAT (S0-19): every 30 min, the system's state in template form. Pure. */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { lines, minuteIn, money, type Rendered, type TemplateError } from './format.ts';

/** What HEARTBEAT is rendered from. */
export interface HeartbeatInput {
  readonly at: number;
  readonly zone: string;
  readonly tradingOn: boolean;
  /** Why trading is off (kill switch, a gating dependency down, …). */
  readonly reasons: ReadonlyArray<string>;
  readonly openPositions: number;
  readonly workingOrders: number;
  readonly equity: Decimal | undefined;
  readonly settleAsset: string;
  readonly uptimeMs: number;
}

const uptime = (ms: number): string => {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  return `${days > 0 ? `${String(days)} d ` : ''}${String(hours)} h ${String(minutes % 60)} min`;
};

/** Renders HEARTBEAT. */
export const renderHeartbeat = (input: HeartbeatInput): Either.Either<Rendered, TemplateError> =>
  Either.right({
    template: 'HEARTBEAT',
    text: lines(
      `💓 HEARTBEAT ${minuteIn(input.at, input.zone)} (${input.zone})`,
      `Trading: ${input.tradingOn ? 'ON' : `OFF (${input.reasons.join('; ') || 'unknown'})`}`,
      `Open positions: ${String(input.openPositions)}`,
      `Working orders: ${String(input.workingOrders)}`,
      `Equity: ${input.equity === undefined ? 'n/a' : money(input.equity, input.settleAsset)}`,
      `Uptime: ${uptime(input.uptimeMs)}`,
    ),
  });
