/**
 * The S0-9 pyramid ladder: what happens to an open position as the price moves in its favour from the OEP, numbered
 * with Step 1 = the initial entry (C-10). Step 2 (+1.5 %) checks the initial margin (a top-up to 20 USDT only after a
 * take profit was hit), Step 3 (+2.3 %) is the break-even move of stop management (S0-11), Step 4 (+2.4 %) raises the
 * leverage to the maximum (at most x50) and changes nothing else, Steps 5–8 (+2.5 %, +4 %, +6 %, +8.6 %) add to the
 * position until its initial margin reaches 40, 60, 80 and 100 USDT. One table (`S0_LADDER`) drives the trade chart
 * and the templates, so their numbering cannot drift apart. Every level derives from the OEP, never the average.
 * Pure; Decimal throughout.
 */
import { Data } from 'effect';
import { dec, type Decimal } from './money.ts';
import type { Side } from './orders.ts';
import { floorQuantity, roundMoney } from './rounding.ts';

/** What a step does. */
export type LadderAction =
  | { readonly kind: 'entry' }
  /** Brings the initial margin up to `marginTarget` (quote currency); `afterTakeProfit`: only once a TP was hit. */
  | { readonly kind: 'margin'; readonly marginTarget: string; readonly afterTakeProfit: boolean }
  /** The break-even stop move of stop management; the ladder only waits for the venue to confirm it. */
  | { readonly kind: 'breakEven' }
  /** Raises the leverage to the maximum; the quantity and the margin stay as they are (leverage-only). */
  | { readonly kind: 'leverage' };

/** One rung: its number, the favourable move from the OEP it fires at, and what it does. */
export interface LadderStep {
  readonly step: number;
  /** Favourable move from the OEP, as a fraction (0.015 = +1.5 %); the break-even step's is stop management's. */
  readonly atFraction: string;
  readonly action: LadderAction;
}

/** S0-9's ladder, exactly as REQUIREMENTS numbers it after C-10. */
export const S0_LADDER: ReadonlyArray<LadderStep> = [
  { step: 1, atFraction: '0', action: { kind: 'entry' } },
  { step: 2, atFraction: '0.015', action: { kind: 'margin', marginTarget: '20', afterTakeProfit: true } },
  { step: 3, atFraction: '0.023', action: { kind: 'breakEven' } },
  { step: 4, atFraction: '0.024', action: { kind: 'leverage' } },
  { step: 5, atFraction: '0.025', action: { kind: 'margin', marginTarget: '40', afterTakeProfit: false } },
  { step: 6, atFraction: '0.04', action: { kind: 'margin', marginTarget: '60', afterTakeProfit: false } },
  { step: 7, atFraction: '0.06', action: { kind: 'margin', marginTarget: '80', afterTakeProfit: false } },
  { step: 8, atFraction: '0.086', action: { kind: 'margin', marginTarget: '100', afterTakeProfit: false } },
];

/** A ladder that breaks S0-9's rules: a leverage step that would change quantity or margin, numbering, order. */
export class LadderStepError extends Data.TaggedError('LadderStepError')<{ readonly step: number; readonly detail: string }> {
  override get message(): string {
    return `pyramid Step ${String(this.step)}: ${this.detail}`;
  }
}

/**
 * Checks a ladder table: steps numbered 1..n from the entry, thresholds rising, Step 1 the entry, and every leverage
 * step leverage-only (a margin target or quantity on it is S0-9's typed error). Returns the table.
 */
export const validateLadder = (steps: ReadonlyArray<LadderStep | (LadderStep & { readonly marginTarget?: string; readonly quantity?: string })>): ReadonlyArray<LadderStep> => {
  steps.forEach((s, i) => {
    if (s.step !== i + 1) throw new LadderStepError({ step: s.step, detail: `expected number ${String(i + 1)} (Step 1 = the initial entry, C-10)` });
    if (i === 0 && s.action.kind !== 'entry') throw new LadderStepError({ step: 1, detail: 'Step 1 is the initial entry' });
    if (i > 0 && !dec(s.atFraction).gt(dec(steps[i - 1]?.atFraction ?? '0'))) throw new LadderStepError({ step: s.step, detail: `fires at ${s.atFraction}, not above the step before` });
    const extra = s as { readonly marginTarget?: string; readonly quantity?: string; readonly action: { readonly marginTarget?: string; readonly quantity?: string } };
    if (s.action.kind === 'leverage' && (extra.marginTarget !== undefined || extra.quantity !== undefined || extra.action.marginTarget !== undefined || extra.action.quantity !== undefined)) {
      throw new LadderStepError({ step: s.step, detail: 'a leverage step is leverage-only: it may not change the quantity or the initial margin' });
    }
  });
  return steps;
};

/** The label a template shows for a step: "Pyramid Step 4 (+2.4 %): leverage → max". */
export const ladderStepLabel = (s: LadderStep): string => {
  const at = `+${dec(s.atFraction).times(100).toString()} %`;
  const what = s.action.kind === 'entry' ? 'initial entry at the OEP'
    : s.action.kind === 'breakEven' ? 'SL → break-even'
      : s.action.kind === 'leverage' ? 'leverage → max (leverage only)'
        : `IM → ${s.action.marginTarget} USDT${s.action.afterTakeProfit ? ' (after a TP hit)' : ''}`;
  return `Pyramid Step ${String(s.step)} (${at}): ${what}`;
};

