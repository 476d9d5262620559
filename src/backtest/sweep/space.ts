/**
 * The parameter space of a sweep (issue 13 item 6): `--sweep name=lo..hi:step` (or `name=a,b,c`) parsed into axes of
 * exact decimal values, the grid of every combination in a fixed order, and a seeded random sample of distinct grid
 * points. Pure: values are Decimal text (never float steps, so 0.1..0.3:0.1 is three values), the random draw uses the
 * seeded PCG generator of effect, and the same specs and seed give the same list.
 */
import { Data } from 'effect';
import { PCGRandom } from 'effect/Utils';
import { Decimal } from '../../domain/money.ts';

/** Why a sweep cannot run as asked. */
export type SweepErrorReason = 'BadSpec' | 'DuplicateParameter' | 'UnknownParameter' | 'TooManyRuns' | 'NoValidRun' | 'BadOption';

/** A sweep the command refuses (exit 2), with a readable message. */
export class SweepError extends Data.TaggedError('SweepError')<{ readonly reason: SweepErrorReason; readonly detail: string }> {
  override get message(): string {
    return this.detail;
  }
}

/** One swept parameter and the values it takes, in order (decimal text, as `--param name=value` would give them). */
export interface SweepAxis {
  readonly name: string;
  readonly values: ReadonlyArray<string>;
}

/** One point of the space: parameter name → value, in axis order. */
export type ParameterSet = Readonly<Record<string, string>>;

/** The most values one axis may have and the most runs one sweep may ask for. */
export const MAX_AXIS_VALUES = 1_000;
export const MAX_RUNS = 10_000;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

const bad = (spec: string, why: string): SweepError =>
  new SweepError({ reason: 'BadSpec', detail: `--sweep ${JSON.stringify(spec)}: ${why} (expected name=lo..hi:step, name=lo..hi or name=a,b,c; e.g. fast=5..20:5)` });

const numberOf = (spec: string, text: string, what: string): Decimal => {
  if (!NUMBER.test(text.trim())) throw bad(spec, `${what} ${JSON.stringify(text)} is not a number`);
  return new Decimal(text.trim());
};

const rangeValues = (spec: string, body: string): string[] => {
  const [range, stepText, ...extra] = body.split(':');
  if (extra.length > 0 || range === undefined) throw bad(spec, 'more than one ":"');
  const [loText, hiText, ...more] = range.split('..');
  if (more.length > 0 || loText === undefined || hiText === undefined) throw bad(spec, 'a range has one ".."');
  const lo = numberOf(spec, loText, 'the start');
  const hi = numberOf(spec, hiText, 'the end');
  const step = stepText === undefined ? new Decimal(1) : numberOf(spec, stepText, 'the step');
  if (lo.gt(hi)) throw bad(spec, `the start ${lo.toString()} is above the end ${hi.toString()}`);
  if (step.lte(0)) throw bad(spec, `the step ${step.toString()} must be positive`);
  const count = hi.minus(lo).div(step).floor().plus(1);
  if (count.gt(MAX_AXIS_VALUES)) throw bad(spec, `${count.toString()} values; at most ${String(MAX_AXIS_VALUES)} per parameter`);
  return Array.from({ length: count.toNumber() }, (_, i) => lo.plus(step.times(i)).toString());
};

const listValues = (spec: string, body: string): string[] => {
  const values = body.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw bad(spec, 'an empty value in the list');
  if (values.length > MAX_AXIS_VALUES) throw bad(spec, `${String(values.length)} values; at most ${String(MAX_AXIS_VALUES)} per parameter`);
  // A numeric list is canonicalised like a range (05 → 5); any other value is passed on as written.
  const canonical = values.map((v) => (NUMBER.test(v) ? new Decimal(v).toString() : v));
  if (new Set(canonical).size !== canonical.length) throw bad(spec, 'a value is listed twice');
  return canonical;
};

/** Parses one `--sweep` value; throws a SweepError (BadSpec) naming what is wrong. */
export const parseSweepAxis = (spec: string): SweepAxis => {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw bad(spec, 'no parameter name before "="');
  const name = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  if (!NAME.test(name)) throw bad(spec, `${JSON.stringify(name)} is not a parameter name`);
  if (body === '') throw bad(spec, 'no values after "="');
  return { name, values: body.includes('..') ? rangeValues(spec, body) : listValues(spec, body) };
};

/** Parses every `--sweep` value; a parameter swept twice is a SweepError (DuplicateParameter). */
export const parseSweepAxes = (specs: ReadonlyArray<string>): ReadonlyArray<SweepAxis> => {
  const axes = specs.map(parseSweepAxis);
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.name)) throw new SweepError({ reason: 'DuplicateParameter', detail: `--sweep ${a.name} is given twice; give each parameter once` });
    seen.add(a.name);
  }
  return axes;
};

/** Returns how many grid points the axes span. */
export const gridSize = (axes: ReadonlyArray<SweepAxis>): number => axes.reduce((n, a) => n * a.values.length, 1);

/** Returns the grid point at `index`: the last axis varies fastest (the order of nested loops in axis order). */
const pointAt = (axes: ReadonlyArray<SweepAxis>, index: number): ParameterSet => {
  const out: Record<string, string> = {};
  let rest = index;
  for (let i = axes.length - 1; i >= 0; i--) {
    const axis = axes[i]!;
    out[axis.name] = axis.values[rest % axis.values.length]!;
    rest = Math.floor(rest / axis.values.length);
  }
  return Object.fromEntries(axes.map((a) => [a.name, out[a.name]!]));
};

const checkRuns = (runs: number): void => {
  if (runs > MAX_RUNS) throw new SweepError({ reason: 'TooManyRuns', detail: `the sweep asks for ${String(runs)} runs; at most ${String(MAX_RUNS)} (narrow the ranges, or use --search random --samples N)` });
};

/** Returns every combination of the axes' values, the last axis varying fastest. */
export const gridOf = (axes: ReadonlyArray<SweepAxis>): ReadonlyArray<ParameterSet> => {
  const size = gridSize(axes);
  checkRuns(size);
  return Array.from({ length: size }, (_, i) => pointAt(axes, i));
};

/**
 * Returns `samples` distinct grid points drawn uniformly without replacement with the seeded PCG generator, in grid
 * order (the whole grid when it has no more points than that). The same axes, count and seed give the same points.
 */
export const randomSampleOf = (axes: ReadonlyArray<SweepAxis>, samples: number, seed: number): ReadonlyArray<ParameterSet> => {
  if (!Number.isSafeInteger(samples) || samples < 1) throw new SweepError({ reason: 'BadOption', detail: `--samples ${String(samples)}: a whole number of at least 1` });
  checkRuns(samples);
  const size = gridSize(axes);
  if (samples >= size) return gridOf(axes);
  // The generator draws below 2^32; a grid that large is no search space a backtest sweep can use anyway.
  if (size > 2 ** 32) throw new SweepError({ reason: 'TooManyRuns', detail: `the grid has ${String(size)} points; a random search draws from at most 2^32` });
  const random = new PCGRandom(seed);
  const chosen = new Set<number>();
  // Floyd's algorithm: `samples` draws, each adding one new index, whatever the grid's size.
  for (let j = size - samples; j < size; j++) {
    const t = random.integer(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b).map((i) => pointAt(axes, i));
};

/** Returns a point as `name=value` pairs, for `--param` and for labels ("fast=5 slow=20"). */
export const paramsOf = (point: ParameterSet): ReadonlyArray<string> => Object.entries(point).map(([k, v]) => `${k}=${v}`);
