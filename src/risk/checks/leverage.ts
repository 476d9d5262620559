/**
 * Rule 13 — leverage policy (S0-4, S0-5, C-1): derivatives only; SWING = x6, DYNAMIC ≥ x7.5 with at most two
 * decimals, FIXED explicit but never strictly inside (6, 7.5); any other signal mode (FAST, SCALP…) is refused; a
 * proposal without a stop-loss gets the auto-SL (−2 % from OEP) with leverage locked at x10. Spot, equities and
 * options run at x1. Pure; performs no I/O.
 */
import { Decimal, ONE } from '../../domain/money.ts';
import type { Instrument } from '../../domain/Instrument.ts';
import type { TradeProposal } from '../../domain/TradeProposal.ts';
import type { RiskConfig } from '../RiskConfig.ts';
import { veto, type LeverageResolution, type ProposalHints, type SizedCheck } from './types.ts';

const isDerivative = (instrument: Instrument | undefined, proposal: TradeProposal): boolean =>
  proposal.instrumentKind === 'perp' || instrument?.kind === 'linear_perp' || instrument?.kind === 'inverse_perp';

/** Returns the leverage the policy settles on for a proposal, or the reason it refuses. */
export const resolveLeverage = (
  cfg: RiskConfig['leverage'],
  proposal: TradeProposal,
  instrument: Instrument | undefined,
  hints: ProposalHints,
): LeverageResolution => {
  const autoStopLoss = proposal.stopLossFraction === 0;
  if (!isDerivative(instrument, proposal)) return { ok: true, leverage: ONE, autoStopLoss };
  const refuse = (capType: string, proposed: string, limit: string, message: string): LeverageResolution => ({ ok: false, capType, proposed, limit, message });
  const mode = hints.leverageMode ?? cfg.defaultMode;
  const requested = hints.leverage;
  const tooPrecise = (l: Decimal): boolean => l.decimalPlaces() > cfg.leverageDecimals;
  let leverage: Decimal;
  if (mode === 'SWING') {
    if (requested !== undefined && !requested.eq(cfg.swingLeverage)) {
      return refuse('leverage_swing', requested.toString(), cfg.swingLeverage.toString(), `SWING runs at x${cfg.swingLeverage.toString()}, not x${requested.toString()}`);
    }
    leverage = cfg.swingLeverage;
  } else if (mode === 'DYNAMIC') {
    if (requested === undefined || requested.lt(cfg.dynamicMinLeverage) || tooPrecise(requested)) {
      const shown = requested?.toString() ?? 'missing';
      return refuse('leverage_dynamic', shown, `>=${cfg.dynamicMinLeverage.toString()}`, `DYNAMIC needs leverage >= x${cfg.dynamicMinLeverage.toString()} with at most ${cfg.leverageDecimals} decimals, got ${shown}`);
    }
    leverage = requested;
  } else if (mode === 'FIXED') {
    const forbidden = requested !== undefined && requested.gt(cfg.fixedForbiddenAbove) && requested.lt(cfg.fixedForbiddenBelow);
    if (requested === undefined || !requested.gt(0) || forbidden || tooPrecise(requested)) {
      const shown = requested?.toString() ?? 'missing';
      const limit = `not in (${cfg.fixedForbiddenAbove.toString()}, ${cfg.fixedForbiddenBelow.toString()})`;
      return refuse('leverage_fixed', shown, limit, `FIXED leverage must be explicit and ${limit}, got ${shown}`);
    }
    leverage = requested;
  } else {
    return refuse('signal_mode', mode, 'SWING|DYNAMIC|FIXED', `signal mode ${mode} is not allowed (C-1)`);
  }
  // S0-5: the missing-SL safety case overrides the mode's leverage; the trade stays locked at x10.
  if (autoStopLoss) leverage = cfg.autoStopLossLeverage;
  if (instrument !== undefined && instrument.maxLeverage.gt(0) && leverage.gt(instrument.maxLeverage)) {
    return refuse('max_leverage', leverage.toString(), instrument.maxLeverage.toString(), `x${leverage.toString()} exceeds the venue maximum x${instrument.maxLeverage.toString()}`);
  }
  return { ok: true, leverage, autoStopLoss };
};

/** Vetoes an entry whose leverage the policy refuses (exits keep the position's leverage). */
export const leverage: SizedCheck = (ctx) => {
  if (ctx.intent !== 'entry') return undefined;
  const r = ctx.sizing.leverage;
  if (r.ok) return undefined;
  return veto('leverage_policy', r.capType, r.proposed, r.proposed, r.limit, r.message);
};
