/**
 * `scored-triggers` (S3-5, S3-7): deterministic triggers on each new closed bar — a breakout above the previous
 * `breakoutLookback` bars' highest high, graded by how far, and a volume spike against the previous `volumeLookback`
 * bars' mean — weighted into one score in [0, 1]. A score at or above `scoreThreshold` fires; the conviction is the
 * score, and at most `maxTriggersPerCycle` spot long entries (highest scores, ties by symbol name) are proposed. A held
 * long it opened is exited when a close falls below the previous `exitLookback` bars' lowest low. Each cycle the
 * market regime is classified on a reference symbol's bars (S3-4, src/market/regime.ts) and its multiplier scales the
 * entries' size and the per-cycle caps (crash: no entries); a change is reported as a `regime_changed` event. Pure and
 * deterministic; the triggers compare Decimals, only the score and the regime reading are floats.
 */
import { Decimal } from '../../domain/money.ts';
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { BarView, MarketSnapshot } from '../../market/MarketState.ts';
import { classifyRegime, regimeBarsNeeded, type RegimeParams } from '../../market/regime.ts';
import type { Regime } from '../../config/risk.ts';
import type { ScoredTriggersParams } from '../../config/scoredTriggersSection.ts';
import type { Strategy, StrategyEvent } from '../Strategy.ts';
import { proposalMaker } from '../stateRecords.ts';

/** The strategy's id: its config section and every proposal's `strategyId`. */
export const SCORED_TRIGGERS_ID = 'scored-triggers';

/** Per-symbol memory: the start of the last bar judged (each bar is judged once); and the regime in force. */
export interface ScoredTriggersState {
  readonly lastBarStart: Readonly<Record<string, number>>;
  /** The regime in force (S3-4): the last one classified; `chop` (multiplier 1.0) until the classifier first names one. */
  readonly regime: Regime;
}

/** A multiplier per regime (S3-4; the config's `risk.regimes`). */
export type RegimeMultipliers = Readonly<Record<Regime, number>>;

/** S3-4's multipliers: bull 1.2, chop 1.0, bear 0.6, crash 0.0 (the defaults of `risk.regimes`). */
export const DEFAULT_REGIME_MULTIPLIERS: RegimeMultipliers = { bull: 1.2, chop: 1.0, bear: 0.6, crash: 0.0 };

/** The most closed bars a runtime snapshot holds (src/market/MarketState.ts): the classifier must fit in them. */
export const SNAPSHOT_BARS = 500;

/**
 * Returns a per-cycle cap under regime multiplier `m`: the cap × m floored, at least 1 while m > 0, and never above
 * the configured cap (a cap only ever tightens, as `risk.regimes` does for the global caps); 0 when m is 0.
 */
export const regimeCap = (cap: number, m: number): number => (m <= 0 ? 0 : Math.max(1, Math.floor(cap * Math.min(1, m))));

/** What the triggers make of one bar. */
export interface TriggerScore {
  /** 0 when the close is not above the range's highest high; else the distance above it in range widths, at most 1. */
  readonly breakout: number;
  /** Whether the bar's volume is positive and at least `volumeMultiple` × the previous bars' mean volume. */
  readonly volumeSpike: boolean;
  /** (breakoutWeight × breakout + volumeWeight × spike) ÷ (breakoutWeight + volumeWeight), in [0, 1]. */
  readonly score: number;
}

type TriggerParams = Pick<ScoredTriggersParams, 'breakoutLookback' | 'volumeLookback' | 'volumeMultiple' | 'breakoutWeight' | 'volumeWeight'>;

/** Returns how many closed bars the triggers need: the newest bar and the longer of the two lookbacks before it. */
export const barsNeeded = (params: TriggerParams): number => Math.max(params.breakoutLookback, params.volumeLookback) + 1;

/**
 * Returns the triggers' score of the newest bar of `bars` (oldest first), or undefined when there are fewer than
 * `barsNeeded(params)` bars.
 */
export const triggerScore = (bars: ReadonlyArray<BarView>, params: TriggerParams): TriggerScore | undefined => {
  const n = bars.length;
  if (n < barsNeeded(params)) return undefined;
  const bar = bars[n - 1]!;
  const range = bars.slice(n - 1 - params.breakoutLookback, n - 1);
  const highest = Decimal.max(...range.map((b) => b.high));
  const lowest = Decimal.min(...range.map((b) => b.low));
  const width = highest.minus(lowest);
  // A flat range has no width to measure against: any close above it is a full breakout.
  const breakout = !bar.close.gt(highest) ? 0 : width.isZero() ? 1 : Math.min(1, bar.close.minus(highest).div(width).toNumber());
  const volumes = bars.slice(n - 1 - params.volumeLookback, n - 1).map((b) => b.volume);
  const mean = volumes.reduce((a, v) => a.plus(v), new Decimal(0)).div(params.volumeLookback);
  // A zero-volume bar is no spike, even after zero-volume bars (0 ≥ k × 0 would say it is).
  const volumeSpike = bar.volume.gt(0) && bar.volume.gte(mean.times(params.volumeMultiple));
  const score = (params.breakoutWeight * breakout + params.volumeWeight * (volumeSpike ? 1 : 0)) / (params.breakoutWeight + params.volumeWeight);
  return { breakout, volumeSpike, score };
};

/** Returns whether the newest bar closed below the lowest low of the `lookback` bars before it (false without enough bars). */
export const closesBelowTrailingLow = (bars: ReadonlyArray<BarView>, lookback: number): boolean => {
  const n = bars.length;
  if (n < lookback + 1) return false;
  const lowest = Decimal.min(...bars.slice(n - 1 - lookback, n - 1).map((b) => b.low));
  return bars[n - 1]!.close.lt(lowest);
};

