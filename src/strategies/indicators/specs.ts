/**
 * Indicator specs as text — `rsi:14`, `bollinger:20,2`, `vwap:America/New_York,09:30` — parsed into the indicators of
 * this folder and named output columns (`rsi_14`, `bollinger_20_2_upper`, `adx_14`, `plus_di_14`, …), so the CLI, a
 * config or a learner's feature list can ask for the same pipeline by name. A bad spec is an `IndicatorError`
 * naming what would do. Pure.
 */
import { Adx } from './Adx.ts';
import { Atr } from './Atr.ts';
import { Bollinger } from './Bollinger.ts';
import { Donchian } from './Donchian.ts';
import { Ema } from './Ema.ts';
import { IndicatorError, type Indicator } from './Indicator.ts';
import { Mfi } from './Mfi.ts';
import type { PriceBar } from './PriceBar.ts';
import { Rsi } from './Rsi.ts';
import { Sma } from './Sma.ts';
import { RollingVwap, SessionVwap, sessionsStartingAt } from './Vwap.ts';

/** Indicators that produce one or more named numeric columns per bar. */
export interface ColumnSet {
  /** The column names, in output order. */
  readonly columns: ReadonlyArray<string>;
  /** Feeds one bar and returns one value per column (undefined while that column warms up). */
  update(bar: PriceBar): Array<number | undefined>;
}

interface Kind {
  readonly usage: string;
  readonly build: (name: string, params: ReadonlyArray<string>) => ColumnSet;
}

const fail = (reason: IndicatorError['reason'], message: string): never => {
  throw new IndicatorError({ reason, message });
};

const periodOf = (name: string, text: string): number => {
  if (!/^\d+$/.test(text)) fail('bad_period', `${name}: the period must be a whole number such as 14, not ${JSON.stringify(text)}`);
  return Number(text);
};

const multiplierOf = (name: string, text: string): number => {
  if (!/^\d+(?:\.\d+)?$/.test(text)) fail('bad_parameter', `${name}: the multiplier must be a number such as 2 or 2.5, not ${JSON.stringify(text)}`);
  return Number(text);
};

/** One column from an indicator with a numeric value. */
const single = (column: string, indicator: Indicator<number>): ColumnSet => ({ columns: [column], update: (bar) => [indicator.update(bar)] });

/** A kind taking exactly one parameter, the period. */
const periodic = (usage: string, make: (period: number) => Indicator<number>): Kind => ({
  usage,
  build: (name, params) => {
    if (params.length !== 1) fail('bad_spec', `${name} takes one parameter, the period: ${usage}`);
    const period = periodOf(name, params[0]!);
    return single(`${name}_${String(period)}`, make(period));
  },
});

const KINDS: Readonly<Record<string, Kind>> = {
  sma: periodic('sma:<period> (e.g. sma:20)', (period) => new Sma({ period })),
  ema: periodic('ema:<period> (e.g. ema:14)', (period) => new Ema({ period })),
  rsi: periodic('rsi:<period> (Wilder averaging; e.g. rsi:14)', (period) => new Rsi({ period })),
  rsi_simple: periodic('rsi_simple:<period> (simple averaging; e.g. rsi_simple:14)', (period) => new Rsi({ period, averaging: 'simple' })),
  atr: periodic('atr:<period> (e.g. atr:14)', (period) => new Atr({ period })),
  mfi: periodic('mfi:<period> (e.g. mfi:14)', (period) => new Mfi({ period })),
  rolling_vwap: periodic('rolling_vwap:<bars> (e.g. rolling_vwap:50)', (period) => new RollingVwap({ period })),
  adx: {
    usage: 'adx:<period> (e.g. adx:14; columns adx, plus_di, minus_di)',
    build: (name, params) => {
      if (params.length !== 1) fail('bad_spec', `${name} takes one parameter, the period: adx:<period> (e.g. adx:14)`);
      const period = periodOf(name, params[0]!);
      const adx = new Adx({ period });
      const n = String(period);
      return {
        columns: [`adx_${n}`, `plus_di_${n}`, `minus_di_${n}`],
        update: (bar) => {
          const v = adx.update(bar);
          return [v?.adx, v?.plusDi, v?.minusDi];
        },
      };
    },
  },
  donchian: {
    usage: 'donchian:<period> (e.g. donchian:20; columns upper, lower)',
    build: (name, params) => {
      if (params.length !== 1) fail('bad_spec', `${name} takes one parameter, the period: donchian:<period> (e.g. donchian:20)`);
      const period = periodOf(name, params[0]!);
      const channel = new Donchian({ period });
      return {
        columns: [`${name}_${String(period)}_upper`, `${name}_${String(period)}_lower`],
        update: (bar) => {
          const v = channel.update(bar);
          return [v?.upper, v?.lower];
        },
      };
    },
  },
  bollinger: {
    usage: 'bollinger:<period>,<multiplier> (e.g. bollinger:20,2; columns upper, middle, lower)',
    build: (name, params) => {
      if (params.length !== 2) fail('bad_spec', `${name} takes two parameters, the period and the multiplier: bollinger:<period>,<multiplier> (e.g. bollinger:20,2)`);
      const period = periodOf(name, params[0]!);
      const multiplier = multiplierOf(name, params[1]!);
      const bands = new Bollinger({ period, multiplier });
      const prefix = `${name}_${String(period)}_${String(multiplier)}`;
      return {
        columns: [`${prefix}_upper`, `${prefix}_middle`, `${prefix}_lower`],
        update: (bar) => {
          const v = bands.update(bar);
          return [v?.upper, v?.middle, v?.lower];
        },
      };
    },
  },
  vwap: {
    usage: 'vwap (sessions are UTC days), vwap:<zone> (local days) or vwap:<zone>,<HH:MM> (sessions start at that local time)',
    build: (name, params) => {
      if (params.length > 2) fail('bad_spec', `${name} takes at most a time zone and a session start: vwap:America/New_York,09:30`);
      const [zone, start] = params;
      if (zone === undefined) return single(name, new SessionVwap());
      const startTime = start ?? '00:00';
      return single(`${name}_${zone.replace(/[^A-Za-z0-9]+/g, '_')}_${startTime.replace(':', '')}`, new SessionVwap({ sessionOf: sessionsStartingAt(zone, startTime) }));
    },
  },
};

/** The spec forms accepted, one line each, for help and error messages. */
export const INDICATOR_USAGE: ReadonlyArray<string> = Object.values(KINDS).map((k) => k.usage);

/** Parses one spec (`name` or `name:p1,p2`; the name is case-insensitive) into fresh indicators with named columns. */
export const columnSetOf = (spec: string): ColumnSet => {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).toLowerCase();
  const params = colon < 0 ? [] : text.slice(colon + 1).split(',').map((p) => p.trim());
  const kind = Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  if (kind === undefined) return fail('unknown_indicator', `unknown indicator ${JSON.stringify(spec)}; known: ${Object.keys(KINDS).join(', ')}`);
  return kind.build(name, params);
};

/** Parses several specs into one column set, refusing an empty list and a column asked for twice. */
export const columnSetsOf = (specs: ReadonlyArray<string>): ColumnSet => {
  if (specs.length === 0) fail('bad_spec', `no indicator given; use one of: ${INDICATOR_USAGE.join('; ')}`);
  const sets = specs.map(columnSetOf);
  const columns = sets.flatMap((s) => s.columns);
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) fail('bad_spec', `the column ${twice} is asked for twice; give each indicator once`);
  return { columns, update: (bar) => sets.flatMap((s) => s.update(bar)) };
};
