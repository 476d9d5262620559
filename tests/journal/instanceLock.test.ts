/** The single-instance lock (X-RT-6) across real processes and within one process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceLockError, acquireInstanceLock } from '../../src/journal/instanceLock.ts';
import { tempDir } from './fixtures.ts';

const CHILD = fileURLToPath(new URL('../support/instanceLockChild.ts', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  /** The first stdout line: `acquired <pid>` or `refused <message>`. */
  readonly line: Promise<string>;
  readonly exit: Promise<number | null>;
}

const start = (dataDir: string): Started => {
  const child = spawn(process.execPath, [CHILD, dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const line = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`child exited (${String(code)}) before reporting; stdout: ${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, line, exit };
};

let tmp: ReturnType<typeof tempDir>;
const children: ChildProcess[] = [];
beforeEach(() => {
  tmp = tempDir('lock');
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  tmp.cleanup();
});

describe('single-instance lock', () => {
  it('X-RT-6 two processes started together: exactly one proceeds, the other exits non-zero with "single-instance lock"', async () => {
    const a = start(tmp.dir);
    const b = start(tmp.dir);
    children.push(a.child, b.child);
    const lines = await Promise.all([a.line, b.line]);
    const winners = lines.filter((l) => l.startsWith('acquired'));
    expect(winners).toHaveLength(1);
    const loser = lines[0]?.startsWith('acquired') === true ? b : a;
    const loserLine = lines[0]?.startsWith('acquired') === true ? lines[1] : lines[0];
    expect(loserLine).toMatch(/^refused single-instance lock: /);
    expect(await loser.exit).toBe(3);
  });

  it('X-RT-6 after the holder is SIGKILLed a new process acquires the lock', async () => {
    const holder = start(tmp.dir);
    children.push(holder.child);
    expect(await holder.line).toMatch(/^acquired/);
    const blocked = start(tmp.dir);
    children.push(blocked.child);
    expect(await blocked.line).toMatch(/single-instance lock/);
    holder.child.kill('SIGKILL');
    await holder.exit;
    const next = start(tmp.dir);
    children.push(next.child);
    expect(await next.line).toMatch(/^acquired/);
    next.child.stdin?.end();
    expect(await next.exit).toBe(0);
  });

  it('X-RT-6 a second acquisition in the same process fails with a typed error until release', () => {
    const lock = acquireInstanceLock(tmp.file('data'));
    let caught: unknown;
    try {
      acquireInstanceLock(tmp.file('data'));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InstanceLockError);
    expect((caught as InstanceLockError).reason).toBe('held');
    expect((caught as InstanceLockError).message).toContain('single-instance lock');
    lock.release();
    lock.release();
    const again = acquireInstanceLock(tmp.file('data'));
    again.release();
  });

  it('different data directories do not contend', () => {
    const a = acquireInstanceLock(tmp.file('one'));
    const b = acquireInstanceLock(tmp.file('two'));
    a.release();
    b.release();
  });
});
