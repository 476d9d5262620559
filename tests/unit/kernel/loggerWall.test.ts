/**
 * Log lines carry wall-clock time beside the session clock's (issue 14 item 7): `wall` from the injected wall clock,
 * none without one (a backtest's log stays byte-identical); `prettyLogLine` renders a JSON line as
 * `HH:MM:SS.mmm LEVEL msg key=value…` for humans while the file keeps the JSON.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { createLogger, prettyLogLine } from '../../../src/kernel/logger.ts';
import { clearSecretValues, registerSecretValues } from '../../../src/kernel/redaction.ts';

afterEach(() => clearSecretValues());

/** 2022-12-13T00:00:00Z: the demo's replay start (session time). */
const SESSION = 1_670_889_600_000;
/** 2026-10-01T08:15:30.250Z: the wall clock. */
const WALL = Date.parse('2026-10-01T08:15:30.250Z');

describe('X-LOG-1 wall time in log lines', () => {
  it('X-LOG-1 writes the wall clock\'s time beside the session clock\'s when a wall clock is injected, and none without one', () => {
    const session = new VirtualClock(SESSION);
    const wall = new VirtualClock(WALL);
    const lines: string[] = [];
    const log = createLogger({ level: 'info', clock: session, wall, targets: { memory: lines } });
    log.info({ symbol: 'BTCUSDT' }, 'first');
    session.advanceBy(60_000);
    wall.advanceBy(120);
    log.warn('second');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ time: SESSION, wall: WALL, msg: 'first', symbol: 'BTCUSDT' }),
      expect.objectContaining({ time: SESSION + 60_000, wall: WALL + 120, msg: 'second' }),
    ]);
    const plain: string[] = [];
    createLogger({ level: 'info', clock: session, targets: { memory: plain } }).info('deterministic');
    expect(JSON.parse(plain[0]!)).not.toHaveProperty('wall');
  });

  it('X-LOG-1 renders a line as HH:MM:SS.mmm LEVEL msg key=value (wall time, the session time as t= when it differs)', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', clock: new VirtualClock(SESSION), wall: new VirtualClock(WALL), targets: { memory: lines } });
    log.warn({ symbol: 'BTCUSDT', reason: 'quote is stale', age_ms: 5200, gates: { blocked: true } }, 'entry_vetoed');
    expect(prettyLogLine(lines[0]!)).toBe('08:15:30.250 WARN  entry_vetoed t=2022-12-13T00:00:00.000Z symbol=BTCUSDT reason="quote is stale" age_ms=5200 gates={"blocked":true}');
    // On the wall clock itself the session time adds nothing; without `wall` the line's own time is shown.
    expect(prettyLogLine(JSON.stringify({ level: 50, time: WALL, wall: WALL + 3, msg: 'alert', key: 'k' }))).toBe('08:15:30.253 ERROR alert key=k');
    expect(prettyLogLine(`${JSON.stringify({ level: 30, levelName: 'info', time: SESSION, msg: 'virtual' })}\n`)).toBe('00:00:00.000 INFO  virtual');
    // Not a JSON object: passed through as it is.
    expect(prettyLogLine('plain text line\n')).toBe('plain text line');
    expect(prettyLogLine('[1,2]')).toBe('[1,2]');
  });

  it('X-LOG-1 X-SEC-4 the file keeps JSON lines and a pretty mirror line is scrubbed of secrets like the JSON one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-logwall-'));
    try {
      registerSecretValues(['sk-live-SECRET-0123456789']);
      const mirrored: string[] = [];
      const log = createLogger({
        level: 'info', clock: new VirtualClock(SESSION), wall: new VirtualClock(WALL),
        targets: { file: join(dir, 'run.log.jsonl'), stream: { write: (l) => mirrored.push(prettyLogLine(l)), minLevel: 'warn' } },
      });
      log.info('quiet');
      log.error({ detail: 'token sk-live-SECRET-0123456789 refused' }, 'venue_auth_failed');
      const file = readFileSync(join(dir, 'run.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(file.map((r) => [r['msg'], r['wall']])).toEqual([['quiet', WALL], ['venue_auth_failed', WALL]]);
      expect(mirrored).toHaveLength(1);
      expect(mirrored[0]).toMatch(/^08:15:30\.250 ERROR venue_auth_failed t=2022-12-13T00:00:00\.000Z detail="token \S+ refused"$/);
      expect(mirrored[0]).not.toContain('SECRET');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
