/**
 * `vwap-reversion` (S2-7): intraday mean reversion to the session VWAP of US stocks and ETFs, long only. A 1-minute bar
 * opening 10:30–14:29 New York time that closes at least `deviationFraction` below the session VWAP (from 09:30 ET),
 * reverses (a lower low than the bar before, yet a close above its own open) and touches the lower Bollinger band,
 * while ADX shows no trend, proposes a long; at most `maxPositions` positions of its own, deepest deviations first.
 * A position is exited when a bar touches the VWAP or `exitTimeoutMs` after its fill. Pure: Decimal prices, floats
 * only inside the indicators, time from the snapshot.
 */
import { Decimal } from '../../domain/money.ts';
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { BarView, MarketSnapshot } from '../../market/MarketState.ts';
import type { VwapReversionParams } from '../../config/vwapReversionSection.ts';
import { Adx } from '../indicators/Adx.ts';
import { Bollinger } from '../indicators/Bollinger.ts';
import { priceBarOf } from '../indicators/PriceBar.ts';
import { SessionVwap } from '../indicators/Vwap.ts';
import type { Strategy } from '../Strategy.ts';
import { isWeekday, newYorkTime, sameDayAt } from '../us/newYorkTime.ts';
import { proposalMaker, without } from '../stateRecords.ts';

/** The strategy id (also the `strategyId` of its proposals and the owner of the positions it opens). */
export const VWAP_REVERSION_ID = 'vwap-reversion';

/** New York minutes after midnight (S2-7): the VWAP's session opens at 09:30; entries on bars opening in [10:30, 14:30). */
export const VWAP_REVERSION_WINDOW = { sessionOpen: 9 * 60 + 30, from: 10 * 60 + 30, to: 14 * 60 + 30 } as const;

const MINUTE_MS = 60_000;

/** What the strategy remembers per symbol. */
export interface VwapReversionState {
  /** The start of the last bar judged for an entry. */
  readonly lastBarStart: Readonly<Record<string, number>>;
  /** When the last entry was proposed: the timeout counts from the first own buy fill at or after it. */
  readonly entryProposedAt: Readonly<Record<string, number>>;
  /** When a position of its own was first seen: the timeout's start when the feedback holds no such fill. */
  readonly heldSince: Readonly<Record<string, number>>;
  /** When the last exit was proposed; a position still held a minute later gets another. */
  readonly exitProposedAt: Readonly<Record<string, number>>;
}

/** The session's indicators after its newest bar; each undefined while it warms up. */
export interface SessionReading {
  readonly vwap: number | undefined;
  readonly adx: number | undefined;
  readonly lowerBand: number | undefined;
  /** The session's bars, oldest first. */
  readonly bars: ReadonlyArray<BarView>;
}

/**
 * Returns VWAP, ADX and the lower Bollinger band over the bars starting at or after `sessionOpen`, or undefined when
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
  return { vwap: vwap.value, adx: adx.value?.adx, lowerBand: bands.value?.lower, bars: session };
};

/** Returns whether `bar` reverses after `before`: a lower low, yet a close above its own open. */
const isReversal = (bar: BarView, before: BarView): boolean => bar.low.lt(before.low) && bar.close.gt(bar.open);

/** Returns how far below VWAP the reading's newest bar closes (a fraction) when it triggers an entry, or undefined. */
const entrySignal = (r: SessionReading, params: VwapReversionParams): number | undefined => {
  const bar = r.bars[r.bars.length - 1];
  if (bar === undefined || r.vwap === undefined || r.adx === undefined || r.lowerBand === undefined) return undefined;
  if (r.adx > params.adxMax) return undefined; // trending: no reversion trade
  if (bar.close.gt(new Decimal(r.vwap * (1 - params.deviationFraction)))) return undefined;
  return bar.low.lte(new Decimal(r.lowerBand)) ? 1 - bar.close.toNumber() / r.vwap : undefined;
};

