/**
 * One backtest job as `tradewarden backtest` builds it: a loaded config with the command's overrides applied
 * (`--data`/`--symbol`/`--from`/`--to`, `--strategy`/`--param`/`--strategy-path`) and forced into what every backtest
 * is (PAPER, the in-process simulator, the virtual clock, decisions on bar closes). The command uses it for its one
 * run, the sweep's worker threads (worker.ts) for each of theirs, and the walk-forward for each fold, so every run of
 * every mode gets exactly the same config for the same flags. A composition module, like src/app: it reads the data
 * files named by `--data`, and throws BacktestError (exit 2) for a request it cannot serve.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Either } from 'effect';
import { BacktestError } from '../backtest.ts';
import { symbolOfDataFile } from '../sim.ts';
import { resolveRunStrategies } from '../strategyPath.ts';
import type { AppConfig } from '../../config/schema.ts';
import type { StrategyEntry } from '../../strategies/registry.ts';
import { inferIncrement } from '../../venues/sim/replay/liquidity.ts';
import { loadOhlcvCsv } from '../../backtest/data/ohlcv.ts';

/** The command's flags that shape one run's config. */
export interface BacktestJobFlags {
  readonly data?: ReadonlyArray<string> | undefined;
  readonly symbol?: ReadonlyArray<string> | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly strategy?: string | undefined;
  readonly param?: ReadonlyArray<string> | undefined;
  readonly strategyPath?: string | undefined;
  /** Replaces `backtest.slippageBps` (the validation's slippage shock; no command-line flag of its own). */
  readonly slippageBps?: number | undefined;
  /** Replaces `backtest.latencyMs` (the validation's latency shock; no command-line flag of its own). */
  readonly latencyMs?: number | undefined;
}

/** A run's config, ready for `runBacktest`, and the user strategies it loaded. */
export interface PreparedBacktest {
  readonly config: AppConfig;
  readonly user: ReadonlyArray<StrategyEntry>;
}

/** Returns the CSV files a `--data` value names: the file, or every `.csv` of a directory in name order. */
const filesOf = (path: string): string[] => {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new BacktestError(`--data ${path}: no such file or directory`);
  }
  if (!st.isDirectory()) return [path];
  const files = readdirSync(path).filter((f) => f.toLowerCase().endsWith('.csv')).sort().map((f) => join(path, f));
  if (files.length === 0) throw new BacktestError(`--data ${path}: the directory holds no .csv file`);
  return files;
};

/**
 * Applies `--data`/`--symbol`/`--from`/`--to` to the config: the files replace `backtest.data` (paired with the
 * symbols in order, or the symbol in a `<source>_<SYMBOL>_…csv` name), the account trades those symbols, and a symbol
 * without a declared instrument gets one from the data's price decimals and the config's quantity step.
 */
const withDataOverrides = (config: AppConfig, values: Pick<BacktestJobFlags, 'data' | 'symbol' | 'from' | 'to'>, note: (line: string) => void): AppConfig => {
  let next: AppConfig = { ...config, backtest: { ...config.backtest, ...(values.from === undefined ? {} : { from: values.from }), ...(values.to === undefined ? {} : { to: values.to }) } };
  if (values.data === undefined) {
    if (values.symbol !== undefined) throw new BacktestError('--symbol goes with --data <file> (which file is that symbol?)');
    return next;
  }
  const files = values.data.flatMap(filesOf);
  const symbols = values.symbol ?? [];
  if (symbols.length > 0 && symbols.length !== files.length) throw new BacktestError(`--symbol given ${symbols.length} times for ${files.length} data files; give one per file, in the same order`);
  const data = files.map((file, i) => {
    const symbol = symbols[i] ?? config.backtest.data.find((d) => d.file === file)?.symbol ?? symbolOfDataFile(file);
    if (symbol === undefined || !/^[A-Z0-9][A-Z0-9._/-]{0,30}$/.test(symbol)) throw new BacktestError(`cannot tell the symbol of ${file}: add --symbol <S> (upper-case, like SPY or BTCUSDT)`);
    const known = config.backtest.data.find((d) => d.symbol === symbol);
    return { symbol, file, timeZone: known?.timeZone ?? 'UTC', ...(known?.timeframe === undefined ? {} : { timeframe: known.timeframe }) };
  });
  const names = Object.keys(config.venues);
  if (names.length !== 1) throw new BacktestError(`--data replaces the traded symbols of a one-account config; this one has ${names.length} accounts (${names.join(', ')})`);
  const instruments = [...config.backtest.instruments];
  for (const d of data) {
    if (instruments.some((i) => i.symbol === d.symbol) || config.backtest.instruments.length === 0) continue;
    // A symbol the config did not declare: its tick is the data's own price grid, its step the config's first one.
    const bars = loadOhlcvCsv(d.file, { timeZone: d.timeZone }).bars;
    const tickSize = inferIncrement(bars.slice(0, 1000).flatMap((b) => [b.open, b.high, b.low, b.close]));
    const step = config.backtest.instruments[0]!.quantityStep;
    instruments.push({ symbol: d.symbol, tickSize, quantityStep: step, minNotional: config.backtest.instruments[0]!.minNotional });
    note(`instrument ${d.symbol}: tick ${tickSize.toString()} (the data's price decimals), step ${step.toString()}; declare it under backtest.instruments to choose`);
  }
  const [name] = names as [string];
  const account = config.venues[name]!;
  next = { ...next, venues: { [name]: { ...account, symbols: data.map((d) => d.symbol) } }, backtest: { ...next.backtest, data, instruments } };
  return next;
};

/** Forces what every backtest is: PAPER, the in-process simulator on the virtual clock, decisions on bar closes. */
const asBacktest = (config: AppConfig): AppConfig => ({
  ...config,
  mode: 'PAPER',
  venues: Object.fromEntries(Object.entries(config.venues).map(([n, a]) => [n, { ...a, environment: 'sim', simUrl: '', endpoint: '' }])),
  sim: { ...config.sim, clock: 'virtual' },
  decision: { ...config.decision, trigger: 'bar_close' },
});

/**
 * Returns the config one backtest runs with: the loaded config with the strategy flags (user strategies loaded), the
 * data flags and the backtest settings applied. Throws BacktestError for a strategy or data request it cannot serve.
 */
export const prepareBacktest = async (loaded: AppConfig, flags: BacktestJobFlags, note: (line: string) => void): Promise<PreparedBacktest> => {
  const strategies = await resolveRunStrategies(loaded, { strategyPath: flags.strategyPath, strategy: flags.strategy, params: flags.param ?? [] });
  if (Either.isLeft(strategies)) throw new BacktestError(strategies.left);
  const config = asBacktest(withDataOverrides(strategies.right.config, flags, note));
  const backtest = { ...config.backtest, slippageBps: flags.slippageBps ?? config.backtest.slippageBps, latencyMs: flags.latencyMs ?? config.backtest.latencyMs };
  return { config: { ...config, backtest }, user: strategies.right.user };
};

/** Returns whether an error is one the command reports as a usage problem (exit 2) rather than a failure. */
export const isUsageProblem = (e: unknown): e is Error => {
  const tag = typeof e === 'object' && e !== null && '_tag' in e ? String(e._tag) : undefined;
  return e instanceof BacktestError || tag === 'OhlcvError' || tag === 'UserStrategyError' || tag === 'SweepError' || tag === 'ValidationError';
};
