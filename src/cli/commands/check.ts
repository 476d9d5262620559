/**
 * `tradewarden check --config <file>`: validates a config file — schema, mode/endpoint fit (X-MOD-7) and the run
 * preflight (feeds, simulator symbols) — and prints every problem; exit 0, 2 or 3. Never starts a session.
 */
import { Either } from 'effect';
import { preflightConfig } from '../../app/preflight.ts';
import { loadConfigFile, modeEndpointIssues } from '../../config/load.ts';
import { ConfigError } from '../../domain/errors.ts';
import { ExitCode, type CliIo } from '../io.ts';

/** Runs the check command. */
export const checkCommand = (io: CliIo, configFile: string): number => {
  const loaded = loadConfigFile(configFile);
  if (Either.isLeft(loaded)) {
    const e = loaded.left;
    io.err(e.message);
    return e._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const { config, hash } = loaded.right;
  const issues = [...modeEndpointIssues(config), ...preflightConfig(config)];
  if (issues.length > 0) {
    io.err(new ConfigError({ file: configFile, issues }).message);
    return ExitCode.usage;
  }
  io.out(`config ok: ${configFile} (profile ${config.profile}, mode ${config.mode}, hash ${hash.slice(0, 12)})`);
  return ExitCode.ok;
};
