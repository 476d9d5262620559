/**
 * `tradewarden backtest --config <file> [--data <file|dir>]… [--symbol S]… [--from DATE] [--to DATE] [--strategy <id>]
 * [--param key=value]… [--strategy-path <dir>] [--out <dir>]`: runs the config's strategies (and the user strategies
 * of `--strategy-path`) through the whole trading path on the in-process simulator and the virtual clock, writes the
 * report files and prints a summary table. Flags override the config without editing it; anything it does not
 * understand, and a strategy module it cannot use, is refused (exit 2).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Either } from 'effect';
import { SingleBar } from 'cli-progress';
import { BacktestError, runBacktest } from '../../app/backtest.ts';
import { symbolOfDataFile } from '../../app/sim.ts';
import { loadConfigFile } from '../../config/load.ts';
import type { AppConfig } from '../../config/schema.ts';
import { resolveRunStrategies } from '../../app/strategyPath.ts';
import { buildInfo } from '../buildInfo.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';
import { loadOhlcvCsv } from '../../backtest/data/ohlcv.ts';
import { inferIncrement } from '../../venues/sim/replay/liquidity.ts';

/** The flags of `backtest` besides `--config` (its table is in src/cli/main.ts). */
export interface BacktestOptions {
  readonly data?: ReadonlyArray<string> | undefined;
  readonly symbol?: ReadonlyArray<string> | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly strategy?: string | undefined;
  readonly param?: ReadonlyArray<string> | undefined;
  readonly strategyPath?: string | undefined;
  readonly out?: string | undefined;
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
const withDataOverrides = (config: AppConfig, values: Pick<BacktestOptions, 'data' | 'symbol' | 'from' | 'to'>, note: (line: string) => void): AppConfig => {
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

/** Runs the backtest command. */
export const backtestCommand = async (io: CliIo, values: BacktestOptions, global: GlobalOptions): Promise<number> => {
  const file = global.config;
  if (file === undefined) {
    io.err('backtest needs --config <file> (for example config/backtests/sma-cross-spy.yaml)');
    return ExitCode.usage;
  }
  const loaded = loadConfigFile(file);
  if (Either.isLeft(loaded)) {
    io.err(loaded.left.message);
    return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const out = values.out ?? join(global.dataDir, 'backtest');
  let bar: SingleBar | undefined;
  try {
    const strategies = await resolveRunStrategies(loaded.right.config, { strategyPath: values.strategyPath, strategy: values.strategy, params: values.param ?? [] });
    if (Either.isLeft(strategies)) throw new BacktestError(strategies.left);
    const config = asBacktest(withDataOverrides(strategies.right.config, values, io.err));
    // X-BT-8: a progress bar on a terminal only; redirected output stays clean.
    if (process.stderr.isTTY) bar = new SingleBar({ format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | {rate} bars/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, fps: 5 });
    let started = false;
    const wallStart = Date.now();
    const result = await runBacktest({
      config, configHash: loaded.right.hash, out, version: buildInfo.version, commit: buildInfo.commit, progress: io.out, stderr: (line) => io.err(line.trimEnd()), userStrategies: strategies.right.user,
      onProgress: bar === undefined ? undefined : (done, total) => {
        if (!started) {
          bar!.start(total, 0, { rate: 0 });
          started = true;
        }
        const value = Math.round(done * total);
        bar!.update(value, { rate: Math.round((value * 1000) / Math.max(1, Date.now() - wallStart)) });
      },
    });
    bar?.stop();
    bar = undefined;
    const m = result.report.metrics;
    const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
    const rows: Array<[string, string]> = [
      ['total PnL', `${m.totalPnl} ${String(result.report.run['settleAsset'])}`], ['total return', pct(m.totalReturn)], ['CAGR', pct(m.cagr)],
      ['Sharpe', m.sharpe.toFixed(3)], ['Sortino', m.sortino.toFixed(3)], ['max drawdown', pct(m.maxDrawdown)], ['trades', String(m.trades)],
      ['win rate', pct(m.winRate)], ['profit factor', m.profitFactor === null ? 'n/a' : m.profitFactor.toFixed(3)], ['fees', m.fees], ['exposure time', pct(m.exposureTime)],
    ];
    io.out(`backtest ${file}: ${result.bars} bars`);
    for (const [k, v] of rows) io.out(`  ${k.padEnd(14)} ${v}`);
    io.out(`report: ${result.files.report}, ${result.files.html}, ${result.files.trades}, ${result.files.equity}`);
    io.err(`wall ${result.wallMs} ms, ${result.wallMs > 0 ? Math.round((result.bars * 1000) / result.wallMs) : 0} bars/s (timing: ${result.files.timing})`);
    return ExitCode.ok;
  } catch (e) {
    bar?.stop();
    const tag = typeof e === 'object' && e !== null && '_tag' in e ? String((e)._tag) : undefined;
    if (e instanceof BacktestError || tag === 'OhlcvError' || tag === 'UserStrategyError') {
      io.err(`backtest: ${(e as Error).message}`);
      return ExitCode.usage;
    }
    throw e;
  }
};
