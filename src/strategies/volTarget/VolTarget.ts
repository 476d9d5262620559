/**
 * `vol-target` (S4-3, S4-6): an EMA(fast)/EMA(slow) trend follower on perps, long and short, whose entries ask for
 * min(tier cap, targetVol / realised volatility) of NAV, sized down in high volatility, and only while the rolling
 * expectancy of its own closed trades clears `expectancyMin`. Pure and deterministic: its memory is the returned state;
 * floats only inside the volatility, the averages and the trade-return statistics, never in an amount.
 */
import { Decimal } from '../../domain/money.ts';
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { BarView, HeldPosition, MarketSnapshot } from '../../market/MarketState.ts';
import type { VolTargetParams, VolTargetTier } from '../../config/volTargetSection.ts';
import { Ema } from '../indicators/Ema.ts';
import { RollingWindow } from '../indicators/RollingWindow.ts';
import type { Strategy } from '../Strategy.ts';
import { proposalMaker } from '../stateRecords.ts';

/** The strategy's id: its config section, its proposals' `strategyId` and the owner its positions carry. */
export const VOL_TARGET_ID = 'vol-target';

/** A year in ms: crypto perps trade around the clock, so volatility is annualised over 365 days of bars. */
const YEAR_MS = 365 * 86_400_000;

type Direction = 'long' | 'short';

/** A trade the strategy follows: its own open position, or a shadow entry it did not send while the gate was shut. */
export interface FollowedTrade {
  readonly side: Direction;
  /** Entry price as a decimal string (serializable). */
  readonly entryPrice: string;
}

/** Per-symbol memory. */
export interface VolTargetSymbolState {
  /** Start of the last bar judged. */
  readonly lastBarStart?: number | undefined;
  /** Close of the last bar seen (decimal string): the exit price of a close detected without bars. */
  readonly lastClose?: string | undefined;
  /** The trend after the last bar judged (EMA fast above slow: long). */
  readonly trend?: Direction | undefined;
  /** Whether the current trend leg already had its one entry (or shadow entry); the first leg seen never trades. */
  readonly legEntered: boolean;
  /** The strategy's own position as the last snapshot showed it. */
  readonly held?: FollowedTrade | undefined;
  /** The open shadow trade, if any. */
  readonly shadow?: FollowedTrade | undefined;
}

/** The strategy's state: per-symbol memory and the returns of its last closed trades, oldest first. */
export interface VolTargetState {
  readonly symbols: Readonly<Record<string, VolTargetSymbolState>>;
  /** Closed trades' returns (fractions, e.g. 0.004 = +0.4 %), at most `expectancyWindow`. */
  readonly returns: ReadonlyArray<number>;
}

const FRESH: VolTargetSymbolState = { legEntered: true };

/**
 * Returns the annualised realised volatility of the last `lookback` log returns of `bars`' closes (population standard
 * deviation × √(year / bar interval), the interval being the shortest gap between those bars' starts), or undefined
 * with fewer than `lookback + 1` bars or a close that is not positive.
 */
export const realisedVolatility = (bars: ReadonlyArray<BarView>, lookback: number): number | undefined => {
  if (bars.length < lookback + 1) return undefined;
  const window = new RollingWindow(lookback);
  let interval = Number.POSITIVE_INFINITY;
  for (let i = bars.length - lookback; i < bars.length; i++) {
    const before = bars[i - 1]!;
    const bar = bars[i]!;
    if (!before.close.gt(0) || !bar.close.gt(0)) return undefined;
    window.push(Math.log(bar.close.toNumber() / before.close.toNumber()));
    const step = bar.start - before.start;
    if (step > 0 && step < interval) interval = step;
  }
  return Number.isFinite(interval) ? Math.sqrt(window.variance) * Math.sqrt(YEAR_MS / interval) : undefined;
};

/** Returns the trend of `bars`' closes (EMA fast above slow: long, below: short, equal: undefined). */
const trendOf = (bars: ReadonlyArray<BarView>, fast: number, slow: number): Direction | undefined => {
  const f = new Ema({ period: fast });
  const s = new Ema({ period: slow });
  for (const bar of bars) {
    const close = bar.close.toNumber();
    f.push(close);
    s.push(close);
  }
  const fv = f.value;
  const sv = s.value;
  return fv === undefined || sv === undefined || fv === sv ? undefined : fv > sv ? 'long' : 'short';
};

/** Returns a followed trade's return if it closed at `close`: close/entry − 1 for a long, 1 − close/entry for a short. */
export const tradeReturn = (trade: FollowedTrade, close: Decimal): number => {
  const ratio = close.div(new Decimal(trade.entryPrice));
  return (trade.side === 'long' ? ratio.minus(1) : new Decimal(1).minus(ratio)).toNumber();
};

/** Returns the mean of `returns` (the expectancy per trade), or undefined when there are none. */
export const expectancyOf = (returns: ReadonlyArray<number>): number | undefined =>
  returns.length === 0 ? undefined : returns.reduce((a, b) => a + b, 0) / returns.length;

