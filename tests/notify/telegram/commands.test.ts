/**
 * The Telegram commands' parsing and replies (issue 15 item 4, S1-19, X-NTF-4): every command parses, malformed ones
 * get a polite usage line, other bots' commands and plain text are left alone; replies are built from the StatusView
 * with its decimal strings, `/profit <days>` and `/daily` from the journal's closed trades (local days, DST-correct);
 * `/stop`, `/start` and `/forceexit` go to the control service with `who: telegram:<chat>` and a reason, and a
 * refusal is replied as such.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../../src/journal/Journal.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import type { ControlOutcome, ControlRequester, OpsSource } from '../../../src/ops/types.ts';
import { parseCommand, runCommand, type TelegramCommand } from '../../../src/notify/telegram/commands.ts';
import { opsSourceOf, sampleStatus } from '../../support/statusViews.ts';

const journals: Journal[] = [];
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
});

/** A source whose control service records what it was asked and answers with `answer`. */
const controlled = (answer: ControlOutcome) => {
  const calls: Array<{ action: string; symbol?: string; req: ControlRequester & { flatten?: boolean } }> = [];
  const base = opsSourceOf(() => sampleStatus());
  const source: OpsSource = {
    ...base,
    control: {
      ...base.control,
      kill: (req) => (calls.push({ action: 'kill', req }), Promise.resolve(answer)),
      resume: (req) => (calls.push({ action: 'resume', req }), Promise.resolve(answer)),
      flatten: (symbol, req) => (calls.push({ action: 'flatten', symbol, req }), Promise.resolve(answer)),
    },
  };
  return { source, calls };
};

const command = (text: string): TelegramCommand => {
  const p = parseCommand(text);
  if (p === undefined || !p.ok) throw new Error(`${text} did not parse: ${JSON.stringify(p)}`);
  return p.command;
};

describe('parsing', () => {
  it('S1-19 parses every command, with arguments, bot suffixes and any case', () => {
    expect(['/status', '/positions', '/balance', '/help', '/STATUS'].map(command)).toEqual([{ kind: 'status' }, { kind: 'positions' }, { kind: 'balance' }, { kind: 'help' }, { kind: 'status' }]);
    expect(command('/profit')).toEqual({ kind: 'profit', days: undefined });
    expect(command('/profit 7')).toEqual({ kind: 'profit', days: 7 });
    expect(command('/daily')).toEqual({ kind: 'daily', days: 7 });
    expect(command('/daily 3')).toEqual({ kind: 'daily', days: 3 });
    expect(command('/stop')).toEqual({ kind: 'stop', reason: undefined });
    expect(command('/stop  going to lunch ')).toEqual({ kind: 'stop', reason: 'going to lunch' });
    expect(command('/start@tradewarden_bot')).toEqual({ kind: 'start', reason: undefined });
    expect(command('/forceexit #btcusdt')).toEqual({ kind: 'forceexit', symbol: 'BTCUSDT' });
    expect(parseCommand('/status@tradewarden_bot', 'TradeWarden_Bot')).toEqual({ ok: true, command: { kind: 'status' } });
  });

  it('S1-19 answers malformed and unknown commands politely, and leaves plain text and other bots\' commands alone', () => {
    expect(parseCommand('/frobnicate now')).toEqual({ ok: false, name: 'frobnicate', reply: 'Unknown command /frobnicate. Send /help for the list.' });
    expect(parseCommand('/profit lots')).toEqual({ ok: false, name: 'profit', reply: 'Usage: /profit [days], days a whole number from 1 to 365' });
    expect(parseCommand('/profit 0')).toMatchObject({ ok: false, name: 'profit' });
    expect(parseCommand('/daily 99')).toEqual({ ok: false, name: 'daily', reply: 'Usage: /daily [days], days a whole number from 1 to 31' });
    for (const t of ['/forceexit', '/forceexit BTC USDT', '/forceexit <script>']) expect(parseCommand(t)).toEqual({ ok: false, name: 'forceexit', reply: 'Usage: /forceexit <symbol>, e.g. /forceexit BTCUSDT' });
    for (const t of ['hello', '', '   ', '/', '//status', 'status /stop', `/${'x'.repeat(40)}`]) expect(parseCommand(t), t).toBeUndefined();
    expect(parseCommand('/stop@some_other_bot', 'tradewarden_bot')).toBeUndefined();
  });
});

