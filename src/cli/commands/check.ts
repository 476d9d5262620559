/** `tradewarden check --config <file>`: validates a config file and prints every problem; exit 0, 2 or 3. */
import { Either } from 'effect';
import { loadConfigFile } from '../../config/load.ts';
import { ExitCode, type CliIo } from '../io.ts';

/** Runs the check command. */
export const checkCommand = (io: CliIo, configFile: string): number => {
  const loaded = loadConfigFile(configFile);
  if (Either.isLeft(loaded)) {
    const e = loaded.left;
    io.err(e.message);
    return e._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const { config, hash, normalizedPercents } = loaded.right;
  for (const p of normalizedPercents) io.err(`note: ${p}: bare percent number normalised to a fraction (config_pct_normalized)`);
  io.out(`config ok: ${configFile} (profile ${config.profile}, mode ${config.mode}, hash ${hash.slice(0, 12)})`);
  return ExitCode.ok;
};
