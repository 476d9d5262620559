/**
 * Parameter, slippage and latency shocks (S1-10): `--shock params=10%,slippage=5,latency=250` parsed; the shocked
 * runs planned — each numeric parameter of the strategy moved down and up by the fraction (a whole-number parameter
 * rounded, and moved by at least 1), the slippage raised by the given basis points, and the order latency
 * (`backtest.latencyMs`, the simulator's order-arrival delay) raised by the given milliseconds — and the section of the
 * report that compares each shocked run with the unshocked one and summarises the parameter shocks' spread. Pure:
 * Decimal arithmetic, no I/O.
 */
import { MAX_LATENCY_MS } from '../../config/backtestSection.ts';
import { Decimal } from '../../domain/money.ts';
import type { Metrics } from '../report/types.ts';
import type { ParameterSet } from '../sweep/space.ts';
import { ValidationError } from './errors.ts';
import { moneyDistribution, ratioDistribution, ratioOf, type Distribution } from './stats.ts';
import { keyMetrics, type KeyMetrics } from './walkForward.ts';

/** A parsed `--shock`. */
export interface ShockSpec {
  /** The parameter shock as a fraction (0.1 = ±10 %); undefined = none. */
  readonly paramFraction: Decimal | undefined;
  /** Basis points added to the fill model's slippage; undefined = none. */
  readonly slippageBps: number | undefined;
  /** Milliseconds added to the order latency; undefined = none. */
  readonly latencyMs?: number | undefined;
}

/** One shocked run to make. */
export type PlannedShock =
  | { readonly kind: 'parameter'; readonly label: string; readonly parameter: string; readonly value: string; readonly params: ParameterSet }
  | { readonly kind: 'slippage'; readonly label: string; readonly slippageBps: number }
  | { readonly kind: 'latency'; readonly label: string; readonly latencyMs: number };

/** One shocked run and what became of it. */
export type ShockRun = PlannedShock & (
  | { readonly status: 'ok'; readonly metrics: KeyMetrics; readonly change: { readonly totalPnl: string; readonly sharpe: number; readonly maxDrawdown: number } }
  | { readonly status: 'skipped'; readonly problem: string }
);

/** What the report's `validation.shocks` holds. */
export interface ShockReport {
  readonly method: 'parameter, slippage and latency shocks';
  readonly paramFraction: number | null;
  readonly slippageBps: number | null;
  /** The milliseconds the latency shock added; null = none. */
  readonly latencyMs: number | null;
  /** The unshocked run's key metrics. */
  readonly base: KeyMetrics;
  readonly runs: ReadonlyArray<ShockRun>;
  /** Over the parameter shocks that ran: how far the key figures spread. */
  readonly parameterDistribution: { readonly totalPnl: Distribution<string>; readonly sharpe: Distribution<number>; readonly maxDrawdown: Distribution<number> };
}

const bad = (spec: string, why: string): ValidationError =>
  new ValidationError({ reason: 'BadSpec', detail: `--shock ${JSON.stringify(spec)}: ${why} (expected params=10%, slippage=5 — the basis points added — and/or latency=250, the milliseconds added)` });

const fractionOf = (spec: string, text: string): Decimal => {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
  if (m === null) throw bad(spec, `params ${JSON.stringify(text)} is not a fraction such as 10% or 0.1`);
  const f = new Decimal(m[1]!).div(m[2] === '%' ? 100 : 1);
  if (f.lte(0) || f.gte(1)) throw bad(spec, `params ${JSON.stringify(text)} must be above 0 and below 100 %`);
  return f;
};

const latencyOf = (spec: string, text: string): number => {
  const m = /^(\d+)(ms)?$/.exec(text);
  const ms = m === null ? Number.NaN : Number(m[1]);
  if (!(Number.isSafeInteger(ms) && ms >= 1 && ms <= MAX_LATENCY_MS)) throw bad(spec, `latency ${JSON.stringify(text)} must be a whole number of milliseconds from 1 to ${String(MAX_LATENCY_MS)}`);
  return ms;
};

/** Parses `params=10%,slippage=5,latency=250` (any of them, in any order); throws ValidationError (BadSpec). */
export const parseShockSpec = (spec: string): ShockSpec => {
  let paramFraction: Decimal | undefined;
  let slippageBps: number | undefined;
  let latencyMs: number | undefined;
  for (const part of spec.split(',')) {
    const [key, value, ...extra] = part.split('=').map((x) => x.trim());
    if (key === undefined || value === undefined || value === '' || extra.length > 0) throw bad(spec, `${JSON.stringify(part)} is not key=value`);
    if (key === 'latency') {
      if (latencyMs !== undefined) throw bad(spec, 'latency is given twice');
      latencyMs = latencyOf(spec, value);
    } else if (key === 'params') {
      if (paramFraction !== undefined) throw bad(spec, 'params is given twice');
      paramFraction = fractionOf(spec, value);
    } else if (key === 'slippage') {
      if (slippageBps !== undefined) throw bad(spec, 'slippage is given twice');
      const bps = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
      if (!(bps > 0 && bps <= 1000)) throw bad(spec, `slippage ${JSON.stringify(value)} must be basis points above 0 and at most 1000`);
      slippageBps = bps;
    } else throw bad(spec, `unknown key ${JSON.stringify(key)}`);
  }
  return { paramFraction, slippageBps, ...(latencyMs === undefined ? {} : { latencyMs }) };
};

