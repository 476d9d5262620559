/**
 * Benchmarks of `tradewarden backtest` through the whole path (sma-cross 10/30 → RiskEngine → trade actors →
 * ExecutionEngine → simulator → journal, bar fill model, decisions on bar closes): bars per second and peak RSS for one
 * symbol and for ten, on seeded random-walk 1-minute bars generated here (never committed). The replay is bounded
 * (BENCH_BACKTEST_DAYS days, default 10) so `npm run bench` stops by itself; a year is that rate × 525,600 bars.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../../src/cli/main.ts';

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const MINUTE = 60_000;
const START = Date.UTC(2023, 0, 2);

/** A seeded random walk of 1-minute OHLCV rows (mulberry32), on a 0.01 grid. */
const walkCsv = (seed: number, bars: number, start: number): string => {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rows = ['timestamp,open,high,low,close,volume'];
  let price = 100 + seed % 50;
  for (let i = 0; i < bars; i++) {
    const open = price;
    const close = Math.max(1, open * (1 + (rnd() - 0.5) * 0.004));
    const high = Math.max(open, close) * (1 + rnd() * 0.001);
    const low = Math.min(open, close) * (1 - rnd() * 0.001);
    rows.push(`${start + i * MINUTE},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${(1000 + Math.floor(rnd() * 9000)).toString()}`);
    price = Number(close.toFixed(2));
  }
  return `${rows.join('\n')}\n`;
};

const configYaml = (symbols: ReadonlyArray<string>, dir: string): string => [
  'profile: demo', 'mode: PAPER', 'botId: bench',
  'venues:', '  main:', '    kind: bybit', '    environment: sim', `    symbols: [${symbols.join(', ')}]`, '    leverage: "2"',
  'sim:', '  clock: virtual', '  seed: 1', '  startingBalance: "1000000"',
  'decision:', '  trigger: bar_close',
  'strategies:', '  sma-cross: { enabled: true, fast: 10, slow: 30, notionalFraction: "9%" }',
  'backtest:', '  data:', ...symbols.map((s) => `    - { symbol: ${s}, file: ${join(dir, `${s}.csv`)} }`),
  '  instruments:', ...symbols.map((s) => `    - { symbol: ${s}, tickSize: "0.01", quantityStep: "0.0001" }`),
  '  fees: { makerRate: 0.001, takerRate: 0.001 }',
  'execution: { reentryCooldownMs: 0 }',
  'risk:', '  fees: { makerRate: 0.001, takerRate: 0.001 }', '  cooldowns: { afterFillMs: 0, afterStopMs: 0 }',
  '  caps: { maxPositionFraction: "10%", maxTotalAtRiskFraction: "100%", maxTradeFraction: "10%" }',
  '  defaultStrategyBudget: { budgetFraction: "100%", maxTradesPerCycle: 20 }', '  leverage: { swingLeverage: "2" }',
  '  drawdown: { maxRollingDrawdownFraction: "100%", maxSessionDrawdownFraction: "100%", dailyLossLimitFraction: "100%" }',
  '  capacity: { maxOpenPositions: 20 }',
].join('\n');

const run = async (symbols: ReadonlyArray<string>, barsPerSymbol: number): Promise<{ readonly barsPerSecond: number; readonly peakRssMb: number }> => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-backtest-'));
  try {
    symbols.forEach((s, i) => writeFileSync(join(dir, `${s}.csv`), walkCsv(i + 1, barsPerSymbol, START)));
    writeFileSync(join(dir, 'config.yaml'), configYaml(symbols, dir));
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const code = await main(['backtest', '--config', join(dir, 'config.yaml'), '--out', join(dir, 'out')], { out: () => undefined, err: () => undefined });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    if (code !== 0) throw new Error(`backtest exited ${code}`);
    return { barsPerSecond: (symbols.length * barsPerSymbol * 1000) / ms, peakRssMb: Math.max(peak, process.memoryUsage().rss) / (1024 * 1024) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Runs the backtest benches. */
export const benchBacktest = async (): Promise<ReadonlyArray<Figure>> => {
  const days = Number(process.env['BENCH_BACKTEST_DAYS'] ?? '10');
  const bars = Math.max(100, Math.round(days * 1440));
  const one = await run(['SYNUSDT'], bars);
  const ten = await run(Array.from({ length: 10 }, (_, i) => `SYN${String(i)}USDT`), Math.round(bars / 10));
  return [
    { name: 'backtest_bars_per_s_1_symbol_1m_sma_cross', value: Math.round(one.barsPerSecond), unit: 'bars/s' },
    { name: 'backtest_year_estimate_1_symbol', value: Math.round(525_600 / one.barsPerSecond), unit: 's' },
    { name: 'backtest_peak_rss_1_symbol', value: Math.round(one.peakRssMb), unit: 'MB' },
    { name: 'backtest_bars_per_s_10_symbols_1m_sma_cross', value: Math.round(ten.barsPerSecond), unit: 'bars/s' },
    { name: 'backtest_peak_rss_10_symbols', value: Math.round(ten.peakRssMb), unit: 'MB' },
  ];
};