describe('replies', () => {
  const ctx = (source: OpsSource, js: ReadonlyArray<Journal> = []) => ({ source, who: 'telegram:4242', journals: js, timeZone: 'Europe/Stockholm' });

  it('S1-19 /status, /positions, /balance and /profit answer from the StatusView with its decimal strings', async () => {
    const source = opsSourceOf(() => sampleStatus());
    expect(await runCommand({ kind: 'status' }, ctx(source))).toBe([
      'Status 2026-09-22 12:00 CEST',
      'Session: trading, PAPER, profile demo',
      'Trading: ON',
      'main: active, kill switch off, gate open',
      'Positions: 1, working orders: 1',
      'PnL: realized +12.5, unrealized +1.194, fees 0.75',
    ].join('\n'));
    expect(await runCommand({ kind: 'positions' }, ctx(source))).toBe('Open positions:\n#BTCUSDT long 0.012 @ 64000.5, mark 64100, uPnL +1.194, SL 63000, TP 65000');
    expect(await runCommand({ kind: 'positions' }, ctx(opsSourceOf(() => sampleStatus({ positions: [] }))))).toBe('No open positions.');
    expect(await runCommand({ kind: 'balance' }, ctx(source))).toBe('main: equity 100012.5 (started 100000)\nTotal equity: 100012.5, today +12.5, drawdown 0.01 %');
    expect(await runCommand({ kind: 'profit', days: undefined }, ctx(source))).toBe('Session profit: realized +12.5, fees 0.75, unrealized +1.194\nTrades: 1 (1 won, 0 lost), win rate 100 %');
    expect(await runCommand({ kind: 'help' }, ctx(source))).toMatch(/^Commands:\n\/status: .*\n\/positions: .*\n\/profit \[days\]: .*\n\/balance: .*\n\/daily \[days\]: .*\n\/stop \[reason\]: .*\n\/start \[reason\]: .*\n\/forceexit <symbol>: .*\n\/help: this list$/);
  });

  it('S1-19 /profit <days> and /daily count the journal\'s closed trades by window and by local day', async () => {
    // Trades at 23:30 and 00:30 Stockholm time around the end of March's 23-hour day, and one a week earlier.
    const clock = new VirtualClock(Date.parse('2026-03-22T12:00:00Z'));
    const journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-cmd-')), 'j.sqlite'), clock, durability: 'scratch' });
    journals.push(journal);
    const close = (iso: string, symbol: string, pnl: string, fees: string): void => {
      clock.advanceTo(Date.parse(iso));
      journal.append(`trade:bybit:${symbol}`, 'TRADE_CLOSED', {
        type: 'position.closed', symbol, intentId: `tw-${String(journal.lastSeq())}`, side: 'sell', quantity: '1', entryPrice: '10', averageEntryPrice: '10', averageExitPrice: '9', realizedPnl: pnl, fees, reason: 'takeProfit',
      });
    };
    close('2026-03-22T12:00:00Z', 'SOLUSDT', '4', '0.4');
    close('2026-03-28T22:30:00Z', 'BTCUSDT', '1.5', '0.1');
    close('2026-03-28T23:30:00Z', 'ETHUSDT', '-0.5', '0.05');
    const now = Date.parse('2026-03-29T10:00:00Z');
    const source = opsSourceOf(() => sampleStatus({ at: now }));
    expect(await runCommand({ kind: 'profit', days: 2 }, ctx(source, [journal]))).toBe('Profit, last 2 days: PnL +1, fees 0.15\nTrades: 2 (1 won, 1 lost), win rate 50 %\nBy symbol: #BTCUSDT +1.5 (1), #ETHUSDT -0.5 (1)');
    expect(await runCommand({ kind: 'profit', days: 30 }, ctx(source, [journal]))).toMatch(/^Profit, last 30 days: PnL \+5, fees 0\.55\nTrades: 3 \(2 won, 1 lost\), win rate 66\.67 %/);
    expect(await runCommand({ kind: 'daily', days: 3 }, ctx(source, [journal]))).toBe([
      'PnL per day (Europe/Stockholm):',
      '2026-03-29 (so far): 1 trades, PnL -0.5, fees 0.05',
      '2026-03-28: 1 trades, PnL +1.5, fees 0.1',
      '2026-03-27: 0 trades, PnL 0, fees 0',
    ].join('\n'));
  });

  it('S1-19 X-RSK-1 /stop, /start and /forceexit go to the control service with who and why; a refusal is replied as such', async () => {
    const ok = controlled({ ok: true, detail: 'kill switch engaged on main: 0 working orders cancelled in 3 ms' });
    expect(await runCommand(command('/stop maintenance window'), ctx(ok.source))).toBe('kill switch engaged on main: 0 working orders cancelled in 3 ms');
    await runCommand(command('/start'), ctx(ok.source));
    expect(ok.calls).toEqual([
      { action: 'kill', req: { who: 'telegram:4242', reason: 'maintenance window', flatten: false } },
      { action: 'resume', req: { who: 'telegram:4242', reason: 'telegram /start' } },
    ]);
    const refused = controlled({ ok: false, detail: 'no open position in ADAUSDT' });
    expect(await runCommand(command('/forceexit adausdt'), ctx(refused.source))).toBe('Refused: no open position in ADAUSDT');
    expect(refused.calls).toEqual([{ action: 'flatten', symbol: 'ADAUSDT', req: { who: 'telegram:4242', reason: 'telegram /forceexit ADAUSDT' } }]);
  });
});
