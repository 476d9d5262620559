/**
 * `tradewarden signals parse` on the built CLI (issue 16 item 2): a file of channel messages separated by `---`, or
 * stdin, each parsed against the simulator's Bybit instruments (and `--tick` ones); what it would do is printed per
 * message, the reason for every refusal is named, and the exit code says whether any was refused (0 / 1; 2 usage).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/runCli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tw-signals-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Runs `node dist/main.js <args>` with `stdin` written to its standard input. */
const runWithStdin = (args: ReadonlyArray<string>, stdin: string): Promise<CliRun> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/main.js', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });

const VALID = '#BTCUSDT LONG SWING\nEntry: 68000 - 67500\nTP1: 69000\nTP2: 70000\nSL: 66000';
const NO_STOP = '🚀 ADA/USDT SHORT\nMode: Dynamic\nSell @ 0.4500\nTargets: 0.44, 0.43\nLev 8.25x';
const FAST = '#BTCUSDT LONG FAST\nEntry 68000\nTP 69000';
const USDC = '#BTCUSDC LONG SWING\nEntry 68000\nTP 69000';
const UPSIDE_DOWN = '#BTCUSDT LONG SWING\nEntry 68000\nTP1 67000\nSL 66000';

describe('S0-3 signals parse', () => {
  it('S0-3 S0-1 C-1 a file of messages: each accepted one says what it would do, each refused one names its reason; exit 1', async () => {
    const r = await runCli(['signals', 'parse', '--file', file('mixed.txt', [VALID, NO_STOP, FAST, USDC, UPSIDE_DOWN].join('\n---\n'))]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.split('\n').filter((l) => /^#\d/.test(l))).toEqual([
      '#1 accepted: BTCUSDT LONG SWING, leverage x6.00',
      '#2 accepted: ADAUSDT SHORT DYNAMIC, leverage x10.00 (locked: no stop loss in the signal)',
      '#3 refused [ModeRefused] BTCUSDT: mode FAST is not traded (only SWING, DYNAMIC and FIXED)',
      '#4 refused [QuoteRefused] BTCUSDC: BTCUSDC is quoted in USDC; only USDT-quoted symbols are traded',
      '#5 refused [ContradictoryLevels] BTCUSDT: target 67000 is not on the profit side of every entry',
    ]);
    expect(r.stdout).toContain('   entries   68000, 67500\n   targets   TP1 69000, TP2 70000\n   stop loss 66000\n');
    // 0.45 × 1.02 = 0.459 on ADAUSDT's 0.0001 tick.
    expect(r.stdout).toContain('   stop loss 0.459 (auto-SL: 2 % from 0.45)');
    expect(r.stdout).toContain('   message   “#BTCUSDT LONG FAST”');
    expect(r.stdout.trim().endsWith('5 messages: 2 accepted, 3 refused')).toBe(true);
  });

  it('S0-3 every message accepted exits 0; --json prints one document with each signal and the totals', async () => {
    const r = await runCli(['signals', 'parse', '--json', '--file', file('valid.txt', `${VALID}\n---\n${NO_STOP}\n---\n`)]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { messages: Array<Record<string, unknown>>; accepted: number; refused: number; exitCode: number };
    expect(doc).toMatchObject({ accepted: 2, refused: 0, exitCode: 0 });
    expect(doc.messages[0]).toEqual({
      index: 1,
      accepted: true,
      signal: {
        symbol: 'BTCUSDT',
        side: 'long',
        mode: 'SWING',
        entries: ['68000', '67500'],
        targets: ['69000', '70000'],
        stopLoss: '66000',
        leverage: null,
        plan: { leverage: '6.00', stopLoss: '66000', autoSl: false },
        rawHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      },
    });
    expect(doc.messages[1]).toMatchObject({ accepted: true, signal: { symbol: 'ADAUSDT', leverage: '8.25', stopLoss: null, plan: { leverage: '10.00', stopLoss: '0.459', autoSl: true } } });
  });

  it('S0-1 C-1 --json names the refusal reason and carries the operator line', async () => {
    const r = await runCli(['signals', 'parse', '--json', '--file', file('refused.txt', `${FAST}\n---\n${USDC}`)]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { messages: Array<Record<string, unknown>>; refused: number };
    expect(doc.refused).toBe(2);
    expect(doc.messages).toEqual([
      { index: 1, accepted: false, reason: 'ModeRefused', refusal: { _tag: 'ModeRefused', mode: 'FAST', symbol: 'BTCUSDT' }, text: 'Signal refused #BTCUSDT: mode FAST is not traded (only SWING, DYNAMIC and FIXED) — “#BTCUSDT LONG FAST”' },
      { index: 2, accepted: false, reason: 'QuoteRefused', refusal: { _tag: 'QuoteRefused', quote: 'USDC', symbol: 'BTCUSDC' }, text: 'Signal refused #BTCUSDC: BTCUSDC is quoted in USDC; only USDT-quoted symbols are traded — “#BTCUSDC LONG SWING”' },
    ]);
  });

  it('S0-3 `--file -` reads the messages from stdin', async () => {
    const r = await runWithStdin(['signals', 'parse', '--file', '-'], `${VALID}\r\n---\r\n${FAST}\r\n`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('#1 accepted: BTCUSDT LONG SWING, leverage x6.00');
    expect(r.stdout).toContain('#2 refused [ModeRefused]');
  });

  it('S0-3 --tick lists another …USDT perpetual on that tick; without it the symbol is unknown', async () => {
    const eth = file('eth.txt', '#ETHUSDT SHORT FIXED\nEntry: 3000.123\nTP1: 2900.456\nSL: 3100\nLeverage: x10');
    const unknown = await runCli(['signals', 'parse', '--file', eth]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('#1 refused [UnknownSymbol] ETHUSDT: ETHUSDT is not listed on the venue');
    const listed = await runCli(['signals', 'parse', '--file', eth, '--tick', 'ethusdt=0.01']);
    expect(listed.code, listed.stdout).toBe(0);
    // A short's entry snaps up (passive), the target to the nearest tick.
    expect(listed.stdout).toContain('   entries   3000.13\n   targets   TP1 2900.46\n');
  });

  it('S0-3 usage errors exit 2: no --file, an unreadable file, a bad --tick, no message at all, a positional file', async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [['signals', 'parse'], 'signals parse needs --file'],
      [['signals', 'parse', '--file', join(dir, 'missing.txt')], 'cannot read'],
      [['signals', 'parse', '--file', file('ok.txt', VALID), '--tick', 'ETH=0.01'], 'expected SYMBOL=TICK'],
      [['signals', 'parse', '--file', file('ok2.txt', VALID), '--tick', 'ETHUSDT=-1'], 'the tick must be a positive decimal'],
      [['signals', 'parse', '--file', file('blank.txt', '\n---\n  \n---\n')], 'no message in'],
      [['signals', 'parse', file('positional.txt', VALID)], "Unexpected argument"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toContain(message);
    }
  });
});
