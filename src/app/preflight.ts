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
import { simInstrument } from '../venues/sim/catalogue.ts';
import { accountsOf, sessionKindOf } from './accounts.ts';
import { parseFaultSpec } from '../venues/sim/faults.ts';
import { BarsCsvError, loadBarsCsv, type Bar } from '../venues/sim/replay/loadBarsCsv.ts';

/** One preflight problem, in the shape ConfigError carries. */
export interface PreflightIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Returns whether a run of this config starts the built-in simulator in-process and replays `sim.feeds` (every
 * account on the simulator without `simUrl`); an external `tradewarden sim` brings its own data and instruments.
 */
export const startsInProcessSimulator = (config: AppConfig): boolean => {
  const decided = sessionKindOf(config);
  return 'kind' in decided && (decided.kind === 'virtual' || decided.kind === 'loopback');
};

/** Loads a feed file's bars, or says why it cannot be replayed. */
const loadFeed = (file: string): { readonly bars: ReadonlyArray<Bar> } | { readonly problem: string } => {
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `no such file ${file} (relative paths resolve against ${resolve('.')})` : `cannot read ${file} (${code ?? 'error'})` };
  }
  if (!stat.isFile()) return { problem: `${file} is not a regular file (a bars CSV is needed)` };
  try {
    return { bars: loadBarsCsv(file) };
  } catch (e) {
    if (e instanceof BarsCsvError) {
      const where = e.line > 0 ? `line ${String(e.line)}: ` : '';
      return { problem: `${file} is not a bars CSV (${where}${e.reason}: ${e.detail})` };
    }
    return { problem: `${file} cannot be loaded (${e instanceof Error ? e.message : String(e)})` };
  }
};

/**
 * A run over a venue's wire protocol (accelerated clock or external simulator) scales the venue clock gate by the
 * replay speed (`risk.clock.*Ms × sim.speed`, src/app/session.ts), and the adapter takes whole milliseconds
 * only: a speed such as 0.29 would end that run with a decode error at start-up.
 */
const loopbackClockIssues = (config: AppConfig): PreflightIssue[] => {
  const decided = sessionKindOf(config);
  if (!('kind' in decided) || decided.kind === 'virtual' || decided.kind === 'venue') return [];
  const { blockAboveMs, resumeAtOrBelowMs } = config.risk.clock;
  const speed = config.sim.speed;
  const whole = (ms: number): boolean => Number.isSafeInteger(ms * speed);
  if (whole(blockAboveMs) && whole(resumeAtOrBelowMs) && blockAboveMs * speed >= 1) return [];
  return [{ path: 'sim.speed', message: `at speed ${String(speed)} the clock gate (risk.clock.blockAboveMs ${String(blockAboveMs)}, resumeAtOrBelowMs ${String(resumeAtOrBelowMs)}) is not a whole number of venue ms; use a whole-number speed` }];
};

/** An external simulator opens only the accounts it documents (`tradewarden sim`: main and second). */
const externalAccountIssues = (config: AppConfig): PreflightIssue[] =>
  accountsOf(config).flatMap((a) =>
    a.simUrl !== '' && a.binding.simCredentials(a.simAccount) === undefined
      ? [{ path: `venues.${a.name}.simAccount`, message: `an external simulator opens only its documented accounts (main, second); set simAccount to one of them` }]
      : [],
  );

/**
 * Returns every reason the config cannot start a session (empty when it can). For an in-process simulator run: each
 * configured symbol is one the simulator lists and has exactly one `sim.feeds` entry whose file is a readable regular
 * file that parses as at least one bar, and a non-empty `sim.faults` spec parses. For a run over the wire protocol:
 * the clock gate scaled by the replay speed is whole milliseconds.
 */
export const preflightConfig = (config: AppConfig): ReadonlyArray<PreflightIssue> => {
  const decided = sessionKindOf(config);
  if ('problem' in decided) return [{ path: decided.path, message: decided.problem }];
  const issues: PreflightIssue[] = [...loopbackClockIssues(config), ...externalAccountIssues(config)];
  if (!startsInProcessSimulator(config)) return issues;
  const loaded = new Map<number, ReturnType<typeof loadFeed>>();
  const feedAt = (at: number): ReturnType<typeof loadFeed> => {
    let feed = loaded.get(at);
    if (feed === undefined) loaded.set(at, (feed = loadFeed(config.sim.feeds[at]!.file)));
    return feed;
  };
  for (const a of accountsOf(config)) {
    a.symbols.forEach((symbol, i) => {
      const path = `venues.${a.name}.symbols.${String(i)}`;
      const feeds = config.sim.feeds.flatMap((f, at) => (f.symbol === symbol ? [at] : []));
      if (feeds.length === 0) issues.push({ path, message: `no sim.feeds entry replays bars for ${symbol}` });
      if (feeds.length > 1) issues.push({ path, message: `${String(feeds.length)} sim.feeds entries for ${symbol}; one per symbol` });
      const feed = feeds[0] === undefined ? undefined : feedAt(feeds[0]);
      // A symbol the venue's profile does not list is listed from its data (the profile's rule), or refused here.
      if (feed !== undefined && 'bars' in feed && simInstrument(symbol, a.binding.simProfile, feed.bars) === undefined) {
        issues.push({ path, message: `the ${a.binding.label} simulator cannot list ${symbol} (not in its table, and its rule does not fit the data)` });
      }
    });
  }
  for (const [at, feed] of [...loaded].sort(([x], [y]) => x - y)) {
    if ('problem' in feed) issues.push({ path: `sim.feeds.${String(at)}.file`, message: feed.problem });
  }
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