/** Creates the vwap-reversion strategy with `ttlMs` as its proposals' time to live. */
export const vwapReversionStrategy = (params: VwapReversionParams, ttlMs: number): Strategy<VwapReversionState> => {
  const { sessionOpen, from, to } = VWAP_REVERSION_WINDOW;
  const make = proposalMaker({ strategyId: VWAP_REVERSION_ID, instrumentKind: 'equity', stopLossFraction: params.stopLossFraction, takeProfitFraction: params.takeProfitFraction, ttlMs });
  const proposal = (symbol: string, side: 'buy' | 'sell', id: string, createdAt: number): TradeProposal =>
    make({ proposalId: id, symbol, side, notionalFraction: side === 'buy' ? params.notionalFraction : 1, conviction: 0.5, createdAt });
  return {
    id: VWAP_REVERSION_ID,
    init: () => ({ lastBarStart: {}, entryProposedAt: {}, heldSince: {}, exitProposedAt: {} }),
    selfCheck: () => [],
    propose: (snapshot: MarketSnapshot, state: VwapReversionState) => {
      const proposals: TradeProposal[] = [];
      let { lastBarStart, entryProposedAt, heldSince, exitProposedAt } = state;
      const candidates: Array<{ readonly symbol: string; readonly deviation: number; readonly barStart: number }> = [];
      // Its own positions count against maxPositions, also those of symbols whose gate is closed this cycle.
      const own = [...(snapshot.positions?.values() ?? [])].filter((p) => p.strategyId === VWAP_REVERSION_ID).length;
      for (const symbol of [...snapshot.symbols.keys()].sort()) {
        const bars = snapshot.symbols.get(symbol)?.bars ?? [];
        const bar = bars[bars.length - 1];
        const held = snapshot.positions?.get(symbol);
        if (held?.strategyId === VWAP_REVERSION_ID) {
          const since = heldSince[symbol] ?? snapshot.now;
          heldSince = { ...heldSince, [symbol]: since };
          const proposedAt = entryProposedAt[symbol];
          const fill = proposedAt === undefined ? undefined : (snapshot.feedback?.fills ?? []).find((f) => f.symbol === symbol && f.side === 'buy' && f.ts >= proposedAt);
          const timedOut = snapshot.now - (fill?.ts ?? since) >= params.exitTimeoutMs;
          const reading = bar === undefined ? undefined : sessionReadingOf(bars, sameDayAt(bar.start, sessionOpen), params);
          const touched = bar !== undefined && reading?.vwap !== undefined && reading.bars.length > 0 && bar.high.gte(new Decimal(reading.vwap));
          const last = exitProposedAt[symbol];
          if (held.side === 'long' && (timedOut || touched) && (last === undefined || snapshot.now - last >= MINUTE_MS)) {
            proposals.push(proposal(symbol, 'sell', `vwr-${symbol}-exit-${String(snapshot.now)}`, snapshot.now));
            exitProposedAt = { ...exitProposedAt, [symbol]: snapshot.now };
          }
        } else if (symbol in heldSince) {
          // The position is gone: forget it and the entry that opened it.
          heldSince = without(heldSince, symbol);
          entryProposedAt = without(entryProposedAt, symbol);
          exitProposedAt = without(exitProposedAt, symbol);
        }
        if (bar === undefined || lastBarStart[symbol] === bar.start) continue;
        lastBarStart = { ...lastBarStart, [symbol]: bar.start };
        if (held !== undefined) continue;
        const t = newYorkTime(bar.start);
        if (!isWeekday(t) || t.minutes < from || t.minutes >= to) continue;
        const open = sameDayAt(bar.start, sessionOpen);
        const before = bars[bars.length - 2];
        // The bar-only test first: most bars are no reversal, and then no indicator is computed.
        if (before === undefined || before.start < open || !isReversal(bar, before)) continue;
        const reading = sessionReadingOf(bars, open, params);
        const deviation = reading === undefined ? undefined : entrySignal(reading, params);
        if (deviation !== undefined) candidates.push({ symbol, deviation, barStart: bar.start });
      }
      // Equal weights; when more trigger than there are free places, the deepest deviations below VWAP go first.
      candidates.sort((a, b) => b.deviation - a.deviation || (a.symbol < b.symbol ? -1 : 1));
      for (const c of candidates.slice(0, Math.max(0, params.maxPositions - own))) {
        proposals.push(proposal(c.symbol, 'buy', `vwr-${c.symbol}-${String(c.barStart)}`, snapshot.now));
        entryProposedAt = { ...entryProposedAt, [c.symbol]: snapshot.now };
      }
      return { proposals, state: { lastBarStart, entryProposedAt, heldSince, exitProposedAt } };
    },
  };
};
