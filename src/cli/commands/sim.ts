/**
 * `tradewarden sim --venue <kind> --port <p> [--data <file>] [--speed <x>] [--seed <n>] [--faults <spec>]`: starts the
 * venue simulator on 127.0.0.1 and serves until SIGINT/SIGTERM. Prints `listening http://127.0.0.1:<p>` once ready.
 */
import { Either } from 'effect';
import { parseSimArgs, runSim } from '../../app/sim.ts';
import { bindingNamed } from '../../app/venues.ts';
import { ExitCode, type CliIo } from '../io.ts';

/** Runs the sim command; resolves with the exit code after a signal stops the simulator. */
export const simCommand = async (io: CliIo, args: ReadonlyArray<string>): Promise<number> => {
  const parsed = parseSimArgs(args);
  if (Either.isLeft(parsed)) {
    io.err(parsed.left);
    return ExitCode.usage;
  }
  const sim = await runSim(parsed.right);
  io.out(`listening ${sim.server.url}`);
  const keys = parsed.right.apiKeys ?? bindingNamed(parsed.right.venue)?.simDefaults.apiKeys ?? [];
  io.out(`simulator-only api keys: ${keys.map((k) => `${k.key} / ${k.secret} (account ${k.account})`).join(', ')}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sim.stop();
  io.out('simulator stopped');
  return ExitCode.ok;
};
