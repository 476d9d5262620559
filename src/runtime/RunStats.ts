/**
 * The counters and trade list of one run, rendered into the run summary (summary.json). Deterministic: it holds only
 * what the run did (no wall-clock times, no paths), so two replays with the same seed give identical bytes.
 */
import { Decimal, ZERO } from '../domain/money.ts';
import type { Fill } from '../domain/orders.ts';
import type { TradeEmitted } from '../../machines/trade/tradeTypes.ts';

type ClosedTrade = Extract<TradeEmitted, { type: 'position.closed' }>;

/** A trade cycle still open at the end of a run. */
export interface OpenCycle {
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly entryPrice: string;
  readonly realizedPnl: string;
  readonly fees: string;
}

/** Counters of a run. */
export class RunStats {
  proposals = 0;
  intents = 0;
  /** DRY_RUN approvals logged instead of sent. */
  dryRunOrders = 0;
  /** Strategy exits sent to open positions. */
  exits = 0;
  ordersSent = 0;
  fills = 0;
  fees: Decimal = ZERO;
  restarts = 0;
  startingBalance: Decimal | undefined;
  endingBalance: Decimal | undefined;
  readonly vetoes = new Map<string, number>();
  readonly trades: ClosedTrade[] = [];
  openPositions: ReadonlyArray<Record<string, string | null>> = [];
  /** Cycles still open when the run stopped: what they realized so far (fees, partial exits), so the run adds up. */
  openCycles: ReadonlyArray<OpenCycle> = [];
  finalStates: Readonly<Record<string, string>> = {};

  /** Counts a veto by reason. */
  recordVeto(reason: string): void {
    this.vetoes.set(reason, (this.vetoes.get(reason) ?? 0) + 1);
  }

  /** Counts a fill (ours or a venue-triggered TP/SL close) and its fee. */
  recordFill(fill: Fill): void {
    this.fills += 1;
    this.fees = this.fees.plus(fill.fee);
  }

  /** Records a closed trade. */
  recordTrade(trade: ClosedTrade): void {
    this.trades.push(trade);
  }

  /** Returns the JSON summary of the run. */
  summary(extra: Record<string, unknown>): Record<string, unknown> {
    // Exact decimals throughout (no rounding): the trades and open cycles add up to the balance change to the unit.
    const pnl = [...this.trades, ...this.openCycles].reduce((a, t) => a.plus(t.realizedPnl), ZERO);
    const wins = this.trades.filter((t) => new Decimal(t.realizedPnl).gt(0)).length;
    return {
      ...extra,
      proposals: this.proposals,
      intents: this.intents,
      dryRunOrders: this.dryRunOrders,
      strategyExits: this.exits,
      ordersSent: this.ordersSent,
      fills: this.fills,
      trades: this.trades.length,
      wins,
      losses: this.trades.length - wins,
      realizedPnl: pnl.toString(),
      fees: this.fees.toString(),
      startingBalance: this.startingBalance?.toString() ?? null,
      endingBalance: this.endingBalance?.toString() ?? this.startingBalance?.toString() ?? null,
      balanceChange: this.startingBalance !== undefined && this.endingBalance !== undefined ? this.endingBalance.minus(this.startingBalance).toString() : '0',
      vetoes: Object.fromEntries([...this.vetoes].sort(([a], [b]) => a.localeCompare(b))),
      restarts: this.restarts,
      openPositions: this.openPositions,
      finalStates: this.finalStates,
      tradeList: [
        ...this.trades.map((t) => ({
          symbol: t.symbol, side: t.side, quantity: t.quantity, entryPrice: t.entryPrice, exitPrice: t.averageExitPrice, realizedPnl: t.realizedPnl, fees: t.fees, reason: t.reason,
        })),
        ...this.openCycles.map((c) => ({ ...c, exitPrice: null, reason: 'open' })),
      ],
    };
  }
}
