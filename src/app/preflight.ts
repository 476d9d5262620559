/**
 * The run preflight: what a decoded config needs from the world before a session can start on the simulator — feed
 * files that exist and parse as bars, a feed per configured symbol, symbols the simulator lists, a valid fault spec.
 * `check` and `run` both call it, so a config `check` accepts does not die in `run` with a stack trace. Reads the feed
 * files; writes nothing.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Either } from 'effect';
import type { AppConfig } from '../config/schema.ts';
import { ConfigError } from '../domain/errors.ts';
import { SIM_SYMBOLS, simInstrument } from '../venues/sim/catalogue.ts';
import { parseFaultSpec } from '../venues/sim/faults.ts';
import { BarsCsvError, loadBarsCsv } from '../venues/sim/replay/loadBarsCsv.ts';

/** One preflight problem, in the shape ConfigError carries. */
export interface PreflightIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Returns whether a run of this config starts the built-in simulator in-process and replays `sim.feeds` (a `sim`
 * environment without `simUrl`); an external `tradewarden sim` at `simUrl` brings its own data and instruments.
 */
export const startsInProcessSimulator = (config: AppConfig): boolean => config.venues.bybit.environment === 'sim' && config.venues.bybit.simUrl.trim() === '';

const feedFileProblem = (file: string): string | undefined => {
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no such file ${file} (relative paths resolve against ${resolve('.')})` : `cannot read ${file} (${code ?? 'error'})`;
  }
  if (!stat.isFile()) return `${file} is not a regular file (a bars CSV is needed)`;
  try {
    loadBarsCsv(file);
  } catch (e) {
    if (e instanceof BarsCsvError) {
      const where = e.line > 0 ? `line ${String(e.line)}: ` : '';
      return `${file} is not a bars CSV (${where}${e.reason}: ${e.detail})`;
    }
    return `${file} cannot be loaded (${e instanceof Error ? e.message : String(e)})`;
  }
  return undefined;
};

/**
 * A run over the Bybit wire protocol (accelerated clock or external simulator) scales the venue clock gate by the
 * replay speed (`risk.clock.*Ms × sim.speed`, src/app/paperLoopback.ts), and the adapter takes whole milliseconds
 * only: a speed such as 0.29 would end that run with a decode error at start-up.
 */
const loopbackClockIssues = (config: AppConfig): PreflightIssue[] => {
  if (config.venues.bybit.environment !== 'sim' || (config.sim.clock !== 'accelerated' && config.venues.bybit.simUrl.trim() === '')) return [];
  const { blockAboveMs, resumeAtOrBelowMs } = config.risk.clock;
  const speed = config.sim.speed;
  const whole = (ms: number): boolean => Number.isSafeInteger(ms * speed);
  if (whole(blockAboveMs) && whole(resumeAtOrBelowMs) && blockAboveMs * speed >= 1) return [];
  return [{ path: 'sim.speed', message: `at speed ${String(speed)} the clock gate (risk.clock.blockAboveMs ${String(blockAboveMs)}, resumeAtOrBelowMs ${String(resumeAtOrBelowMs)}) is not a whole number of venue ms; use a whole-number speed` }];
};

/**
 * Returns every reason the config cannot start a session (empty when it can). For an in-process simulator run: each
 * configured symbol is one the simulator lists and has exactly one `sim.feeds` entry whose file is a readable regular
 * file that parses as at least one bar, and a non-empty `sim.faults` spec parses. For a run over the wire protocol:
 * the clock gate scaled by the replay speed is whole milliseconds.
 */
export const preflightConfig = (config: AppConfig): ReadonlyArray<PreflightIssue> => {
  const issues: PreflightIssue[] = [...loopbackClockIssues(config)];
  if (!startsInProcessSimulator(config)) return issues;
  config.symbols.forEach((symbol, i) => {
    if (simInstrument(symbol) === undefined) {
      issues.push({ path: `symbols.${String(i)}`, message: `the simulator has no instrument ${symbol} (available: ${SIM_SYMBOLS.join(', ')})` });
    }
    const feeds = config.sim.feeds.filter((f) => f.symbol === symbol);
    if (feeds.length === 0) issues.push({ path: `symbols.${String(i)}`, message: `no sim.feeds entry replays bars for ${symbol}` });
    if (feeds.length > 1) issues.push({ path: `symbols.${String(i)}`, message: `${String(feeds.length)} sim.feeds entries for ${symbol}; one per symbol` });
  });
  config.sim.feeds.forEach((feed, i) => {
    if (!config.symbols.includes(feed.symbol)) return; // an unused feed is never read
    const problem = feedFileProblem(feed.file);
    if (problem !== undefined) issues.push({ path: `sim.feeds.${String(i)}.file`, message: problem });
  });
  if (config.sim.faults.trim() !== '') {
    const faults = parseFaultSpec(config.sim.faults);
    if (Either.isLeft(faults)) issues.push({ path: 'sim.faults', message: faults.left });
  }
  return issues;
};

/** Returns the preflight problems of a config as one ConfigError (exit 2), or undefined when it may start. */
export const preflightRefusal = (file: string, config: AppConfig): ConfigError | undefined => {
  const issues = preflightConfig(config);
  return issues.length === 0 ? undefined : new ConfigError({ file, issues });
};