/** Returns v × (1 + signed fraction); a whole number stays whole and moves by at least 1. */
export const shockedValue = (v: number, fraction: Decimal, sign: 1 | -1): string => {
  const exact = new Decimal(v).times(new Decimal(1).plus(fraction.times(sign)));
  if (!Number.isInteger(v)) return exact.toString();
  // A count of bars, not money: rounding the float is exact for any whole number a parameter can hold.
  const rounded = Math.round(exact.toNumber());
  return String(rounded === v ? v + sign : rounded);
};

const pct = (f: Decimal): string => `${f.times(100).toString()} %`;

/**
 * Returns the shocked runs: for each numeric parameter (a number in the config's own form; a percent string or a flag
 * is left alone) its down and up shock, then the slippage shock on top of `baseSlippageBps` and the latency shock on
 * top of `baseLatencyMs`. Throws ValidationError (BadSpec) when the shocked latency would pass the longest one
 * `backtest.latencyMs` allows.
 */
export const planShocks = (spec: ShockSpec, parameters: Readonly<Record<string, unknown>>, baseSlippageBps: number, baseLatencyMs = 0): ReadonlyArray<PlannedShock> => {
  const out: PlannedShock[] = [];
  const f = spec.paramFraction;
  if (f !== undefined) {
    for (const [parameter, v] of Object.entries(parameters)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v === 0) continue;
      for (const sign of [-1, 1] as const) {
        const value = shockedValue(v, f, sign);
        out.push({ kind: 'parameter', label: `${parameter} ${sign < 0 ? '−' : '+'}${pct(f)} (${String(v)} → ${value})`, parameter, value, params: { [parameter]: value } });
      }
    }
  }
  if (spec.slippageBps !== undefined) {
    const bps = baseSlippageBps + spec.slippageBps;
    out.push({ kind: 'slippage', label: `slippage +${String(spec.slippageBps)} bps (${String(baseSlippageBps)} → ${String(bps)} bps)`, slippageBps: bps });
  }
  if (spec.latencyMs !== undefined) {
    const ms = baseLatencyMs + spec.latencyMs;
    if (ms > MAX_LATENCY_MS) {
      throw new ValidationError({ reason: 'BadSpec', detail: `--shock latency=${String(spec.latencyMs)}: on top of backtest.latencyMs ${String(baseLatencyMs)} it passes the longest latency, ${String(MAX_LATENCY_MS)} ms` });
    }
    out.push({ kind: 'latency', label: `latency +${String(spec.latencyMs)} ms (${String(baseLatencyMs)} → ${String(ms)} ms)`, latencyMs: ms });
  }
  return out;
};

/** Returns the shock section: each run beside the base, and the spread of the parameter shocks that ran. */
export const shockReport = (spec: ShockSpec, base: Metrics, runs: ReadonlyArray<{ readonly shock: PlannedShock; readonly outcome: Metrics | string }>): ShockReport => {
  const listed: ShockRun[] = runs.map(({ shock, outcome }) =>
    typeof outcome === 'string'
      ? { ...shock, status: 'skipped', problem: outcome }
      : {
          ...shock, status: 'ok', metrics: keyMetrics(outcome),
          change: {
            totalPnl: new Decimal(outcome.totalPnl).minus(base.totalPnl).toString(),
            sharpe: ratioOf(new Decimal(outcome.sharpe).minus(base.sharpe)), maxDrawdown: ratioOf(new Decimal(outcome.maxDrawdown).minus(base.maxDrawdown)),
          },
        });
  const params = runs.flatMap((r) => (r.shock.kind === 'parameter' && typeof r.outcome !== 'string' ? [r.outcome] : []));
  return {
    method: 'parameter, slippage and latency shocks', paramFraction: spec.paramFraction === undefined ? null : spec.paramFraction.toNumber(), slippageBps: spec.slippageBps ?? null,
    latencyMs: spec.latencyMs ?? null,
    base: keyMetrics(base), runs: listed,
    parameterDistribution: {
      totalPnl: moneyDistribution(params.map((m) => m.totalPnl)), sharpe: ratioDistribution(params.map((m) => m.sharpe)), maxDrawdown: ratioDistribution(params.map((m) => m.maxDrawdown)),
    },
  };
};
