/**
 * `vwap-reversion` (S2-7): intraday mean reversion to the session VWAP of US stocks and ETFs, long only. A 1-minute bar
 * opening 10:30–14:29 New York time that closes at least `deviationFraction` below the session VWAP (from 09:30 ET),
 * reverses (a lower low than the bar before, yet a close above its own open) and touches the lower Bollinger band,
 * while ADX shows no trend, proposes a long of the ticker; the mirror (a close that far above VWAP, a higher high yet a
 * close below its open, an upper band touch) proposes a long of the ticker's mapped unleveraged inverse ETF, never a
 * short. At most `maxPositions` positions of its own, largest deviations first. A position is exited when the ticker's
 * bar touches its VWAP or `exitTimeoutMs` after its fill. Pure: Decimal prices, floats only inside the indicators,
 * time from the snapshot.
 */
import { Decimal } from '../../domain/money.ts';
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { BarView, HeldPosition, MarketSnapshot } from '../../market/MarketState.ts';
import type { VwapReversionParams } from '../../config/vwapReversionSection.ts';
import { inverseEtfProblems, LEVERAGED_ETFS } from '../../config/inverseEtfMap.ts';
import { Adx } from '../indicators/Adx.ts';
import { Bollinger } from '../indicators/Bollinger.ts';
import { priceBarOf } from '../indicators/PriceBar.ts';
import { SessionVwap } from '../indicators/Vwap.ts';
import type { Strategy } from '../Strategy.ts';
import { isWeekday, newYorkTime, sameDayAt } from '../us/newYorkTime.ts';
import { US_SESSION } from '../us/sessionPlan.ts';
import { proposalMaker, without } from '../stateRecords.ts';

/** The strategy id (also the `strategyId` of its proposals and the owner of the positions it opens). */
export const VWAP_REVERSION_ID = 'vwap-reversion';

/** New York minutes after midnight (S2-7, the S2-11 mid slot): the VWAP's session opens at 09:30; entries on bars opening in [10:30, 14:30). */
export const VWAP_REVERSION_WINDOW = { sessionOpen: US_SESSION.open, from: US_SESSION.mid.from, to: US_SESSION.mid.to } as const;

const MINUTE_MS = 60_000;

/** bullish: the close lies below VWAP, the trade is a long of the ticker; bearish: above, a long of its inverse ETF. */
export type VwapDirection = 'bullish' | 'bearish';

/** Why a setup was not proposed: no inverse ETF mapped, its target already held or chosen, no free place left. */
export type VwapSkipReason = 'no_inverse_etf' | 'position_open' | 'limit_full';

/** A setup of the last cycle that was not proposed. */
export interface VwapSkip {
  readonly symbol: string;
  readonly direction: VwapDirection;
  readonly reason: VwapSkipReason;
}

/**
 * What the strategy remembers, keyed by the symbol traded (the ticker of a long, the inverse ETF of a bearish trade).
 * Plain values only. The two optional records are absent in states written before the bearish leg: read as empty.
 */
export interface VwapReversionState {
  /** Per ticker, the start of the last bar judged for an entry. */
  readonly lastBarStart: Readonly<Record<string, number>>;
  /** When the last entry was proposed: the timeout counts from the first own buy fill at or after it. */
  readonly entryProposedAt: Readonly<Record<string, number>>;
  /** When a position of its own was first seen: the timeout's start when the feedback holds no such fill. */
  readonly heldSince: Readonly<Record<string, number>>;
  /** When the last exit was proposed; a position still held a minute later gets another. */
  readonly exitProposedAt: Readonly<Record<string, number>>;
  /** Per inverse ETF bought for a bearish setup, the ticker (underlying) whose bars judge its VWAP exit. */
  readonly underlyingOf?: Readonly<Record<string, string>> | undefined;
  /** The setups of the last cycle that were not proposed, and why. */
  readonly skipped?: ReadonlyArray<VwapSkip> | undefined;
}

/** The session's indicators after its newest bar; each undefined while it warms up. */
export interface SessionReading {
  readonly vwap: number | undefined;
  readonly adx: number | undefined;
  readonly lowerBand: number | undefined;
  readonly upperBand: number | undefined;
  /** The session's bars, oldest first. */
  readonly bars: ReadonlyArray<BarView>;
}

/**
 * Returns VWAP, ADX and the Bollinger bands over the bars starting at or after `sessionOpen`, or undefined when
 * `bars` (oldest first) may not hold the whole session: its oldest bar is later than the open.
 */
export const sessionReadingOf = (bars: ReadonlyArray<BarView>, sessionOpen: number, params: VwapReversionParams): SessionReading | undefined => {
  const first = bars[0];
  if (first === undefined || first.start > sessionOpen) return undefined;
  // All bars of the snapshot from the open belong to this session: the caller's newest bar is of this day.
  const session = bars.filter((b) => b.start >= sessionOpen);
  const vwap = new SessionVwap({ sessionOf: () => sessionOpen });
  const adx = new Adx({ period: params.adxPeriod });
  const bands = new Bollinger({ period: params.bollingerPeriod, multiplier: params.bollingerStdDevs });
  for (const b of session) {
    const p = priceBarOf(b);
    vwap.update(p);
    adx.update(p);
    bands.update(p);
  }
  return { vwap: vwap.value, adx: adx.value?.adx, lowerBand: bands.value?.lower, upperBand: bands.value?.upper, bars: session };
};

