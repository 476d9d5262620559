/**
 * Rule 7 — market-quality guards (X-RSK-8, C-8, S2-10): a mid jump beyond 6σ of the window's mid changes, a jump
 * over 10 % without volume confirmation, a spread above the profile maximum, an empty best level, or a best level
 * smaller than the minimum. Both jump guards run; either one rejects. σ is float math (an indicator); prices and
 * sizes compare as Decimals. Pure; performs no I/O.
 */
import { ONE, ZERO, decimalOf, gtDec, ltDec, type Decimal } from '../../domain/money.ts';
import type { RiskConfig } from '../RiskConfig.ts';
import type { MidSample } from '../views.ts';
import { veto, type Check } from './types.ts';
import type { Veto } from '../views.ts';

type SigmaJump = { readonly lastChange: number; readonly sigma: number; readonly samples: number };

/** What the two jump guards read of one window: its samples, and the figures derived from their mids. */
interface WindowFigures {
  /** The samples inside the window, in history order. */
  readonly samples: ReadonlyArray<MidSample>;
  readonly sigma: SigmaJump | undefined;
  /** |last mid ÷ previous mid − 1|; undefined with fewer than two samples or a non-positive previous mid. */
  readonly jump: Decimal | undefined;
}

// The figures of a symbol's window are derived again only when its samples change: samples are immutable values, so
// the same in-window samples (by identity) give the same figures. Keyed by the history array the market view holds
// (the runtime's MarketState hands the same array out until a sample arrives); a cache, so the rule stays pure.
const windows = new WeakMap<ReadonlyArray<MidSample>, WindowFigures>();

const sigmaOf = (inWindow: ReadonlyArray<MidSample>): SigmaJump | undefined => {
  if (inWindow.length < 3) return undefined;
  const changes: number[] = [];
  for (let i = 1; i < inWindow.length; i++) {
    const cur = inWindow[i];
    const prev = inWindow[i - 1];
    if (cur !== undefined && prev !== undefined) changes.push(cur.mid.minus(prev.mid).toNumber());
  }
  const lastChange = changes[changes.length - 1] ?? 0;
  const earlier = changes.slice(0, -1);
  const mean = earlier.reduce((a, b) => a + b, 0) / earlier.length;
  const variance = earlier.reduce((a, b) => a + (b - mean) ** 2, 0) / earlier.length;
  return { lastChange, sigma: Math.sqrt(variance), samples: earlier.length };
};

const jumpOf = (inWindow: ReadonlyArray<MidSample>): Decimal | undefined => {
  const last = inWindow[inWindow.length - 1];
  const prev = inWindow[inWindow.length - 2];
  return last === undefined || prev === undefined || !gtDec(prev.mid, ZERO) ? undefined : last.mid.div(prev.mid).minus(ONE).abs();
};

// The cached figures when the window still holds exactly the samples they were derived from.
const cachedWindow = (history: ReadonlyArray<MidSample>, from: number, now: number): WindowFigures | undefined => {
  const c = windows.get(history);
  if (c === undefined) return undefined;
  let k = 0;
  for (const s of history) {
    if (s.ts < from || s.ts > now) continue;
    if (c.samples[k] !== s) return undefined;
    k += 1;
  }
  return k === c.samples.length ? c : undefined;
};

const windowFigures = (history: ReadonlyArray<MidSample>, now: number, cfg: RiskConfig['marketQuality']): WindowFigures => {
  const from = now - cfg.sigmaWindowMs;
  const cached = cachedWindow(history, from, now);
  if (cached !== undefined) return cached;
  const samples = history.filter((s) => s.ts >= from && s.ts <= now);
  const figures: WindowFigures = { samples, sigma: sigmaOf(samples), jump: jumpOf(samples) };
  windows.set(history, figures);
  return figures;
};

/** Returns the σ-jump verdict of the window ending at `now`: the last mid change against σ of the earlier ones. */
export const sigmaJump = (history: ReadonlyArray<MidSample>, now: number, cfg: RiskConfig['marketQuality']): SigmaJump | undefined =>
  windowFigures(history, now, cfg).sigma;

