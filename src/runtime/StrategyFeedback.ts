/**
 * Each strategy's feedback and metrics for one session (issue 12, X-MOD-6): the fills of its own orders (credited by
 * the account that saw them, through the intent's approval), its proposals the integrator or the RiskEngine
 * refused, and its counters (proposals_count, approvals, vetoes, downscales, fills). Bounded to the last `limit` fills
 * and vetoes; a strategy's view is rebuilt only after a change, so a cycle without news allocates nothing here.
 * Deterministic: it holds event and decision times only, never reads a clock.
 */
import type { Fill } from '../domain/orders.ts';
import type { TradeProposal } from '../domain/TradeProposal.ts';
import { FEEDBACK_LIMIT, type OwnFill, type OwnVeto, type StrategyFeedback } from '../market/MarketState.ts';
import type { RiskDecision } from '../risk/RiskEngine.ts';

/** Where an account credits the fills of a strategy's orders. */
export interface FillFeedback {
  filled(strategyId: string, fill: Fill): void;
}

/** One strategy's counters over the run (X-MOD-6: logged at the end and written to the run summary). */
export interface StrategyMetrics {
  readonly proposals_count: number;
  readonly approvals_count: number;
  readonly vetoes_count: number;
  /** Proposals the integrator scaled down to the strategy's own at-risk cap (S3-6), whatever the RiskEngine decided. */
  readonly downscaled_count: number;
  readonly fills_count: number;
  /** Vetoes by reason, sorted by reason. */
  readonly vetoes_by_reason: Readonly<Record<string, number>>;
}

interface Book {
  readonly fills: OwnFill[];
  readonly vetoes: OwnVeto[];
  view: StrategyFeedback | undefined;
  proposals: number;
  approvals: number;
  downscaled: number;
  fillsCount: number;
  readonly vetoReasons: Map<string, number>;
}

const EMPTY: StrategyFeedback = Object.freeze({ fills: Object.freeze([]), vetoes: Object.freeze([]) });

const push = <T>(list: T[], item: T, limit: number): void => {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
};

/** Keeps only the entries at or before `now` (a venue clock slightly ahead of ours never shows a strategy the future). */
const upTo = <T extends { readonly ts: number }>(list: ReadonlyArray<T>, now: number): ReadonlyArray<T> =>
  list.length === 0 || list[list.length - 1]!.ts <= now ? list : list.filter((e) => e.ts <= now);

/** The feedback and metrics of a session's strategies. */
export class StrategyFeedbackBook implements FillFeedback {
  private readonly books = new Map<string, Book>();
  private readonly limit: number;

  constructor(strategyIds: ReadonlyArray<string>, limit = FEEDBACK_LIMIT) {
    this.limit = limit;
    for (const id of strategyIds) {
      this.books.set(id, { fills: [], vetoes: [], view: EMPTY, proposals: 0, approvals: 0, downscaled: 0, fillsCount: 0, vetoReasons: new Map() });
    }
  }

  /** Counts the proposals a strategy made in one cycle. */
  proposed(strategyId: string, count: number): void {
    const b = this.books.get(strategyId);
    if (b !== undefined) b.proposals += count;
  }

  /** Records the decision on one of a strategy's proposals at cycle time `now`; a veto joins its feedback. */
  decided(proposal: TradeProposal, decision: RiskDecision, now: number, downscaled: boolean): void {
    const b = this.books.get(proposal.strategyId);
    if (b === undefined) return;
    if (downscaled) b.downscaled += 1;
    if (decision.kind === 'approve') {
      b.approvals += 1;
      return;
    }
    const v = decision.veto;
    b.vetoReasons.set(v.reason, (b.vetoReasons.get(v.reason) ?? 0) + 1);
    push(b.vetoes, Object.freeze({ ts: now, proposalId: proposal.proposalId, symbol: proposal.symbol, side: proposal.side, reason: v.reason, capType: v.capType, message: v.message }), this.limit);
    b.view = undefined;
  }

  /** Credits a fill of one of a strategy's orders (its entry, exit, or its position's venue-side TP/SL). */
  filled(strategyId: string, fill: Fill): void {
    const b = this.books.get(strategyId);
    if (b === undefined) return;
    b.fillsCount += 1;
    push(b.fills, Object.freeze({ ts: fill.ts, symbol: fill.symbol, side: fill.side, price: fill.price, quantity: fill.quantity, fee: fill.fee }), this.limit);
    b.view = undefined;
  }

  /** Returns a strategy's feedback as of `now`: frozen, oldest first, the same object until something changes. */
  view(strategyId: string, now: number): StrategyFeedback {
    const b = this.books.get(strategyId);
    if (b === undefined) return EMPTY;
    b.view ??= Object.freeze({ fills: Object.freeze(b.fills.slice()), vetoes: Object.freeze(b.vetoes.slice()) });
    const v = b.view;
    const fills = upTo(v.fills, now);
    const vetoes = upTo(v.vetoes, now);
    return fills === v.fills && vetoes === v.vetoes ? v : Object.freeze({ fills, vetoes });
  }

  /** Returns every strategy's metrics, in the order the strategies run. */
  metrics(): Readonly<Record<string, StrategyMetrics>> {
    const out: Record<string, StrategyMetrics> = {};
    for (const [id, b] of this.books) {
      out[id] = {
        proposals_count: b.proposals, approvals_count: b.approvals, vetoes_count: [...b.vetoReasons.values()].reduce((a, n) => a + n, 0),
        downscaled_count: b.downscaled, fills_count: b.fillsCount,
        vetoes_by_reason: Object.fromEntries([...b.vetoReasons].sort(([a], [b2]) => a.localeCompare(b2))),
      };
    }
    return out;
  }
}