/** Returns the direction `bar` reverses after `before`: a lower low yet a close above its open is bullish, the mirror bearish. */
const reversalOf = (bar: BarView, before: BarView): VwapDirection | undefined => {
  if (bar.low.lt(before.low) && bar.close.gt(bar.open)) return 'bullish';
  if (bar.high.gt(before.high) && bar.close.lt(bar.open)) return 'bearish';
  return undefined;
};

/** Returns how far from VWAP (a fraction) the reading's newest bar closes when it triggers a `direction` entry, or undefined. */
const entrySignal = (r: SessionReading, direction: VwapDirection, params: VwapReversionParams): number | undefined => {
  const bar = r.bars[r.bars.length - 1];
  if (bar === undefined || r.vwap === undefined || r.adx === undefined || r.lowerBand === undefined || r.upperBand === undefined) return undefined;
  if (r.adx > params.adxMax) return undefined; // trending: no reversion trade
  if (direction === 'bullish') {
    if (bar.close.gt(new Decimal(r.vwap * (1 - params.deviationFraction)))) return undefined;
    return bar.low.lte(new Decimal(r.lowerBand)) ? 1 - bar.close.toNumber() / r.vwap : undefined;
  }
  if (bar.close.lt(new Decimal(r.vwap * (1 + params.deviationFraction)))) return undefined;
  return bar.high.gte(new Decimal(r.upperBand)) ? bar.close.toNumber() / r.vwap - 1 : undefined;
};

/** A setup of this cycle that may be proposed: `target` is bought, `ticker`'s bar triggered it. */
interface Candidate {
  readonly target: string;
  readonly ticker: string;
  readonly direction: VwapDirection;
  readonly deviation: number;
  readonly barStart: number;
}

