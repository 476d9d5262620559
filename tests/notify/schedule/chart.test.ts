/**
 * The report chart (issue 15 item 5, S0-19): the SVG's geometry from a known curve, the PNG's header and byte-for-byte
 * determinism, a daily schedule with `chart: true` carrying the PNG of its own period's trades (none without trades
 * or without the flag), and the Telegram channel sending it with `sendPhoto` and the report as caption to the
 * loopback Bot API server.
 */
import { Redacted } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import type { Journal } from '../../../src/journal/Journal.ts';
import { telegramChannel } from '../../../src/notify/channels/telegramChannel.ts';
import { equityPng, equitySvg } from '../../../src/notify/schedule/equityChart.ts';
import { makeBotApiClient } from '../../../src/notify/telegram/BotApiClient.ts';
import { startBotApiServer } from '../../support/botApiServer.ts';
import { at, entry, postsOf, scheduleHarness, type ScheduleHarness } from './scheduleFixture.ts';

let open: ScheduleHarness[] = [];
afterEach(async () => {
  for (const h of open) await h.close();
  open = [];
});

const FROM = at('2025-06-01T00:00:00Z');
const TO = FROM + 4_000;
const curve = (...pnl: string[]) => pnl.map((p, i) => ({ ts: FROM + (i + 1) * 1_000, pnl: new Decimal(p) }));
const ihdr = (png: Buffer): [number, number] => [png.readUInt32BE(16), png.readUInt32BE(20)];

const closeTrade = (journal: Journal, symbol: string, realizedPnl: string): void => {
  journal.append(`trade:bybit:${symbol}`, 'TRADE_CLOSED', {
    type: 'position.closed', symbol, intentId: `tw-${symbol}-${String(journal.lastSeq())}`, side: 'buy', quantity: '1', entryPrice: '100', averageEntryPrice: '100',
    averageExitPrice: '101', realizedPnl, fees: '0.1', reason: 'takeProfit',
  });
};

describe('report chart', () => {
  it('S0-19 the step line starts at 0, steps at each close to the cumulative PnL, holds to the period end, and is red when the period ends below 0', () => {
    // Values 0, 1, -2, 3: low -2, high 3; 768 × 368 px inside a 16 px pad; a point per quarter of the period.
    const svg = equitySvg(curve('1', '-2', '3'), FROM, TO);
    expect(svg).toContain('<path d="M16,236.8 H208 V163.2 H400 V384 H592 V16 H784" fill="none" stroke="#2e7d32"');
    expect(svg).toContain('y1="236.8"');
    expect(equitySvg(curve('1', '-0.5'), FROM, TO)).toContain('stroke="#c62828"');
    expect(() => equitySvg([], FROM, TO)).toThrow(RangeError);
    expect(() => equitySvg(curve('1'), TO, FROM)).toThrow(RangeError);
  });

  it('S0-19 the PNG is 800 × 400, the same bytes for the same curve and different bytes for another', () => {
    const a = equityPng(curve('1', '-2', '3'), FROM, TO);
    expect(a.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(ihdr(a)).toEqual([800, 400]);
    expect(equityPng(curve('1', '-2', '3'), FROM, TO).equals(a)).toBe(true);
    expect(equityPng(curve('1', '-2', '2'), FROM, TO).equals(a)).toBe(false);
  });

  it('S0-19 X-RPT-1 a daily schedule with chart: true carries its period\'s chart; without trades or without the flag it is text only', async () => {
    const h = scheduleHarness({
      start: at('2025-06-01T00:00:00Z'),
      entries: [
        entry({ id: 'with-chart', cron: '0 8 * * *', timezone: 'UTC', report: 'daily', chart: true }),
        entry({ id: 'plain', cron: '0 8 * * *', timezone: 'UTC', report: 'daily' }),
      ],
    });
    open.push(h);
    await h.advanceTo(at('2025-06-01T08:30:00Z'));
    // The first period had no trades: no chart even with the flag.
    expect(postsOf(h, 'with-chart').map((m) => m.image)).toEqual([undefined]);
    await h.advanceTo(at('2025-06-01T12:00:00Z'));
    closeTrade(h.journal, 'BTCUSDT', '2');
    await h.advanceTo(at('2025-06-01T18:00:00Z'));
    closeTrade(h.journal, 'ETHUSDT', '-0.5');
    await h.advanceTo(at('2025-06-02T08:30:00Z'));
    const day = postsOf(h, 'with-chart')[1]!;
    expect(ihdr(day.image!)).toEqual([800, 400]);
    const from = at('2025-06-01T08:00:00Z');
    const to = at('2025-06-02T08:00:00Z');
    const expected = equityPng([{ ts: at('2025-06-01T12:00:00Z'), pnl: new Decimal(2) }, { ts: at('2025-06-01T18:00:00Z'), pnl: new Decimal('1.5') }], from, to);
    expect(day.image!.equals(expected)).toBe(true);
    expect(postsOf(h, 'plain').map((m) => m.image)).toEqual([undefined, undefined]);
  });

  it('S0-19 X-NTF-1 the Telegram channel sends a report with a chart as sendPhoto, the report text as its caption', async () => {
    const server = await startBotApiServer();
    const client = makeBotApiClient({ apiBaseUrl: server.url, token: Redacted.make(server.token), timeoutMs: 5_000 });
    try {
      const image = equityPng(curve('1', '2'), FROM, TO);
      const channel = telegramChannel(client, ['-1001']);
      await channel.deliver({ key: 'schedule:daily:x', template: 'DAILY_REPORT', text: '📊 DAILY REPORT 2025-06-01 (UTC)\nTrades: 2', critical: false, fields: {}, image }, new AbortController().signal);
      expect(server.messages).toMatchObject([{ method: 'sendPhoto', chatId: '-1001', photo: { contentType: 'image/png', bytes: image.length, isPng: true } }]);
      // multipart/form-data encodes a field's line breaks as CRLF (the Fetch standard); Telegram shows either as one.
      expect(server.messages[0]!.text.replace(/\r\n/g, '\n')).toBe('📊 DAILY REPORT 2025-06-01 (UTC)\nTrades: 2');
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