const jumpWithoutVolume = (w: WindowFigures, cfg: RiskConfig['marketQuality']): Veto | undefined => {
  const { jump, samples: inWindow } = w;
  const last = inWindow[inWindow.length - 1];
  if (jump === undefined || last === undefined || !gtDec(jump, decimalOf(cfg.jumpWithoutVolumeFraction))) return undefined;
  const earlier = inWindow.slice(0, -1);
  const meanVolume = earlier.reduce((a, s) => a.plus(s.volume), last.volume.times(0)).div(earlier.length);
  const confirmed = last.volume.gt(0) && last.volume.gte(meanVolume.times(decimalOf(cfg.volumeConfirmMultiple)));
  if (confirmed) return undefined;
  return veto('market_quality', 'jump_without_volume', jump, jump, cfg.jumpWithoutVolumeFraction, `mid moved ${jump.toString()} without volume confirmation (volume ${last.volume.toString()}, mean ${meanVolume.toString()})`);
};

/**
 * Returns the spread (ask − bid) ÷ mid when it is above `maxFraction`, else undefined. The spread is only divided out
 * when it may be above the limit: a width below limit × mid gives a quotient that, rounded, cannot exceed the limit
 * (house rounding is monotone), so the verdict is the division's. Two tests of that, cheapest first: by orders of
 * magnitude (|width| < 10^(e_width + 1) and mid ≥ 10^(e_sum − 1), decimal.js's `e` being the exponent of the leading
 * digit), then by one multiplication.
 */
const spreadAbove = (bid: Decimal, ask: Decimal, maxFraction: number): Decimal | undefined => {
  const sum = bid.plus(ask);
  const width = ask.minus(bid);
  const limit = decimalOf(maxFraction);
  const ordered = sum.isFinite() && width.isFinite() && gtDec(sum, ZERO) && gtDec(limit, ZERO) && !width.isZero();
  if (ordered && width.e + 2 <= limit.e + sum.e) return undefined;
  const mid = sum.div(2);
  if (gtDec(mid, ZERO) && ltDec(width, limit.times(mid))) return undefined;
  const spread = width.div(mid);
  return gtDec(spread, limit) ? spread : undefined;
};

const isEmpty = (size: Decimal | undefined): boolean => size === undefined || !gtDec(size, ZERO);

/** Vetoes when the symbol's market fails any quality guard. */
export const marketQuality: Check = (ctx) => {
  const m = ctx.symbolMarket;
  if (m === undefined || m.bid === undefined || m.ask === undefined) return undefined; // productHealth covers it
  const cfg = ctx.config.marketQuality;
  const w = windowFigures(m.midHistory, ctx.now, cfg);
  const sj = w.sigma;
  if (sj !== undefined && sj.samples >= cfg.sigmaMinSamples && sj.sigma > 0 && Math.abs(sj.lastChange) > cfg.sigmaLimit * sj.sigma) {
    const multiple = Math.abs(sj.lastChange) / sj.sigma;
    return veto('market_quality', 'sigma_jump', multiple, multiple, cfg.sigmaLimit, `mid jump of ${multiple.toPrecision(4)}σ over ${cfg.sigmaWindowMs} ms`);
  }
  const jv = jumpWithoutVolume(w, cfg);
  if (jv !== undefined) return jv;
  const spread = spreadAbove(m.bid, m.ask, cfg.maxSpreadFraction);
  if (spread !== undefined) {
    return veto('market_quality', 'spread', spread, spread, cfg.maxSpreadFraction, `${ctx.proposal.symbol} spread ${spread.toString()} above ${cfg.maxSpreadFraction}`);
  }
  if (isEmpty(m.bidSize) || isEmpty(m.askSize)) {
    return veto('market_quality', 'zero_size', m.bidSize?.toString() ?? 'unknown', 'positive', '0', `${ctx.proposal.symbol} best bid or ask size is 0`);
  }
  const best = m.bidSize !== undefined && m.askSize !== undefined && ltDec(m.bidSize, m.askSize) ? m.bidSize : m.askSize;
  if (best !== undefined && ltDec(best, cfg.minBestLevelSize)) {
    return veto('market_quality', 'best_level_size', best, best, cfg.minBestLevelSize, `${ctx.proposal.symbol} best level size ${best.toString()} below ${cfg.minBestLevelSize.toString()}`);
  }
  return undefined;
};
