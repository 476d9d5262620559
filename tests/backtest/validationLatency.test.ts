/**
 * X-BT-5 S1-10 order latency through the real `backtest` command: SMA(10)/SMA(30) on the bundled SPY minute bars of
 * 2023-08-03 (regular session), bar fill model, entries and exits priced at the touch when sent. With
 * `backtest.latencyMs` every order reaches the simulator that much later on the virtual clock: at 250 ms (before the
 * bar's second tick, 19 999 ms in) each trade is the unshocked one 250 ms later at the same prices; at 20 000 ms an
 * entry meets the bar's first extreme — filled there when it is at or under the limit, else resting until a later tick
 * trades through the limit — exactly as the bars say. Equal inputs give equal bytes; `--shock latency=` reruns at
 * the added latency and lists it beside the other shocks; a bad latency is refused with exit 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { filterRange, loadOhlcvCsv } from '../../src/backtest/data/ohlcv.ts';
import type { BacktestReport, BacktestTrade } from '../../src/backtest/report/types.ts';
import { Decimal } from '../../src/domain/money.ts';
import { intraBarPath, quantizeBar } from '../../src/venues/sim/replay/barFeed.ts';
import { runMain, type InProcessRun } from '../support/runCli.ts';

const DATA = 'data/us-equity-1m/SPY_1m_2023-08-03.csv';
const FROM = '2023-08-03T13:30:00Z';
const TO = '2023-08-03T20:00:00Z';
const BASE = readFileSync('config/backtests/sma-cross-spy.yaml', 'utf8');

const dir = (): string => mkdtempSync(join(tmpdir(), 'tw-latency-'));
/** The parity config with `backtest.latencyMs` (and any other backtest key) added, in a temp file. */
const configWith = (lines: string): string => {
  const file = join(dir(), 'latency.yaml');
  writeFileSync(file, BASE.replace('  slippageBps: 0\n', `  slippageBps: 0\n${lines}`));
  return file;
};
const cli = (config: string, args: ReadonlyArray<string>): Promise<InProcessRun> =>
  runMain(['backtest', '--config', config, '--data', DATA, '--symbol', 'SPY', '--from', FROM, '--to', TO, ...args]);
const read = (out: string): string => readFileSync(join(out, 'report.json'), 'utf8');
const reportOf = (out: string): BacktestReport => JSON.parse(read(out)) as BacktestReport;

const TICK = new Decimal('0.01');
// The replay puts the file's half-cent prices on the instrument's 0.01 grid first (barFeed.ts quantizeBar).
const bars = filterRange(loadOhlcvCsv(DATA, { timeZone: 'UTC' }).bars, Date.parse(FROM), Date.parse(TO)).map((b) => quantizeBar(b, TICK, new Decimal('0.0001')));
const barAt = (ts: number): (typeof bars)[number] => {
  const b = bars.find((x) => x.start <= ts && ts < x.start + 60_000);
  if (b === undefined) throw new Error(`no bar at ${new Date(ts).toISOString()}`);
  return b;
};
/** Tick i of a minute bar in the bar model (4 ticks): floor(i × 59 999 / 3) ms after its start. */
const tickAt = (start: number, i: number): number => start + Math.floor((i * 59_999) / 3);

