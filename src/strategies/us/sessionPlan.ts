/**
 * The S2 US-equity trading day (S2-11, S2-18): the session opens at 09:30 New York time; the open slot first
 * analyses for 20 minutes (the opening range forms, nothing is entered) and then monitors for 30 minutes (breakouts
 * may be entered; 10:20 ends it with the hard exit); the mid slot runs 10:30–14:30 and the close slot 14:30–16:00
 * (its positions closed from 15:55). Strategies run in the order open → mid → close unless the allocation's override
 * says otherwise (allocation.ts), and the decision loop wakes every second. The strategies' own windows derive from
 * these constants (OpeningRange, VwapReversion, EodMomentum), so the plan and what trades cannot drift apart. Every
 * instant is computed on the day's own offset (EST or EDT) and shown in ET and PT. Pure: no clock is read.
 */
import type { SequenceSlot } from './allocation.ts';
import { etAndPt, isWeekday, newYorkTime, sameDayAt } from './newYorkTime.ts';

/** The S2-11 day in New York minutes after midnight, and the loop's sleep. */
export const US_SESSION = {
  /** 09:30: the session opens. */
  open: 9 * 60 + 30,
  /** The open slot's analysis: the opening range's minutes. */
  analysisMinutes: 20,
  /** The open slot's monitoring after the analysis (09:50–10:20). */
  monitoringMinutes: 30,
  /** The mid slot: 10:30 to 14:30. */
  mid: { from: 10 * 60 + 30, to: 14 * 60 + 30 },
  /** The close slot: 14:30 to 16:00; its positions are closed from 15:55. */
  close: { from: 14 * 60 + 30, hardClose: 15 * 60 + 55, to: 16 * 60 },
  /** How long the decision loop sleeps between cycles during the session (`decision.cycleMs` of the S2 profile). */
  loopSleepMs: 1_000,
} as const;

/** The end of the open slot: analysis and monitoring after the open (10:20, the opening range's hard exit). */
export const OPEN_SLOT_END = US_SESSION.open + US_SESSION.analysisMinutes + US_SESSION.monitoringMinutes;

/** A part of the day: its slot or phase, New York minutes [from, to), the instants on that day and the times shown. */
export interface SessionPart {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly fromTs: number;
  readonly toTs: number;
  /** `09:30 ET / 06:30 PT – 10:20 ET / 07:20 PT` (S2-18). */
  readonly shown: string;
}

/** One trading day's plan. */
export interface SessionPlan {
  /** The New York date (YYYY-MM-DD). */
  readonly date: string;
  /** The slots in their default order, open → mid → close. */
  readonly slots: ReadonlyArray<SessionPart & { readonly name: SequenceSlot }>;
  /** The open slot's phases: analysis, then monitoring. */
  readonly phases: ReadonlyArray<SessionPart & { readonly name: 'analysis' | 'monitoring' }>;
  readonly loopSleepMs: number;
}

/** Returns the plan of the New York day of `ts` (epoch ms), or undefined on a Saturday or Sunday (holidays are not modelled). */
export const sessionPlanOf = (ts: number): SessionPlan | undefined => {
  const local = newYorkTime(ts);
  if (!isWeekday(local)) return undefined;
  const part = <N extends string>(name: N, from: number, to: number): SessionPart & { readonly name: N } => ({
    name, from, to, fromTs: sameDayAt(ts, from), toTs: sameDayAt(ts, to), shown: `${etAndPt(from)} – ${etAndPt(to)}`,
  });
  const { open, analysisMinutes, mid, close, loopSleepMs } = US_SESSION;
  return {
    date: local.date,
    slots: [part('open', open, OPEN_SLOT_END), part('mid', mid.from, mid.to), part('close', close.from, close.to)],
    phases: [part('analysis', open, open + analysisMinutes), part('monitoring', open + analysisMinutes, OPEN_SLOT_END)],
    loopSleepMs,
  };
};
