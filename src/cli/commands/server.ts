/**
 * `tradewarden server hash-password`: reads a dashboard password from stdin (one line; never from the command line,
 * where it would land in the shell history and the process list) and prints its scrypt hash for
 * `TW_DASHBOARD_PASSWORD_HASH`. The password itself is never printed or logged.
 */
import { createInterface } from 'node:readline';
import { hashPassword } from '../../server/passwords.ts';
import { ExitCode, type CliIo } from '../io.ts';

/** Reads the first line of stdin, or undefined when stdin ends before one. */
const firstLine = (): Promise<string | undefined> =>
  new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let line: string | undefined;
    rl.once('line', (l) => {
      line = l;
      rl.close();
    });
    rl.once('close', () => resolve(line));
  });

/** Runs `server hash-password`. */
export const hashPasswordCommand = async (io: CliIo): Promise<number> => {
  const password = await firstLine();
  if (password === undefined || password.length < 8) {
    io.err('server hash-password: write the password (at least 8 characters) as one line on stdin, e.g. `read -rs PW; printf "%s\\n" "$PW" | tradewarden server hash-password`');
    return ExitCode.usage;
  }
  io.out(await hashPassword(password));
  return ExitCode.ok;
};
