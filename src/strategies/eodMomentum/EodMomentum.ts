/**
 * `eod-momentum` (S2-8, S2-9): the S2 end-of-day strategy. From 14:30 to 15:55 New York time on weekdays it judges each
 * new closed bar of a ticker against the day's open and session VWAP — `trend` follows the day's move, `fade` trades
 * the reversal of a spike — while the VIX gate is open; bearish setups buy the mapped unleveraged inverse ETF (never a
 * short), one trade per ticker per New York day, and every position it opened is closed from 15:55 on. Pure: time comes
 * from the snapshot (DST through the shared New York time helper, src/strategies/us/newYorkTime.ts), floats only inside the VWAP.
 */
import { NEW_YORK, newYorkTime, sameDayAt } from '../us/newYorkTime.ts';
import { US_SESSION } from '../us/sessionPlan.ts';
import { Decimal, ONE } from '../../domain/money.ts';
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { BarView, MarketSnapshot } from '../../market/MarketState.ts';
import type { EodMomentumParams } from '../../config/eodMomentumSection.ts';
import { inverseEtfProblems, LEVERAGED_ETFS } from '../../config/inverseEtfMap.ts';
import { priceBarOf, SessionVwap, sessionsStartingAt } from '../indicators/index.ts';
import type { Strategy } from '../Strategy.ts';
import { allocationShares, MAX_SIGNALS_PER_ROUND } from '../us/allocation.ts';
import { proposalMaker } from '../stateRecords.ts';

/** The strategy id (also every proposal's `strategyId`). */
export const EOD_MOMENTUM_ID = 'eod-momentum';


const hourMinute = (minutes: number): readonly [number, number] => [Math.floor(minutes / 60), minutes % 60];

/**
 * The strategy's New York times (HH, MM), from the S2-11 close slot: the regular session opens, entries start, the
 * hard close, the session ends.
 */
export const EOD_TIMES = {
  sessionOpen: hourMinute(US_SESSION.open), windowStart: hourMinute(US_SESSION.close.from), hardClose: hourMinute(US_SESSION.close.hardClose), sessionClose: hourMinute(US_SESSION.close.to),
} as const;

// The day's open is the open of its first regular-session bar; a first bar later than this leaves the open unknown.
const OPEN_BAR_GRACE_MS = 5 * 60_000;
const BAR_MS = 60_000;

/** Why the VIX gate is closed: not judged outside the entry window, no VIX bar, a stale one, or a reading below `vixMin`. */
export type VixGateReason = 'outside_window' | 'vix_missing' | 'vix_stale' | 'vix_below_min';

/** The VIX gate as last judged; `vix` is the reading (the last VIX bar's close) when there was one. */
export type VixGate =
  | { readonly open: true; readonly vix: string }
  | { readonly open: false; readonly reason: VixGateReason; readonly vix?: string | undefined };

/** Why a signal was not proposed. */
export type EodSkipReason = 'blocklisted' | 'no_inverse_etf' | 'position_open' | 'round_full';

/** A signal of the last cycle that was not proposed. */
export interface EodSkip {
  readonly symbol: string;
  readonly direction: 'bullish' | 'bearish';
  readonly reason: EodSkipReason;
}

/** The strategy's memory: plain values only. */
export interface EodMomentumState {
  /** Per ticker, the start of the last bar judged. */
  readonly lastBarStart: Readonly<Record<string, number>>;
  /** The New York day (YYYY-MM-DD) `traded` is for; the blocklist starts empty on a new day. */
  readonly day: string;
  /** The S2-9 blocklist: tickers traded on `day` (the signal's ticker and the inverse ETF bought for it). */
  readonly traded: ReadonlyArray<string>;
  readonly gate: VixGate;
  /** The signals of the last cycle that were not proposed, and why. */
  readonly skipped: ReadonlyArray<EodSkip>;
}

