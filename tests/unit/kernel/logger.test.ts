import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { CRITICAL_EVENT_FIELDS, createLogger, criticalEvent, logCritical } from '../../../src/kernel/logger.ts';
import { clearSecretValues, pinoRedactPaths, registerSecretValues, scrubValue } from '../../../src/kernel/redaction.ts';

afterEach(() => clearSecretValues());

describe('X-LOG-1 JSON logs', () => {
  it('writes one parseable JSON line per call with the injected clock time', () => {
    const lines: string[] = [];
    const clock = new VirtualClock(1_670_889_600_000);
    const log = createLogger({ level: 'info', clock, targets: { memory: lines } });
    log.info({ symbol: 'BTCUSDT' }, 'hello');
    log.debug('dropped');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({ time: 1_670_889_600_000, level: 30, levelName: 'info', symbol: 'BTCUSDT', msg: 'hello' });
  });

  it('writes to a file and mirrors only lines at or above the stream level', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-log-'));
    const mirrored: string[] = [];
    const log = createLogger({ level: 'info', clock: new VirtualClock(0), targets: { file: join(dir, 'logs', 'a.jsonl'), stream: { write: (l) => mirrored.push(l), minLevel: 'warn' } } });
    log.info('info line');
    log.warn('warn line');
    const fileLines = readFileSync(join(dir, 'logs', 'a.jsonl'), 'utf8').trim().split('\n');
    expect(fileLines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['info line', 'warn line']);
    expect(mirrored.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['warn line']);
  });
});

describe('X-SEC-4 redaction', () => {
  it('redacts secret fields by path at any depth up to four levels', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', clock: new VirtualClock(0), targets: { memory: lines } });
    log.info({ apiKey: 'k-AAAA1111', req: { headers: { 'X-BAPI-SIGN': 'sig-BBBB2222', authorization: 'Bearer tok-CCCC3333' } }, nested: { a: { b: { password: 'pw-DDDD4444' } } } }, 'req');
    const out = lines.join('');
    for (const s of ['k-AAAA1111', 'sig-BBBB2222', 'tok-CCCC3333', 'pw-DDDD4444']) expect(out).not.toContain(s);
    expect(out).toContain('<redacted>');
    expect(pinoRedactPaths()).toContain('*.apiKey');
  });

  it('scrubs registered secret values and key-shaped strings from messages and unknown fields', () => {
    registerSecretValues(['canary-VALUE-9999', 'abc']);
    const lines: string[] = [];
    const log = createLogger({ level: 'info', clock: new VirtualClock(0), targets: { memory: lines } });
    log.info({ note: 'value canary-VALUE-9999 leaked', err: new Error('boom canary-VALUE-9999') }, 'msg canary-VALUE-9999');
    log.info('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- and Bearer eyJhbGciOiJFUzI1NiJ9.x.y');
    const out = lines.join('');
    expect(out).not.toContain('canary-VALUE-9999');
    expect(out).not.toContain('MHcCAQEE');
    expect(out).not.toContain('eyJhbGciOiJFUzI1NiJ9');
    expect(out).toContain('msg <redacted>');
    expect(scrubValue({ secret: 'x', list: ['canary-VALUE-9999'], n: 1 })).toEqual({ secret: '<redacted>', list: ['<redacted>'], n: 1 });
  });
});

describe('X-LOG-2 critical events', () => {
  it('carry every field, null when not applicable, never absent', () => {
    const rec = criticalEvent({ event: 'order_requested', profile: 'demo', mode: 'PAPER' }, { symbol: 'BTCUSDT', qty: '0.01' });
    expect(Object.keys(rec).sort()).toEqual([...CRITICAL_EVENT_FIELDS].sort());
    expect(rec.venue).toBeNull();
    expect(rec.qty).toBe('0.01');
    const lines: string[] = [];
    logCritical(createLogger({ level: 'info', clock: new VirtualClock(5), targets: { memory: lines } }), rec, 'warn');
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const f of CRITICAL_EVENT_FIELDS) expect(parsed).toHaveProperty(f);
    expect(parsed['level']).toBe(40);
  });
});
