/**
 * Runs the built CLI (`dist/main.js`) as a child process on the test's Node and collects its exit code and output,
 * without blocking the test's event loop (the tests that use it serve a simulator in the same process meanwhile).
 */
import { spawn } from 'node:child_process';

/** The outcome of one CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/main.js <args>` (in `env` when given, else this process's environment) and resolves when it exits. */
export const runCli = (args: ReadonlyArray<string>, env?: Readonly<Record<string, string>>): Promise<CliRun> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(env === undefined ? {} : { env }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