/** The classifier's parameters of a section. */
const regimeParamsOf = (p: ScoredTriggersParams['regime']): RegimeParams => ({
  smaBars: p.smaBars, slopeBars: p.slopeBars, trendFraction: p.trendFraction, crashBars: p.crashBars, crashDrawdownFraction: p.crashDrawdownFraction,
});

/**
 * Returns the regime in force after this snapshot and the event of a change: the reference symbol's bars classified,
 * or the previous regime while they cannot be (too few bars, the symbol absent).
 */
const regimeStep = (
  snapshot: MarketSnapshot, previous: Regime, settings: ScoredTriggersParams['regime'], rp: RegimeParams,
): { readonly regime: Regime; readonly event?: StrategyEvent } => {
  const symbol = settings.referenceSymbol ?? [...snapshot.symbols.keys()].sort()[0];
  if (symbol === undefined) return { regime: previous };
  const bars = snapshot.symbols.get(symbol)?.bars ?? [];
  const reading = classifyRegime(bars, rp);
  if (reading.kind !== 'classified' || reading.regime === previous) return { regime: previous };
  return {
    regime: reading.regime,
    event: {
      event: 'regime_changed',
      fields: { from: previous, to: reading.regime, at: snapshot.now, symbol, barStart: bars[bars.length - 1]!.start, slopeFraction: reading.slopeFraction, drawdownFraction: reading.drawdownFraction },
    },
  };
};

/**
 * Creates the scored-triggers strategy with `ttlMs` as its proposals' time to live and `multipliers` as the regime
 * multipliers (the config's `risk.regimes`).
 */
export const scoredTriggersStrategy = (
  params: ScoredTriggersParams, ttlMs: number, multipliers: RegimeMultipliers = DEFAULT_REGIME_MULTIPLIERS,
): Strategy<ScoredTriggersState> => {
  const rp = regimeParamsOf(params.regime);
  // S3-6's own trade cap, when set, is met by the strategy itself so the regime can tighten it (the integrator applies
  // the configured one after it); the at-risk cap is the integrator's alone.
  const baseCap = Math.min(params.maxTriggersPerCycle, params.caps?.maxTradesPerCycle ?? Number.POSITIVE_INFINITY);
  const make = proposalMaker({ strategyId: SCORED_TRIGGERS_ID, instrumentKind: 'spot', stopLossFraction: params.stopLossFraction, takeProfitFraction: params.takeProfitFraction, ttlMs });
  // An exit closes the whole position (the RiskEngine treats a sell against a long as its exit): notional 1.
  const proposal = (symbol: string, side: 'buy' | 'sell', barStart: number, conviction: number, now: number, notionalFraction: number): TradeProposal =>
    make({ proposalId: `${SCORED_TRIGGERS_ID}${side === 'buy' ? '' : '-x'}-${symbol}-${String(barStart)}`, symbol, side, notionalFraction, conviction, createdAt: now });
  return {
    id: SCORED_TRIGGERS_ID,
    init: () => ({ lastBarStart: {}, regime: 'chop' }),
    selfCheck: () => [
      ...(params.breakoutWeight + params.volumeWeight > 0 ? [] : ['breakoutWeight and volumeWeight cannot both be 0']),
      ...(params.regime.enabled && regimeBarsNeeded(rp) > SNAPSHOT_BARS
        ? [`regime needs ${String(regimeBarsNeeded(rp))} closed bars (max(smaBars + slopeBars, crashBars)); a snapshot holds ${String(SNAPSHOT_BARS)}`]
        : []),
    ],
    propose: (snapshot: MarketSnapshot, state: ScoredTriggersState) => {
      // S3-4: the regime is read first, so a change takes effect in this very cycle.
      const r = params.regime.enabled ? regimeStep(snapshot, state.regime, params.regime, rp) : { regime: state.regime };
      const m = params.regime.enabled ? multipliers[r.regime] : 1;
      const events = r.event === undefined ? {} : { events: [r.event] };
      const exits: TradeProposal[] = [];
      const fired: { readonly symbol: string; readonly start: number; readonly score: number }[] = [];
      const lastBarStart = { ...state.lastBarStart };
      for (const symbol of [...snapshot.symbols.keys()].sort()) {
        const bars = snapshot.symbols.get(symbol)?.bars ?? [];
        const bar = bars[bars.length - 1];
        if (bar === undefined || lastBarStart[symbol] === bar.start) continue;
        lastBarStart[symbol] = bar.start;
        const held = snapshot.positions?.get(symbol);
        if (held !== undefined) {
          // Only its own longs: a position another strategy (or no strategy) opened is not this strategy's to end.
          if (held.side === 'long' && held.strategyId === SCORED_TRIGGERS_ID && closesBelowTrailingLow(bars, params.exitLookback)) {
            exits.push(proposal(symbol, 'sell', bar.start, 1, snapshot.now, 1));
          }
          continue;
        }
        const t = triggerScore(bars, params);
        if (t === undefined || t.score < params.scoreThreshold || t.score < params.minConviction) continue;
        fired.push({ symbol, start: bar.start, score: t.score });
      }
      // The cap keeps the highest scores; equal scores go by symbol name, so the choice never depends on map order.
      fired.sort((a, b) => b.score - a.score || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
      const size = Math.min(1, params.notionalFraction * m);
      const entries = fired.slice(0, regimeCap(baseCap, m)).map((f) => proposal(f.symbol, 'buy', f.start, f.score, snapshot.now, size));
      return { proposals: [...exits, ...entries], state: { lastBarStart, regime: r.regime }, ...events };
    },
  };
};
