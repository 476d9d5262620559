/**
 * The chart a daily or weekly report can carry (issue 15 item 5): the period's cumulative net PnL as a step line over
 * the period's time span, with the zero line, drawn as SVG and rasterised to PNG by resvg (a well-kept Rust renderer
 * with prebuilt binaries; no browser, no system fonts). The chart has no text on purpose: the numbers are in the
 * caption, and a raster without fonts is the same bytes on every machine. Floats here only place pixels; every figure
 * a reader sees comes from the Decimal report text.
 */
import { Resvg } from '@resvg/resvg-js';
import type { Decimal } from '../../domain/money.ts';

/** One point of the line: a close time and the cumulative PnL after it. */
export interface ChartPoint {
  readonly ts: number;
  readonly pnl: Decimal;
}

/** Size and colours. */
export interface ChartStyle {
  readonly width: number;
  readonly height: number;
}

const DEFAULT_STYLE: ChartStyle = { width: 800, height: 400 };
const PAD = 16;
const UP = '#2e7d32';
const DOWN = '#c62828';
const AXIS = '#9e9e9e';

const fixed = (v: number): string => (Math.round(v * 10) / 10).toString();

/**
 * Returns the SVG of the curve over [from, to): a step line from 0 at `from`, stepping at each close, held to `to`.
 * Green when the period ends at or above zero, red below. At least one point is needed (throws RangeError otherwise).
 */
export const equitySvg = (points: ReadonlyArray<ChartPoint>, from: number, to: number, style: ChartStyle = DEFAULT_STYLE): string => {
  if (points.length === 0) throw new RangeError('an equity chart needs at least one closed trade');
  if (!(to > from)) throw new RangeError(`an equity chart needs a period (from ${String(from)} to ${String(to)})`);
  const values = [0, ...points.map((p) => p.pnl.toNumber())];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo === 0 ? 1 : hi - lo;
  const w = style.width - 2 * PAD;
  const h = style.height - 2 * PAD;
  const x = (ts: number): number => PAD + (Math.min(Math.max(ts, from), to) - from) / (to - from) * w;
  const y = (v: number): number => PAD + (hi - v) / span * h;
  const path: string[] = [`M${fixed(x(from))},${fixed(y(0))}`];
  let last = 0;
  for (const p of points) {
    const v = p.pnl.toNumber();
    path.push(`H${fixed(x(p.ts))}`, `V${fixed(y(v))}`);
    last = v;
  }
  path.push(`H${fixed(x(to))}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(style.width)}" height="${String(style.height)}" viewBox="0 0 ${String(style.width)} ${String(style.height)}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<line x1="${String(PAD)}" y1="${fixed(y(0))}" x2="${String(style.width - PAD)}" y2="${fixed(y(0))}" stroke="${AXIS}" stroke-width="1" stroke-dasharray="4 4"/>`,
    `<path d="${path.join(' ')}" fill="none" stroke="${last >= 0 ? UP : DOWN}" stroke-width="3" stroke-linejoin="round"/>`,
    `</svg>`,
  ].join('');
};

/** Returns the chart as PNG bytes (see equitySvg). */
export const equityPng = (points: ReadonlyArray<ChartPoint>, from: number, to: number, style: ChartStyle = DEFAULT_STYLE): Buffer =>
  Buffer.from(new Resvg(equitySvg(points, from, to, style), { font: { loadSystemFonts: false } }).render().asPng());
