/**
 * `tradewarden check --config <file> [--strategy-path <dir>] [--json]`: validates a config file — schema, mode/endpoint
 * fit (X-MOD-7), the run preflight (feeds, simulator symbols; for a backtest config its data files and instruments)
 * and the strategy sections (each a built-in's or a loaded user strategy's, with parameters its module accepts) — and
 * prints every problem; exit 0, 2 or 3. Never starts a session. With `--json`, stdout carries one document:
 * `{ config, verdict, valid, problems, … }`.
 */
import { Either } from 'effect';
import { isBacktestConfig, preflightBacktest } from '../../app/backtest.ts';
import { preflightConfig } from '../../app/preflight.ts';
import { resolveRunStrategies } from '../../app/strategyPath.ts';
import { loadConfigFile, modeEndpointIssues } from '../../config/load.ts';
import { ConfigError } from '../../domain/errors.ts';
import { ExitCode, type CliIo } from '../io.ts';

/** The flags of `check` besides `--config`. */
export interface CheckOptions {
  readonly strategyPath?: string | undefined;
  readonly json?: boolean | undefined;
}

/** The `--json` document of check. */
export interface CheckReport {
  readonly config: string;
  /** valid (exit 0), invalid (exit 2: every problem listed) or refused (exit 3: a safety refusal, e.g. a plaintext secret). */
  readonly verdict: 'valid' | 'invalid' | 'refused';
  readonly valid: boolean;
  readonly problems: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  readonly refusal?: { readonly code: string; readonly detail: string };
  readonly profile?: string;
  readonly mode?: string;
  readonly hash?: string;
}

/** Runs the check command. */
export const checkCommand = async (io: CliIo, configFile: string, opts: CheckOptions = {}): Promise<number> => {
  const report = (r: CheckReport, text: () => void): number => {
    if (opts.json === true) io.out(JSON.stringify(r, null, 2));
    else text();
    return r.verdict === 'valid' ? ExitCode.ok : r.verdict === 'refused' ? ExitCode.safetyRefusal : ExitCode.usage;
  };
  const loaded = loadConfigFile(configFile);
  if (Either.isLeft(loaded)) {
    const e = loaded.left;
    const r: CheckReport = e._tag === 'SafetyRefusal'
      ? { config: configFile, verdict: 'refused', valid: false, problems: [], refusal: { code: e.code, detail: e.detail } }
      : { config: configFile, verdict: 'invalid', valid: false, problems: e.issues };
    return report(r, () => io.err(e.message));
  }
  const { config, hash } = loaded.right;
  const strategies = await resolveRunStrategies(config, { strategyPath: opts.strategyPath, params: [] });
  // A config with backtest data files is a backtest's (config/backtests/): judged as `backtest` runs it.
  const backtest = isBacktestConfig(config);
  const preflight = backtest ? preflightBacktest(config) : preflightConfig(config);
  const issues = [...modeEndpointIssues(config), ...preflight, ...(Either.isLeft(strategies) ? [{ path: 'strategies', message: strategies.left }] : [])];
  const facts = { profile: config.profile, mode: config.mode, hash };
  if (issues.length > 0) {
    return report({ config: configFile, verdict: 'invalid', valid: false, problems: issues, ...facts }, () => io.err(new ConfigError({ file: configFile, issues }).message));
  }
  return report({ config: configFile, verdict: 'valid', valid: true, problems: [], ...facts }, () => io.out(`config ok: ${configFile} (${backtest ? 'backtest, ' : ''}profile ${config.profile}, mode ${config.mode}, hash ${hash.slice(0, 12)})`));
};
