/**
 * The backtest composition (X-BT-1/2): the one session of a paper run — strategies, RiskEngine, trade actors,
 * ExecutionEngine, the in-process simulator and the journal — on the virtual clock, replaying imported OHLCV files
 * with the bar or path fill model and deciding on bar closes; then the report read back from the run's journal
 * (report.json, trades.csv, equity.csv, report.html). Wall time goes to timing.json only, so report.json is the same
 * bytes for the same inputs and seed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { accountsOf } from './accounts.ts';
import { buildRunReport, writeRunReport } from './runReport.ts';
import { runSession } from './session.ts';
import type { ReplaySetup } from './simWorld.ts';
import type { AppConfig } from '../config/schema.ts';
import type { StrategyEntry } from '../strategies/registry.ts';
import { filterRange, loadOhlcvCsv, type OhlcvGap } from '../backtest/data/ohlcv.ts';
import { resample, timeframeMs } from '../backtest/data/resample.ts';
import type { BacktestReport } from '../backtest/report/types.ts';
import { wallClock } from '../kernel/Clock.ts';
import { CatalogueError, simInstrument } from '../venues/sim/catalogue.ts';
import type { Bar } from '../venues/sim/replay/loadBarsCsv.ts';

/** A backtest that cannot run as asked (data, symbols, instruments), with a readable reason. */
export class BacktestError extends Error {
  override readonly name = 'BacktestError';
}

/** What a backtest needs from its caller. */
export interface BacktestOptions {
  /** The config with every command-line override applied. */
  readonly config: AppConfig;
  readonly configHash: string;
  readonly out: string;
  readonly version: string;
  readonly commit: string | null;
  readonly progress: (line: string) => void;
  readonly stderr?: ((line: string) => void) | undefined;
  /** Called with the replay's progress (0…1) as the virtual clock advances. */
  readonly onProgress?: ((done: number, bars: number) => void) | undefined;
  /** User strategies loaded from `--strategy-path` (their sections already in `config`). */
  readonly userStrategies?: ReadonlyArray<StrategyEntry> | undefined;
}

/** What a backtest leaves. */
export interface BacktestResult {
  readonly report: BacktestReport;
  readonly files: { readonly report: string; readonly trades: string; readonly equity: string; readonly html: string; readonly timing: string };
  readonly bars: number;
  readonly wallMs: number;
  /** Balance change the simulator booked (the report's total PnL must equal it when the run ends flat). */
  readonly balanceChange: string;
  /** The bars each symbol replayed and their length (what the report's regime slicing classifies). */
  readonly replayed: ReplaySetup['feeds'];
}

const parseDate = (text: string | null, what: string): number | undefined => {
  if (text === null) return undefined;
  const t = DateTime.fromISO(text, { zone: 'UTC' });
  if (!t.isValid) throw new BacktestError(`${what}: ${JSON.stringify(text)} is not a date (2010-01-04 or 2010-01-04T09:30:00Z)`);
  return t.toMillis();
};

interface LoadedFeed {
  readonly bars: ReadonlyArray<Bar>;
  readonly intervalMs: number;
  readonly file: string;
  readonly sha256: string;
  readonly gaps: ReadonlyArray<OhlcvGap>;
}

/** Loads, resamples and cuts every data file of the config's backtest section; throws the loader's typed errors. */
const loadFeeds = (config: AppConfig): Map<string, LoadedFeed> => {
  const from = parseDate(config.backtest.from, 'backtest.from');
  const to = parseDate(config.backtest.to, 'backtest.to');
  const feeds = new Map<string, LoadedFeed>();
  for (const d of config.backtest.data) {
    if (feeds.has(d.symbol)) throw new BacktestError(`backtest.data: two files for ${d.symbol}`);
    const loaded = loadOhlcvCsv(d.file, { timeZone: d.timeZone });
    const target = d.timeframe;
    const bars = target === undefined || timeframeMs(target) === loaded.intervalMs ? loaded.bars : resample(loaded.bars, loaded.intervalMs, target, { timeZone: d.timeZone });
    const cut = filterRange(bars, from, to);
    if (cut.length === 0) throw new BacktestError(`${d.file}: no bars for ${d.symbol} between ${config.backtest.from ?? 'the start'} and ${config.backtest.to ?? 'the end'}`);
    feeds.set(d.symbol, {
      bars: cut, intervalMs: target === undefined ? loaded.intervalMs : timeframeMs(target), file: d.file,
      sha256: createHash('sha256').update(readFileSync(d.file)).digest('hex'), gaps: loaded.gaps,
    });
  }
  return feeds;
};

/** Whether `check` judges the config as a backtest: it names backtest data files (`backtest.data`, config/backtests/). */
export const isBacktestConfig = (config: AppConfig): boolean => config.backtest.data.length > 0;

/**
 * Returns every reason the config cannot run as a backtest (empty when it can; `check`'s half for backtest configs):
 * its data files load and cut to at least one bar each, every traded symbol has one, and each symbol is one the
 * venue's simulator profile lists (from its table or its data) or is declared under `backtest.instruments`.
 */