/** The New York day of an instant and the strategy's times on that day (epoch ms). */
export interface NewYorkDay {
  readonly day: string;
  /** 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
  readonly sessionOpen: number;
  readonly windowStart: number;
  readonly hardClose: number;
  readonly sessionClose: number;
}

/** Returns the New York day of `ts` and its session times, each on that day's offset (EST or EDT). */
export const newYorkDay = (ts: number): NewYorkDay => {
  const local = newYorkTime(ts);
  const at = ([hour, minute]: readonly [number, number]): number => sameDayAt(ts, hour * 60 + minute);
  return {
    day: local.date,
    weekday: local.weekday,
    sessionOpen: at(EOD_TIMES.sessionOpen),
    windowStart: at(EOD_TIMES.windowStart),
    hardClose: at(EOD_TIMES.hardClose),
    sessionClose: at(EOD_TIMES.sessionClose),
  };
};

/** Returns whether entries may be judged at `ts`: a weekday, from 14:30 until before 15:55 New York time. */
export const inEntryWindow = (ts: number, day: NewYorkDay = newYorkDay(ts)): boolean =>
  day.weekday <= 5 && ts >= day.windowStart && ts < day.hardClose;

type Direction = 'bullish' | 'bearish';

/** What a signal reads: the day's open, the session VWAP, the session bars and the bar judged. */
interface SessionView {
  readonly open: Decimal;
  readonly vwap: number;
  readonly bars: ReadonlyArray<BarView>;
  readonly bar: BarView;
}

/** trend: the close is beyond the VWAP and at least `trendMoveMin` from the open, and the bar itself moved that way. */
const trendSignal = (p: EodMomentumParams, s: SessionView): Direction | undefined => {
  const { bar, open, vwap } = s;
  const move = bar.close.minus(open).div(open);
  if (bar.close.gt(vwap) && move.gte(p.trendMoveMin) && bar.close.gt(bar.open)) return 'bullish';
  if (bar.close.lt(vwap) && move.lte(-p.trendMoveMin) && bar.close.lt(bar.open)) return 'bearish';
  return undefined;
};

/** Returns the index of the last bar with the highest high (`high`) or the lowest low. */
const extremeIndex = (bars: ReadonlyArray<BarView>, high: boolean): number => {
  let at = 0;
  for (let i = 1; i < bars.length; i++) {
    const better = high ? bars[i]!.high.gte(bars[at]!.high) : bars[i]!.low.lte(bars[at]!.low);
    if (better) at = i;
  }
  return at;
};

/**
 * fade: the day's high spiked at least `fadeMoveMin` above the open within the last `fadeLookbackBars` bars, the bar
 * closed down, at least `fadePullbackMin` below that high and still above the VWAP → bearish; the mirror → bullish.
 */
const fadeSignal = (p: EodMomentumParams, s: SessionView): Direction | undefined => {
  const { bar, bars, open, vwap } = s;
  const recent = (i: number): boolean => i >= bars.length - p.fadeLookbackBars;
  const hi = extremeIndex(bars, true);
  const high = bars[hi]!.high;
  if (recent(hi) && high.gte(open.times(ONE.plus(p.fadeMoveMin))) && bar.close.lt(bar.open) && bar.close.lte(high.times(ONE.minus(p.fadePullbackMin))) && bar.close.gt(vwap)) {
    return 'bearish';
  }
  const lo = extremeIndex(bars, false);
  const low = bars[lo]!.low;
  if (recent(lo) && low.lte(open.times(ONE.minus(p.fadeMoveMin))) && bar.close.gt(bar.open) && bar.close.gte(low.times(ONE.plus(p.fadePullbackMin))) && bar.close.lt(vwap)) {
    return 'bullish';
  }
  return undefined;
};

/** Creates the eod-momentum strategy with `ttlMs` as its proposals' time to live. */
export const eodMomentumStrategy = (params: EodMomentumParams, ttlMs: number): Strategy<EodMomentumState> => {
  const vwapSessions = sessionsStartingAt(NEW_YORK, '09:30');
  const inverseTargets = new Set(Object.values(params.inverseEtfs));
  const kindOf = (symbol: string) => (inverseTargets.has(symbol) ? 'inverse_etf' as const : 'equity' as const);

  const vixGate = (snapshot: MarketSnapshot): VixGate => {
    const market = snapshot.symbols.get(params.vixSymbol);
    const last = market?.bars.at(-1);
    if (market === undefined || last === undefined) return { open: false, reason: 'vix_missing' };
    const vix = last.close.toString();
    const closedAt = market.lastBarCloseTs ?? last.start + BAR_MS;
    if (snapshot.now - closedAt > params.vixMaxAgeMs) return { open: false, reason: 'vix_stale', vix };
    if (last.close.lt(params.vixMin)) return { open: false, reason: 'vix_below_min', vix };
    return { open: true, vix };
  };

  /** The session view of a ticker's newest bar, or undefined when it is not a bar of today's window or the open is unknown. */
  const sessionView = (bars: ReadonlyArray<BarView>, day: NewYorkDay): SessionView | undefined => {
    const bar = bars.at(-1);
    if (bar === undefined || bar.start < day.windowStart - BAR_MS || bar.start >= day.hardClose) return undefined;
    let first = bars.length - 1;
    while (first > 0 && bars[first - 1]!.start >= day.sessionOpen) first--;
    const session = bars.slice(first);
    if (session[0]!.start >= day.sessionOpen + OPEN_BAR_GRACE_MS) return undefined;
    const vwap = new SessionVwap({ sessionOf: vwapSessions });
    for (const b of session) vwap.update(priceBarOf(b));
    return vwap.value === undefined ? undefined : { open: session[0]!.open, vwap: vwap.value, bars: session, bar };
  };

  const make = proposalMaker({ strategyId: EOD_MOMENTUM_ID, instrumentKind: 'equity', stopLossFraction: params.stopLossFraction, takeProfitFraction: params.takeProfitFraction, ttlMs });
  const proposal = (id: string, symbol: string, side: 'buy' | 'sell', notional: number, now: number): TradeProposal =>
    make({ proposalId: id, symbol, side, instrumentKind: kindOf(symbol), notionalFraction: notional, conviction: 1, createdAt: now });

  return {
    id: EOD_MOMENTUM_ID,
    init: () => ({ lastBarStart: {}, day: '', traded: [], gate: { open: false, reason: 'outside_window' }, skipped: [] }),
    selfCheck: () => inverseEtfProblems(params.inverseEtfs),
    propose: (snapshot, state) => {
      const now = snapshot.now;
      const day = newYorkDay(now);
      const traded = new Set(state.day === day.day ? state.traded : []);
      const proposals: TradeProposal[] = [];
      const inWindow = inEntryWindow(now, day);

      // The hard close: outside the entry window every long this strategy opened is proposed for exit, each cycle until flat.
      if (!inWindow) {
        for (const [symbol, held] of [...(snapshot.positions ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
          if (held.strategyId === EOD_MOMENTUM_ID && held.side === 'long') proposals.push(proposal(`${EOD_MOMENTUM_ID}-exit-${symbol}-${String(now)}`, symbol, 'sell', 1, now));
        }
        return { proposals, state: { ...state, day: day.day, traded: [...traded], gate: { open: false, reason: 'outside_window' }, skipped: [] } };
      }

      const gate = vixGate(snapshot);
      if (!gate.open) return { proposals, state: { ...state, day: day.day, traded: [...traded], gate, skipped: [] } };

      let lastBarStart = state.lastBarStart;
      const skipped: EodSkip[] = [];
      const entries: Array<{ readonly target: string; readonly barStart: number }> = [];
      for (const symbol of [...snapshot.symbols.keys()].sort()) {
        if (symbol === params.vixSymbol || inverseTargets.has(symbol) || LEVERAGED_ETFS.has(symbol)) continue;
        const bars = snapshot.symbols.get(symbol)?.bars ?? [];
        const bar = bars.at(-1);
        if (bar === undefined || lastBarStart[symbol] === bar.start) continue;
        lastBarStart = { ...lastBarStart, [symbol]: bar.start };
        const view = sessionView(bars, day);
        const direction = view === undefined ? undefined : params.mode === 'trend' ? trendSignal(params, view) : fadeSignal(params, view);
        if (direction === undefined) continue;
        const target = direction === 'bullish' ? symbol : params.inverseEtfs[symbol];
        const skip = (reason: EodSkipReason) => skipped.push({ symbol, direction, reason });
        if (target === undefined) skip('no_inverse_etf');
        else if (traded.has(symbol) || traded.has(target)) skip('blocklisted');
        else if (snapshot.positions?.get(target) !== undefined) skip('position_open');
        else if (entries.length >= MAX_SIGNALS_PER_ROUND) skip('round_full');
        else {
          entries.push({ target, barStart: bar.start });
          traded.add(symbol).add(target);
        }
      }
      const shares = allocationShares(entries.length);
      const total = new Decimal(params.allocationFraction);
      entries.forEach((e, i) => proposals.push(proposal(`${EOD_MOMENTUM_ID}-${e.target}-${String(e.barStart)}`, e.target, 'buy', shares[i]!.times(total).toNumber(), now)));
      return { proposals, state: { lastBarStart, day: day.day, traded: [...traded], gate, skipped } };
    },
  };
};
