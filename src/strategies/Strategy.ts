/**
 * The Strategy contract (DESIGN §6, X-RT-12): a pure function of a market snapshot and the strategy's own state that
 * returns proposals and the next state. Strategies never touch venues, the journal, risk config or global state, and
 * read time only from the snapshot.
 */
import type { TradeProposal } from '../domain/TradeProposal.ts';
import type { MarketSnapshot } from '../market/MarketState.ts';

/**
 * Something a strategy reports about itself in a cycle (e.g. `regime_changed`): an event name and plain fields. The
 * strategy only returns it; the session logs it (registry.ts, `StrategyContext.onEvent`).
 */
export interface StrategyEvent {
  readonly event: string;
  readonly fields: Readonly<Record<string, string | number | boolean | null>>;
}

/** The result of one decision cycle of a strategy. */
export interface StrategyStep<S> {
  readonly proposals: ReadonlyArray<TradeProposal>;
  readonly state: S;
  /** What the strategy reports about this cycle, in order; absent or empty: nothing. */
  readonly events?: ReadonlyArray<StrategyEvent> | undefined;
}

/** A pure strategy with state of type S. */
export interface Strategy<S> {
  readonly id: string;
  /** Returns the initial state. */
  readonly init: () => S;
  /** Returns the proposals for this snapshot and the next state; equal inputs give equal outputs. */
  readonly propose: (snapshot: MarketSnapshot, state: S) => StrategyStep<S>;
  /** Returns problems with the strategy's parameters (empty when fine). */
  readonly selfCheck: () => ReadonlyArray<string>;
}