export const preflightBacktest = (config: AppConfig): ReadonlyArray<{ readonly path: string; readonly message: string }> => {
  let feeds: Map<string, LoadedFeed>;
  try {
    feeds = loadFeeds(config);
  } catch (e) {
    return [{ path: 'backtest.data', message: e instanceof Error ? e.message : String(e) }];
  }
  const declared = new Set(config.backtest.instruments.map((i) => i.symbol));
  return accountsOf(config).flatMap((a) =>
    a.symbols.flatMap((symbol, i) => {
      const path = `venues.${a.name}.symbols.${String(i)}`;
      const feed = feeds.get(symbol);
      if (feed === undefined) return [{ path, message: `backtest.data has no file for ${symbol} (every traded symbol needs one)` }];
      if (declared.has(symbol) || simInstrument(symbol, a.binding.simProfile, feed.bars) !== undefined) return [];
      return [{ path, message: `the ${a.binding.label} venue profile cannot list ${symbol}: declare it under backtest.instruments (symbol, tickSize, quantityStep)` }];
    }),
  );
};

/** Runs the backtest and writes its files under `out`. */
export const runBacktest = async (opts: BacktestOptions): Promise<BacktestResult> => {
  const { config } = opts;
  const accounts = accountsOf(config);
  const symbols = accounts.flatMap((a) => a.symbols);
  const feeds = loadFeeds(config);
  const missing = symbols.filter((s) => !feeds.has(s));
  if (missing.length > 0) throw new BacktestError(`backtest.data has no file for ${missing.join(', ')} (every traded symbol needs one; --data <file> --symbol <S>)`);
  for (const [symbol, f] of feeds) {
    if (f.gaps.length > 0) opts.stderr?.(`${f.file}: ${f.gaps.length} gaps in ${symbol} (first at line ${f.gaps[0]!.line}: ${f.gaps[0]!.missingBars} bars missing); replayed as they are`);
  }
  const replay: ReplaySetup = {
    feeds: new Map([...feeds].map(([s, f]) => [s, { bars: f.bars, intervalMs: f.intervalMs }])),
    instruments: config.backtest.instruments, fees: config.backtest.fees ?? undefined, fillModel: config.backtest.fillModel,
    slippageBps: config.backtest.slippageBps, volumeFraction: config.backtest.volumeFraction, latencyMs: config.backtest.latencyMs,
  };
  const work = join(opts.out, 'session');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const first = Math.min(...[...feeds.values()].map((f) => f.bars[0]!.start));
  const last = Math.max(...[...feeds.values()].map((f) => f.bars[f.bars.length - 1]!.start));
  const totalBars = [...feeds.values()].reduce((n, f) => n + f.bars.length, 0);
  const wallStart = wallClock.now();
  let session;
  try {
    session = await runSession({
      config, configHash: opts.configHash, dataDir: work, version: opts.version, commit: opts.commit, progress: () => undefined, stderr: opts.stderr,
      replay, backtest: true, userStrategies: opts.userStrategies,
      onReplayTick: opts.onProgress === undefined ? undefined : (t) => opts.onProgress!(last === first ? 1 : (t - first) / (last - first), totalBars),
    });
  } catch (e) {
    if (e instanceof CatalogueError) throw new BacktestError(`the ${e.profile} venue profile cannot list ${e.symbols.join(', ')}: declare ${e.symbols.length > 1 ? 'them' : 'it'} under backtest.instruments (symbol, tickSize, quantityStep)`);
    throw e;
  }
  const wallMs = wallClock.now() - wallStart;
  const journalFile = Object.values(session.journals)[0]!;
  const report = buildRunReport({
    journalFile, bars: replay.feeds, startingBalance: config.sim.startingBalance, themes: config.backtest.themes,
    run: {
      profile: config.profile, configHash: opts.configHash, seed: config.sim.seed, version: opts.version,
      strategies: Object.fromEntries(Object.entries(config.strategies).filter(([, s]) => s.enabled)),
      data: Object.fromEntries([...feeds].map(([s, f]) => [s, { file: f.file, sha256: f.sha256, bars: f.bars.length, intervalMs: f.intervalMs, gaps: f.gaps.length, from: new Date(f.bars[0]!.start).toISOString(), to: new Date(f.bars[f.bars.length - 1]!.start).toISOString() }])),
      fillModel: config.backtest.fillModel, slippageBps: config.backtest.slippageBps, volumeFraction: config.backtest.volumeFraction,
      // Named only when set, so a run without latency keeps the bytes it always had.
      ...(config.backtest.latencyMs > 0 ? { latencyMs: config.backtest.latencyMs } : {}),
      fees: config.backtest.fees ?? 'venue profile', startingBalance: config.sim.startingBalance.toString(), settleAsset: accounts[0]!.trading.settleAsset,
      decisions: 'on each bar close, filled at the next bar', stoppedBy: session.summary['stoppedBy'] ?? null,
      vetoes: session.summary['vetoes'] ?? {}, proposals: session.summary['proposals'] ?? 0,
    },
  });
  const written = writeRunReport(opts.out, report);
  const files = { ...written, timing: join(opts.out, 'timing.json') };
  writeFileSync(files.timing, `${JSON.stringify({ wallMs, bars: totalBars, barsPerSecond: wallMs > 0 ? Math.round((totalBars * 1000) / wallMs) : null, replayTicks: session.summary['replayTicks'] ?? null }, null, 2)}\n`);
  return { report, files, bars: totalBars, wallMs, balanceChange: typeof session.summary['balanceChange'] === 'string' ? session.summary['balanceChange'] : '0', replayed: replay.feeds };
};