/** Creates the vol-target strategy with `ttlMs` as its proposals' time to live. */
export const volTargetStrategy = (params: VolTargetParams, ttlMs: number): Strategy<VolTargetState> => {
  const needBars = Math.max(params.slowEma, params.volLookback + 1);
  const sizedDown: ReadonlySet<VolTargetTier> = new Set<VolTargetTier>(['TACTICAL', ...params.highVolAlsoTiers]);
  const tierOf = (symbol: string): VolTargetTier | undefined => {
    const t = params.symbolTiers[symbol] ?? params.defaultTier;
    return t === 'NONE' ? undefined : t;
  };
  const remember = (returns: ReadonlyArray<number>, r: number): ReadonlyArray<number> => [...returns, r].slice(-params.expectancyWindow);
  const gateOpen = (returns: ReadonlyArray<number>): boolean => returns.length < params.minTrades || (expectancyOf(returns) ?? 0) >= params.expectancyMin;
  const sizeFor = (tier: VolTargetTier, vol: number): number => {
    const cap = params.tierCaps[tier];
    const targeted = vol > 0 ? Math.min(cap, params.targetVol / vol) : cap;
    return vol > params.highVolThreshold && sizedDown.has(tier) ? targeted * params.highVolScale : targeted;
  };
  const make = proposalMaker({ strategyId: VOL_TARGET_ID, instrumentKind: 'perp', stopLossFraction: params.stopLossFraction, takeProfitFraction: params.takeProfitFraction, ttlMs });
  const proposal = (symbol: string, side: 'buy' | 'sell', bar: BarView, notional: number, conviction: number, now: number): TradeProposal =>
    make({ proposalId: `${VOL_TARGET_ID}-${symbol}-${bar.start}`, symbol, side, notionalFraction: notional, conviction: Math.min(1, conviction), createdAt: now });

  return {
    id: VOL_TARGET_ID,
    init: () => ({ symbols: {}, returns: [] }),
    selfCheck: () => [
      ...(params.fastEma < params.slowEma ? [] : [`fastEma (${String(params.fastEma)}) must be shorter than slowEma (${String(params.slowEma)})`]),
      ...(params.minTrades <= params.expectancyWindow ? [] : [`minTrades (${String(params.minTrades)}) must not exceed expectancyWindow (${String(params.expectancyWindow)})`]),
    ],
    propose: (snapshot: MarketSnapshot, state: VolTargetState) => {
      const proposals: TradeProposal[] = [];
      const symbols: Record<string, VolTargetSymbolState> = { ...state.symbols };
      let returns = state.returns;
      const ownPosition = (symbol: string): HeldPosition | undefined => {
        const p = snapshot.positions?.get(symbol);
        return p?.strategyId === VOL_TARGET_ID ? p : undefined;
      };

      // A position of its own that is gone (or turned) since the last snapshot is a closed trade, priced at the last close.
      for (const symbol of Object.keys(symbols).sort()) {
        const s = symbols[symbol]!;
        if (s.held === undefined) continue;
        const own = ownPosition(symbol);
        if (own !== undefined && own.side === s.held.side) continue;
        const bars = snapshot.symbols.get(symbol)?.bars ?? [];
        const close = bars.length > 0 ? bars[bars.length - 1]!.close : s.lastClose === undefined ? undefined : new Decimal(s.lastClose);
        if (close !== undefined) returns = remember(returns, tradeReturn(s.held, close));
        symbols[symbol] = { ...s, held: undefined };
      }

      for (const symbol of [...snapshot.symbols.keys()].sort()) {
        const tier = tierOf(symbol);
        if (tier === undefined) continue;
        const market = snapshot.symbols.get(symbol)!;
        const own = ownPosition(symbol);
        let s: VolTargetSymbolState = { ...(symbols[symbol] ?? FRESH), held: own === undefined ? undefined : { side: own.side, entryPrice: own.entryPrice.toString() } };
        symbols[symbol] = s;
        const bar = market.bars[market.bars.length - 1];
        if (bar === undefined || s.lastBarStart === bar.start) continue;
        s = { ...s, lastBarStart: bar.start, lastClose: bar.close.toString() };
        symbols[symbol] = s;
        const vol = market.bars.length < needBars ? undefined : realisedVolatility(market.bars, params.volLookback);
        const trend = vol === undefined ? undefined : trendOf(market.bars, params.fastEma, params.slowEma);
        if (vol === undefined || trend === undefined) continue;

        // A shadow trade is judged on closes: it ends at the stop or target distance, or when the trend turns against it.
        if (s.shadow !== undefined) {
          const r = tradeReturn(s.shadow, bar.close);
          if (r <= -params.stopLossFraction || r >= params.takeProfitFraction || trend !== s.shadow.side) {
            returns = remember(returns, r);
            s = { ...s, shadow: undefined };
          }
        }
        // A change of trend starts a new leg; the first trend seen is mid-leg and not traded.
        s = s.trend === undefined ? { ...s, trend, legEntered: true } : s.trend !== trend ? { ...s, trend, legEntered: false } : s;
        symbols[symbol] = s;

        const cap = params.tierCaps[tier];
        if (own !== undefined) {
          if (own.side !== trend) proposals.push(proposal(symbol, own.side === 'long' ? 'sell' : 'buy', bar, cap, 1, snapshot.now));
          continue;
        }
        const flat = snapshot.positions?.get(symbol) === undefined && s.shadow === undefined;
        if (!flat || s.legEntered || (trend === 'short' && !params.allowShorts)) continue;
        // ALT_EXT is switched off while its data is stale (S4-3): no entry, and the leg stays open for a fresh bar.
        const barAge = market.lastBarCloseTs === undefined ? Number.POSITIVE_INFINITY : snapshot.now - market.lastBarCloseTs;
        if (tier === 'ALT_EXT' && barAge > params.altExtMaxBarAgeMs) continue;
        s = { ...s, legEntered: true };
        if (gateOpen(returns)) {
          const size = sizeFor(tier, vol);
          proposals.push(proposal(symbol, trend === 'long' ? 'buy' : 'sell', bar, size, size / cap, snapshot.now));
        } else {
          // The gate is shut: follow the entry as a shadow trade, so its outcome can reopen the gate (S4-6).
          s = { ...s, shadow: { side: trend, entryPrice: bar.close.toString() } };
        }
        symbols[symbol] = s;
      }
      return { proposals, state: { symbols, returns } };
    },
  };
};
