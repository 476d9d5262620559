/**
 * Rule 7 — market-quality guards (X-RSK-8, C-8, S2-10): a mid jump beyond 6σ of the window's mid changes, a jump
 * over 10 % without volume confirmation, a spread above the profile maximum, an empty best level, or a best level
 * smaller than the minimum. Both jump guards run; either one rejects. σ is float math (an indicator); prices and
 * sizes compare as Decimals. Pure; performs no I/O.
 */
import type { Decimal } from '../../domain/money.ts';
import type { RiskConfig } from '../RiskConfig.ts';
import type { MidSample } from '../views.ts';
import { veto, type Check } from './types.ts';
import type { Veto } from '../views.ts';

/** Returns the σ-jump verdict of the window ending at `now`: the last mid change against σ of the earlier ones. */
export const sigmaJump = (
  history: ReadonlyArray<MidSample>,
  now: number,
  cfg: RiskConfig['marketQuality'],
): { readonly lastChange: number; readonly sigma: number; readonly samples: number } | undefined => {
  const inWindow = history.filter((s) => s.ts >= now - cfg.sigmaWindowMs && s.ts <= now);
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

const jumpWithoutVolume = (history: ReadonlyArray<MidSample>, now: number, cfg: RiskConfig['marketQuality']): Veto | undefined => {
  const inWindow = history.filter((s) => s.ts >= now - cfg.sigmaWindowMs && s.ts <= now);
  const last = inWindow[inWindow.length - 1];
  const prev = inWindow[inWindow.length - 2];
  if (last === undefined || prev === undefined || !prev.mid.gt(0)) return undefined;
  const jump = last.mid.div(prev.mid).minus(1).abs();
  if (!jump.gt(cfg.jumpWithoutVolumeFraction)) return undefined;
  const earlier = inWindow.slice(0, -1);
  const meanVolume = earlier.reduce((a, s) => a.plus(s.volume), last.volume.times(0)).div(earlier.length);
  const confirmed = last.volume.gt(0) && last.volume.gte(meanVolume.times(cfg.volumeConfirmMultiple));
  if (confirmed) return undefined;
  return veto('market_quality', 'jump_without_volume', jump, jump, cfg.jumpWithoutVolumeFraction, `mid moved ${jump.toString()} without volume confirmation (volume ${last.volume.toString()}, mean ${meanVolume.toString()})`);
};

const isEmpty = (size: Decimal | undefined): boolean => size === undefined || !size.gt(0);

/** Vetoes when the symbol's market fails any quality guard. */
export const marketQuality: Check = (ctx) => {
  const m = ctx.symbolMarket;
  if (m === undefined || m.bid === undefined || m.ask === undefined) return undefined; // productHealth covers it
  const cfg = ctx.config.marketQuality;
  const sj = sigmaJump(m.midHistory, ctx.now, cfg);
  if (sj !== undefined && sj.samples >= cfg.sigmaMinSamples && sj.sigma > 0 && Math.abs(sj.lastChange) > cfg.sigmaLimit * sj.sigma) {
    const multiple = Math.abs(sj.lastChange) / sj.sigma;
    return veto('market_quality', 'sigma_jump', multiple, multiple, cfg.sigmaLimit, `mid jump of ${multiple.toPrecision(4)}σ over ${cfg.sigmaWindowMs} ms`);
  }
  const jv = jumpWithoutVolume(m.midHistory, ctx.now, cfg);
  if (jv !== undefined) return jv;
  const mid = m.bid.plus(m.ask).div(2);
  const spread = m.ask.minus(m.bid).div(mid);
  if (spread.gt(cfg.maxSpreadFraction)) {
    return veto('market_quality', 'spread', spread, spread, cfg.maxSpreadFraction, `${ctx.proposal.symbol} spread ${spread.toString()} above ${cfg.maxSpreadFraction}`);
  }
  if (isEmpty(m.bidSize) || isEmpty(m.askSize)) {
    return veto('market_quality', 'zero_size', m.bidSize?.toString() ?? 'unknown', 'positive', '0', `${ctx.proposal.symbol} best bid or ask size is 0`);
  }
  const best = m.bidSize !== undefined && m.askSize !== undefined && m.bidSize.lt(m.askSize) ? m.bidSize : m.askSize;
  if (best !== undefined && best.lt(cfg.minBestLevelSize)) {
    return veto('market_quality', 'best_level_size', best, best, cfg.minBestLevelSize, `${ctx.proposal.symbol} best level size ${best.toString()} below ${cfg.minBestLevelSize.toString()}`);
  }
  return undefined;
};