/** What a trade carries to climb its ladder (decimal strings, as the trade chart does). */
export interface LadderPlan {
  readonly steps: ReadonlyArray<LadderStep>;
  /** The leverage the entry went out at. */
  readonly leverage: string;
  /** Step 4's target: the lower of the profile's maximum (≤ x50) and the instrument's. */
  readonly maxLeverage: string;
  readonly quantityStep: string;
  readonly minQuantity: string;
}

/** Where a trade stands on its ladder (part of the chart's context). */
export interface LadderState {
  /** The highest step done (1: the entry). */
  readonly reached: number;
  /** The leverage the venue confirmed for the position (the entry's until Step 4). */
  readonly leverage: string | null;
  /** The step in flight, or null. */
  readonly pending: PlannedLadderStep | null;
  /** Add-on orders sent this cycle (the n of `<base>-a<n>`). */
  readonly addOns: number;
  /** Why the ladder stopped climbing (a refused add-on, a leverage the venue did not confirm); null: it climbs. */
  readonly blocked: string | null;
  /** The last step that ended, and how: done at the venue, nothing to do, or blocked. */
  readonly last: { readonly step: number; readonly result: 'done' | 'none' | 'blocked'; readonly why?: string | undefined } | null;
}

export const initialLadder: LadderState = { reached: 1, leverage: null, pending: null, addOns: 0, blocked: null, last: null };

/** A step the price calls for, as the chart performs it. */
export type PlannedLadderStep =
  | { readonly step: number; readonly kind: 'addOn'; readonly quantity: string; readonly marginTarget: string }
  | { readonly step: number; readonly kind: 'leverage'; readonly leverage: string }
  /** Nothing to ask the venue: the margin is already at the target, the leverage at the maximum, or no TP was hit. */
  | { readonly step: number; readonly kind: 'none'; readonly why: string };

/** The position a step is judged against. */
export interface LadderPosition {
  readonly side: Side;
  readonly openingPrice: string;
  /** Open quantity and its average entry price: the initial margin is quantity × average / leverage. */
  readonly quantity: string;
  readonly averagePrice: string;
  /** Whether the venue confirmed break-even (Step 3 is reached only then). */
  readonly breakEvenConfirmed: boolean;
  /** Whether a take profit filled part of the position (Step 2's top-up). */
  readonly takeProfitHit: boolean;
}

/** Returns the initial margin of a position: quantity × average entry / leverage. */
export const initialMargin = (quantity: Decimal, averagePrice: Decimal, leverage: Decimal): Decimal => quantity.times(averagePrice).div(leverage);

/**
 * Returns the next step the price calls for, or undefined: the lowest step above `reached` whose threshold the mark
 * passed (one step per mark, in order). Step 3 waits for the venue's break-even confirmation; a blocked ladder or a
 * step in flight calls for nothing.
 */
export const plannedLadderStep = (plan: LadderPlan, state: LadderState, p: LadderPosition, mark: string): PlannedLadderStep | undefined => {
  if (state.blocked !== null || state.pending !== null) return undefined;
  const next = plan.steps.find((s) => s.step > state.reached);
  if (next === undefined) return undefined;
  const sign = p.side === 'buy' ? 1 : -1;
  const favourable = dec(mark).div(dec(p.openingPrice)).minus(1).times(sign);
  if (favourable.lt(dec(next.atFraction))) return undefined;
  const leverage = dec(state.leverage ?? plan.leverage);
  switch (next.action.kind) {
    case 'entry':
      return { step: next.step, kind: 'none', why: 'the initial entry' };
    case 'breakEven':
      return p.breakEvenConfirmed ? { step: next.step, kind: 'none', why: 'break-even confirmed by the venue' } : undefined;
    case 'leverage': {
      const max = dec(plan.maxLeverage);
      return leverage.gte(max) ? { step: next.step, kind: 'none', why: `leverage already x${leverage.toString()}` } : { step: next.step, kind: 'leverage', leverage: max.toString() };
    }
    case 'margin': {
      const { marginTarget, afterTakeProfit } = next.action;
      if (afterTakeProfit && !p.takeProfitHit) return { step: next.step, kind: 'none', why: 'no take profit hit: the initial margin stays' };
      const margin = initialMargin(dec(p.quantity), dec(p.averagePrice), leverage);
      const missing = dec(marginTarget).minus(margin);
      // Added at the mark: margin × leverage / price, floored to the step (never above the target).
      const quantity = missing.gt(0) ? floorQuantity(missing.times(leverage).div(dec(mark)), dec(plan.quantityStep)) : dec(0);
      if (quantity.lt(dec(plan.minQuantity)) || !quantity.gt(0)) {
        return { step: next.step, kind: 'none', why: `initial margin ${roundMoney(margin, 4).toString()} already at or within one order of ${marginTarget}` };
      }
      return { step: next.step, kind: 'addOn', quantity: quantity.toString(), marginTarget };
    }
  }
};
