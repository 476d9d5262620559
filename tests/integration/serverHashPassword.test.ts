/**
 * `tradewarden server hash-password` (X-SEC-12): the password comes from stdin, never argv; the printed hash is the
 * scrypt format the server verifies against, and the password itself appears nowhere in the output.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/server/passwords.ts';

const run = (stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/main.js', 'server', 'hash-password'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });

describe('X-SEC-12 server hash-password', () => {
  it('prints a scrypt hash of the stdin password that verifies, and never the password', async () => {
    const password = 'correct horse battery';
    const r = await run(`${password}\n`);
    expect(r.code, r.stderr).toBe(0);
    const hash = r.stdout.trim();
    expect(hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword('wrong password', hash)).toBe(false);
    expect(`${r.stdout}${r.stderr}`).not.toContain(password);
  });

  it('refuses an empty or short password with exit 2 and says how to pass one', async () => {
    for (const input of ['', 'short\n']) {
      const r = await run(input);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('on stdin');
    }
  });
});
