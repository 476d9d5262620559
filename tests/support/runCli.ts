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

/**
 * Runs `node dist/main.js <args>` (in `env` when given, else this process's environment) and resolves when it exits.
 * With `timeoutMs`, a run still going then is killed (SIGKILL) and resolves with code null and a last stderr line
 * saying so, so a test that expected it to refuse fails with the run's own output instead of timing out.
 */
export const runCli = (args: ReadonlyArray<string>, env?: Readonly<Record<string, string>>, timeoutMs?: number): Promise<CliRun> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(env === undefined ? {} : { env }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      stderr += `\n[runCli] still running after ${String(timeoutMs)} ms: killed\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

/** The outcome of one in-process CLI run: the exit code and the lines written to stdout and stderr, joined. */
export interface InProcessRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI's `main` in this process with `args`, collecting what it writes (no child process, no build needed). */
export const runMain = async (args: ReadonlyArray<string>): Promise<InProcessRun> => {
  const { main } = await import('../../src/cli/main.ts');
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};