describe('X-BT-5 S1-10 backtest.latencyMs on SPY minute bars', () => {
  const base = dir();
  const small = dir();
  const large = dir();
  const again = dir();
  const runs: Record<string, InProcessRun> = {};
  beforeAll(async () => {
    runs['base'] = await cli('config/backtests/sma-cross-spy.yaml', ['--out', base]);
    const ms250 = configWith('  latencyMs: 250\n');
    const ms20k = configWith('  latencyMs: 20000\n');
    runs['small'] = await cli(ms250, ['--out', small]);
    runs['large'] = await cli(ms20k, ['--out', large]);
    runs['again'] = await cli(ms20k, ['--out', again]);
  }, 60_000);

  it('X-BT-5 every run succeeds and trades; the run names its latency only when it has one', () => {
    for (const [name, r] of Object.entries(runs)) expect(r.code, `${name}: ${r.err}`).toBe(0);
    expect(reportOf(base).trades.length).toBeGreaterThan(3);
    expect(reportOf(base).run['latencyMs']).toBeUndefined();
    expect(reportOf(large).run['latencyMs']).toBe(20_000);
  });

  it('X-BT-5 at 250 ms each fill is the unshocked one 250 ms later, at the same price (the bar\'s next tick is 19 999 ms in)', () => {
    const zero = reportOf(base).trades;
    const late = reportOf(small).trades;
    expect(late.length).toBe(zero.length);
    late.forEach((t, i) => {
      const z = zero[i]!;
      expect([t.entryTs, t.entryPrice, t.exitPrice, t.quantity, t.pnl]).toEqual([z.entryTs + 250, z.entryPrice, z.exitPrice, z.quantity, z.pnl]);
      if (z.exitTs !== null && z.reason === 'exit') expect(t.exitTs).toBe(z.exitTs + 250);
    });
  });

  it('X-BT-5 S1-10 at 20 000 ms each entry meets the market the bar shows after its first extreme', () => {
    const zero = reportOf(base).trades;
    const late = reportOf(large).trades;
    expect(late.length).toBe(zero.length);
    let moved = 0;
    late.forEach((t: BacktestTrade, i) => {
      const z = zero[i]!;
      // Unshocked: the buy limit sits at the ask of the open (0 bps: the open itself) and fills there at once.
      const bar = barAt(z.entryTs);
      expect([z.entryTs, z.entryPrice]).toEqual([bar.start, bar.open.toString()]);
      const path = intraBarPath(bar, 4, TICK);
      const limit = new Decimal(z.entryPrice);
      if (path[1]!.lte(limit)) {
        // Arrives after tick 1: marketable at that tick's ask, the first extreme.
        expect([t.entryTs, t.entryPrice]).toEqual([bar.start + 20_000, path[1]!.toString()]);
        if (!path[1]!.eq(limit)) moved += 1;
      } else {
        // The market ran away: the limit rests and fills at its price when a later tick trades through it.
        const later = [2, 3].find((k) => path[k]!.lte(limit));
        expect(later, `bar ${new Date(bar.start).toISOString()} comes back to the limit`).toBeDefined();
        expect([t.entryTs, t.entryPrice]).toEqual([tickAt(bar.start, later!), limit.toString()]);
        moved += 1;
      }
    });
    expect(moved, 'the fixture moves within 20 s of some entries').toBeGreaterThan(0);
    expect(reportOf(large).metrics.totalPnl).not.toBe(reportOf(base).metrics.totalPnl);
  });

  it('X-BT-5 X-BT-2 the same latency twice gives the same report, byte for byte', () => {
    expect(read(again)).toBe(read(large));
  });
});

describe('X-BT-5 S1-10 backtest --shock latency=', () => {
  const out = dir();
  const plain = dir();
  let run: InProcessRun;
  beforeAll(async () => {
    run = await cli('config/backtests/sma-cross-spy.yaml', ['--shock', 'slippage=5,latency=20000', '--workers', '1', '--out', out]);
    await cli(configWith('  latencyMs: 20000\n'), ['--out', plain]);
  }, 60_000);

  it('S1-10 reruns at the added latency and reports it beside the slippage shock', () => {
    expect(run.code, run.err).toBe(0);
    const s = reportOf(out).validation!.shocks!;
    expect(s).toMatchObject({ method: 'parameter, slippage and latency shocks', slippageBps: 5, latencyMs: 20_000, paramFraction: null });
    expect(s.runs.map((r) => `${r.label}: ${r.status}`)).toEqual(['slippage +5 bps (0 → 5 bps): ok', 'latency +20000 ms (0 → 20000 ms): ok']);
    const latency = s.runs[1]!;
    // The shocked run is the plain backtest at that latency, to the byte but for the hash of its (other) config file.
    expect(latency.status === 'ok' && latency.metrics.totalPnl).toBe(reportOf(plain).metrics.totalPnl);
    const unhashed = (text: string): string => text.replace(/"configHash": "[0-9a-f]+"/, '"configHash": ""');
    expect(unhashed(readFileSync(join(out, 'shocks', '02', 'report.json'), 'utf8'))).toBe(unhashed(read(plain)));
    expect(run.out).toMatch(/^Shocks: slippage \+5 bps, latency \+20000 ms$/m);
    expect(run.out).toMatch(/^\s+latency \+20000 ms \(0 → 20000 ms\)\s+-?[\d,.]+/m);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('latency +20000 ms (0 → 20000 ms)');
  });

  it('X-BT-5 a latency outside [0, 3600000] ms in the config is refused with exit 2, naming the key', async () => {
    const r = await cli(configWith('  latencyMs: -1\n'), ['--out', dir()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/latencyMs/);
    expect(r.err).toMatch(/\[0, 3600000\] ms/);
  });
});