/** Creates the vwap-reversion strategy with `ttlMs` as its proposals' time to live. */
export const vwapReversionStrategy = (params: VwapReversionParams, ttlMs: number): Strategy<VwapReversionState> => {
  const { sessionOpen, from, to } = VWAP_REVERSION_WINDOW;
  const inverseTargets = new Set(Object.values(params.inverseEtfs));
  // The ticker an inverse ETF stands for when the state does not say (a single mapping only: else it is unknown).
  const mappedTickerOf = (etf: string): string | undefined => {
    const tickers = Object.entries(params.inverseEtfs).filter(([, target]) => target === etf).map(([ticker]) => ticker);
    return tickers.length === 1 ? tickers[0] : undefined;
  };
  const make = proposalMaker({ strategyId: VWAP_REVERSION_ID, instrumentKind: 'equity', stopLossFraction: params.stopLossFraction, takeProfitFraction: params.takeProfitFraction, ttlMs });
  const proposal = (symbol: string, side: 'buy' | 'sell', id: string, createdAt: number, inverse: boolean): TradeProposal =>
    make({ proposalId: id, symbol, side, instrumentKind: inverse ? 'inverse_etf' : 'equity', notionalFraction: side === 'buy' ? params.notionalFraction : 1, conviction: 0.5, createdAt });
  return {
    id: VWAP_REVERSION_ID,
    init: () => ({ lastBarStart: {}, entryProposedAt: {}, heldSince: {}, exitProposedAt: {}, underlyingOf: {}, skipped: [] }),
    selfCheck: () => inverseEtfProblems(params.inverseEtfs),
    propose: (snapshot: MarketSnapshot, state: VwapReversionState) => {
      const proposals: TradeProposal[] = [];
      let { lastBarStart, entryProposedAt, heldSince, exitProposedAt } = state;
      let underlyingOf = state.underlyingOf ?? {};
      const skipped: VwapSkip[] = [];
      const candidates: Candidate[] = [];
      const isInverse = (symbol: string): boolean => inverseTargets.has(symbol) || symbol in underlyingOf;
      const barsOf = (symbol: string): ReadonlyArray<BarView> => snapshot.symbols.get(symbol)?.bars ?? [];
      // Its own positions count against maxPositions, also those of symbols whose gate is closed this cycle.
      const own = [...(snapshot.positions?.values() ?? [])].filter((p) => p.strategyId === VWAP_REVERSION_ID).length;

      /**
       * Judges the exit of the position `held` on `symbol` by `ticker`'s newest bar: a long's high at or above the
       * ticker's VWAP, an inverse ETF's ticker low at or below it (the ticker falling back from above); or the timeout.
       */
      const judgeExit = (symbol: string, held: HeldPosition, ticker: string | undefined, direction: VwapDirection): void => {
        const since = heldSince[symbol] ?? snapshot.now;
        heldSince = { ...heldSince, [symbol]: since };
        const proposedAt = entryProposedAt[symbol];
        const fill = proposedAt === undefined ? undefined : (snapshot.feedback?.fills ?? []).find((f) => f.symbol === symbol && f.side === 'buy' && f.ts >= proposedAt);
        const timedOut = snapshot.now - (fill?.ts ?? since) >= params.exitTimeoutMs;
        const bars = ticker === undefined ? [] : barsOf(ticker);
        const bar = bars[bars.length - 1];
        const reading = bar === undefined ? undefined : sessionReadingOf(bars, sameDayAt(bar.start, sessionOpen), params);
        const vwap = bar === undefined || reading === undefined || reading.bars.length === 0 ? undefined : reading.vwap;
        const touched = bar !== undefined && vwap !== undefined && (direction === 'bullish' ? bar.high.gte(new Decimal(vwap)) : bar.low.lte(new Decimal(vwap)));
        const last = exitProposedAt[symbol];
        if (held.side === 'long' && (timedOut || touched) && (last === undefined || snapshot.now - last >= MINUTE_MS)) {
          proposals.push(proposal(symbol, 'sell', `vwr-${symbol}-exit-${String(snapshot.now)}`, snapshot.now, direction === 'bearish'));
          exitProposedAt = { ...exitProposedAt, [symbol]: snapshot.now };
        }
      };
      /** The position on `symbol` is gone: forget it and the entry that opened it. */
      const forget = (symbol: string): void => {
        heldSince = without(heldSince, symbol);
        entryProposedAt = without(entryProposedAt, symbol);
        exitProposedAt = without(exitProposedAt, symbol);
        underlyingOf = without(underlyingOf, symbol);
      };

      for (const symbol of [...snapshot.symbols.keys()].sort()) {
        // An inverse ETF or a leveraged ETF is never judged as a ticker; an inverse ETF's own position exits below.
        if (isInverse(symbol) || LEVERAGED_ETFS.has(symbol)) continue;
        const bars = barsOf(symbol);
        const bar = bars[bars.length - 1];
        const held = snapshot.positions?.get(symbol);
        if (held?.strategyId === VWAP_REVERSION_ID) judgeExit(symbol, held, symbol, 'bullish');
        else if (symbol in heldSince) forget(symbol);
        if (bar === undefined || lastBarStart[symbol] === bar.start) continue;
        lastBarStart = { ...lastBarStart, [symbol]: bar.start };
        if (held !== undefined) continue;
        const t = newYorkTime(bar.start);
        if (!isWeekday(t) || t.minutes < from || t.minutes >= to) continue;
        const open = sameDayAt(bar.start, sessionOpen);
        const before = bars[bars.length - 2];
        // The bar-only test first: most bars are no reversal, and then no indicator is computed.
        const direction = before === undefined || before.start < open ? undefined : reversalOf(bar, before);
        if (direction === undefined) continue;
        const reading = sessionReadingOf(bars, open, params);
        const deviation = reading === undefined ? undefined : entrySignal(reading, direction, params);
        if (deviation === undefined) continue;
        const target = direction === 'bullish' ? symbol : params.inverseEtfs[symbol];
        if (target === undefined) skipped.push({ symbol, direction, reason: 'no_inverse_etf' });
        else if (direction === 'bearish' && snapshot.positions?.get(target) !== undefined) skipped.push({ symbol, direction, reason: 'position_open' });
        else candidates.push({ target, ticker: symbol, direction, deviation, barStart: bar.start });
      }

      // The inverse ETFs it holds, whether or not the snapshot carries their bars: judged by their ticker's bars.
      for (const [symbol, held] of [...(snapshot.positions ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (held.strategyId === VWAP_REVERSION_ID && isInverse(symbol)) judgeExit(symbol, held, underlyingOf[symbol] ?? mappedTickerOf(symbol), 'bearish');
      }
      for (const symbol of Object.keys(heldSince)) {
        if (isInverse(symbol) && snapshot.positions?.get(symbol)?.strategyId !== VWAP_REVERSION_ID) forget(symbol);
      }

      // Equal weights; when more trigger than there are free places, the largest deviations from VWAP go first, either side.
      candidates.sort((a, b) => b.deviation - a.deviation || (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0));
      let free = Math.max(0, params.maxPositions - own);
      const chosen = new Set<string>();
      for (const c of candidates) {
        if (chosen.has(c.target)) skipped.push({ symbol: c.ticker, direction: c.direction, reason: 'position_open' });
        else if (free === 0) skipped.push({ symbol: c.ticker, direction: c.direction, reason: 'limit_full' });
        else {
          free -= 1;
          chosen.add(c.target);
          const bearish = c.direction === 'bearish';
          const id = bearish ? `vwr-${c.target}-for-${c.ticker}-${String(c.barStart)}` : `vwr-${c.ticker}-${String(c.barStart)}`;
          proposals.push(proposal(c.target, 'buy', id, snapshot.now, bearish));
          entryProposedAt = { ...entryProposedAt, [c.target]: snapshot.now };
          if (bearish) underlyingOf = { ...underlyingOf, [c.target]: c.ticker };
        }
      }
      return { proposals, state: { lastBarStart, entryProposedAt, heldSince, exitProposedAt, underlyingOf, skipped } };
    },
  };
};
