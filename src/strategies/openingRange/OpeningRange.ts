/**
 * `opening-range` (S2-6): the opening range breakout of US stocks and ETFs, long only. The range is the high and low
 * of the 1-minute bars of the first `rangeMinutes` after 09:30 New York time; a later bar that closes above
 * range high × (1 + buffer) on at least `volumeMultiple` × the range bars' mean volume proposes a long, once per
 * symbol and session day; a position it holds at 10:20 ET is exited. Pure and deterministic: Decimal prices, time from
 * the snapshot only.
 */
import { type Decimal, ONE, ZERO } from '../../domain/money.ts';
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { BarView, MarketSnapshot } from '../../market/MarketState.ts';
import type { OpeningRangeParams } from '../../config/openingRangeSection.ts';
import type { Strategy } from '../Strategy.ts';
import { isWeekday, newYorkTime, sameDayAt } from '../us/newYorkTime.ts';
import { OPEN_SLOT_END, US_SESSION } from '../us/sessionPlan.ts';
import { proposalMaker, without } from '../stateRecords.ts';

/** The strategy id (also the `strategyId` of its proposals and the owner of the positions it opens). */
export const OPENING_RANGE_ID = 'opening-range';

/** The window in New York minutes after midnight (S2-6, the S2-11 open slot): the session opens at 09:30; positions are exited at 10:20. */
export const OPENING_RANGE_WINDOW = { open: US_SESSION.open, exit: OPEN_SLOT_END } as const;

const MINUTE_MS = 60_000;

/** What the strategy remembers per symbol. */
export interface OpeningRangeState {
  /** The start of the last bar judged. */
  readonly lastBarStart: Readonly<Record<string, number>>;
  /** The New York date (YYYY-MM-DD) of the last entry proposed: one entry per symbol and session day. */
  readonly enteredOn: Readonly<Record<string, string>>;
  /** When the last exit was proposed; a position still held a minute later gets another. */
  readonly exitProposedAt: Readonly<Record<string, number>>;
}

/** The opening range of one session day: its extremes and the mean volume of its bars. */
export interface OpeningRange {
  readonly high: Decimal;
  readonly low: Decimal;
  readonly meanVolume: Decimal;
  /** How many bars formed it (a minute without trades has no bar). */
  readonly bars: number;
}

/**
 * Returns the range of the bars starting in [sessionOpen, sessionOpen + rangeMinutes), or undefined when there is
 * none among `bars` (oldest first).
 */
export const openingRangeOf = (bars: ReadonlyArray<BarView>, sessionOpen: number, rangeMinutes: number): OpeningRange | undefined => {
  const end = sessionOpen + rangeMinutes * MINUTE_MS;
  let high: Decimal | undefined;
  let low: Decimal | undefined;
  let volume = ZERO;
  let count = 0;
  for (const b of bars) {
    if (b.start < sessionOpen || b.start >= end) continue;
    high = high === undefined || b.high.gt(high) ? b.high : high;
    low = low === undefined || b.low.lt(low) ? b.low : low;
    volume = volume.plus(b.volume);
    count++;
  }
  return high === undefined || low === undefined ? undefined : { high, low, meanVolume: volume.div(count), bars: count };
};

/** Creates the opening-range strategy with `ttlMs` as its proposals' time to live. */
export const openingRangeStrategy = (params: OpeningRangeParams, ttlMs: number): Strategy<OpeningRangeState> => {
  const { open, exit } = OPENING_RANGE_WINDOW;
  const rangeEnd = open + params.rangeMinutes;
  const buffer = ONE.plus(params.breakoutBufferFraction);
  const make = proposalMaker({ strategyId: OPENING_RANGE_ID, instrumentKind: 'equity', stopLossFraction: params.stopLossFraction, takeProfitFraction: params.takeProfitFraction, ttlMs });
  const proposal = (symbol: string, side: 'buy' | 'sell', id: string, createdAt: number): TradeProposal =>
    make({ proposalId: id, symbol, side, notionalFraction: side === 'buy' ? params.notionalFraction : 1, conviction: 0.5, createdAt });
  return {
    id: OPENING_RANGE_ID,
    init: () => ({ lastBarStart: {}, enteredOn: {}, exitProposedAt: {} }),
    selfCheck: () => (rangeEnd + 1 < exit ? [] : [`rangeMinutes (${String(params.rangeMinutes)}) leaves no bar to break out before the 10:20 ET exit`]),
    propose: (snapshot: MarketSnapshot, state: OpeningRangeState) => {
      const proposals: TradeProposal[] = [];
      let { lastBarStart, enteredOn, exitProposedAt } = state;
      const now = newYorkTime(snapshot.now);
      for (const symbol of [...snapshot.symbols.keys()].sort()) {
        const held = snapshot.positions?.get(symbol);
        if (held?.strategyId === OPENING_RANGE_ID && held.side === 'long') {
          // Held outside 09:30–10:20 ET, or since an earlier day (an exit that did not fill): the hard exit.
          const inWindow = isWeekday(now) && now.minutes >= open && now.minutes < exit && enteredOn[symbol] === now.date;
          const last = exitProposedAt[symbol];
          if (!inWindow && (last === undefined || snapshot.now - last >= MINUTE_MS)) {
            proposals.push(proposal(symbol, 'sell', `orb-${symbol}-exit-${String(snapshot.now)}`, snapshot.now));
            exitProposedAt = { ...exitProposedAt, [symbol]: snapshot.now };
          }
        } else {
          exitProposedAt = without(exitProposedAt, symbol);
        }
        const bars = snapshot.symbols.get(symbol)?.bars ?? [];
        const bar = bars[bars.length - 1];
        if (bar === undefined || lastBarStart[symbol] === bar.start) continue;
        lastBarStart = { ...lastBarStart, [symbol]: bar.start };
        if (held !== undefined) continue;
        const t = newYorkTime(bar.start);
        // The bar must open after the range and close before 10:20, and the cycle judging it must still be that day before 10:20.
        if (!isWeekday(t) || enteredOn[symbol] === t.date || t.minutes < rangeEnd || t.minutes + 1 >= exit) continue;
        if (now.date !== t.date || now.minutes >= exit) continue;
        const range = openingRangeOf(bars, sameDayAt(bar.start, open), params.rangeMinutes);
        if (range === undefined) continue;
        if (!bar.close.gt(range.high.times(buffer))) continue;
        if (bar.volume.lt(range.meanVolume.times(params.volumeMultiple))) continue;
        proposals.push(proposal(symbol, 'buy', `orb-${symbol}-${String(bar.start)}`, snapshot.now));
        enteredOn = { ...enteredOn, [symbol]: t.date };
      }
      return { proposals, state: { lastBarStart, enteredOn, exitProposedAt } };
    },
  };
};
