/**
 * The S0 profile end to end (issue 16 item 6 and its first acceptance item): config/profiles/s0-bybit-signal.yaml as
 * shipped runs PAPER on its virtual clock over the bundled 2022-12-13 bars and follows the bundled replay
 * (data/signals/s0-replay-2022-12-13.jsonl). The only test overrides point Telegram at a loopback Bot API server and
 * hand its token in through the secrets gateway. The outcome of every message is written below from what the
 * replay's line was written to test (data/README.md), not from an earlier run; the journal and the messages the
 * Bot API server received must match it exactly. The built CLI runs the same file to its report.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { dec } from '../../src/domain/money.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSession, type SessionResult } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { excerptOf } from '../../src/signals/refusalText.ts';
import { parseSignal } from '../../src/signals/parseSignal.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/engine/SimExchange.ts';
import { startBotApiServer, type BotApiServer } from '../support/botApiServer.ts';
import { runCli } from '../support/runCli.ts';

const PROFILE = 'config/profiles/s0-bybit-signal.yaml';
const REPORT_CHAT = '4242';

type Expected =
  | { readonly key: string; readonly outcome: 'accepted'; readonly symbol: string; readonly side: 'buy' | 'sell'; readonly leverage: string; readonly autoSl?: true }
  | { readonly key: string; readonly outcome: 'refused'; readonly reason: string; readonly symbol: string | undefined; readonly because: string }
  | { readonly key: string; readonly outcome: 'duplicate'; readonly symbol: string };

const accepted = (key: string, symbol: string, side: 'buy' | 'sell', leverage: string, autoSl?: true): Expected => ({ key, outcome: 'accepted', symbol, side, leverage, ...(autoSl === undefined ? {} : { autoSl }) });
const refused = (key: string, reason: string, symbol: string | undefined, because: string): Expected => ({ key, outcome: 'refused', reason, symbol, because });

/** Every journaled message of the replay, in time order, and what it was written to yield. */
const EXPECTED: ReadonlyArray<Expected> = [
  // 00:05 channel chatter.
  refused('SMART_CRYPTO:5101', 'SIGNAL_NOT_A_SIGNAL', undefined, 'it names no side, entry, target or stop loss'),
  // 00:20 a valid SWING short near the market (17168): TP1 is reached before 01:00.
  accepted('CRYPTORAKETEN:8812', 'BTCUSDT', 'sell', '6'),
  refused('LUX_LEAK:3301', 'SIGNAL_MODE_REFUSED', 'BTCUSDT', 'mode FAST is not traded (only SWING, DYNAMIC and FIXED)'),
  refused('SMART_CRYPTO:5102', 'SIGNAL_QUOTE_REFUSED', 'BTCUSDC', 'BTCUSDC is quoted in USDC; only USDT-quoted symbols are traded'),
  // 01:00 CRYPTORAKETEN:8812 again (same source, same id): dropped before it is journaled, so it has no line here.
  // 01:30 the same text under a new id: a re-post of a signal already acted on.
  { key: 'CRYPTORAKETEN:8813', outcome: 'duplicate', symbol: 'BTCUSDT' },
  // 01:45 a USDT perpetual this session does not trade (it trades BTCUSDT and ADAUSDT).
  refused('LUX_LEAK:3302', 'SIGNAL_UNKNOWN_SYMBOL', 'ETHUSDT', 'ETHUSDT is not listed by the venue'),
  refused('SMART_CRYPTO:5103', 'SIGNAL_CONTRADICTORY_LEVELS', 'ADAUSDT', 'target 0.3030 is not on the profit side of every entry'),
  // 02:45 no stop loss: S0-5's auto-SL 2 % from the OEP, leverage locked at x10.
  accepted('CRYPTORAKETEN:8820', 'BTCUSDT', 'buy', '10', true),
  refused('LUX_LEAK:3303', 'SIGNAL_MODE_REFUSED', 'ADAUSDT', 'mode SCALP is not traded (only SWING, DYNAMIC and FIXED)'),
  // 03:30 DYNAMIC without a leverage (x7.50), ADA sliding from 0.3046 to 0.3018.
  accepted('SMART_CRYPTO:5104', 'ADAUSDT', 'sell', '7.5'),
  refused('CRYPTORAKETEN:8830', 'SIGNAL_LEVERAGE_REFUSED', 'BTCUSDT', 'FIXED needs an explicit leverage'),
  refused('LUX_LEAK:3304', 'SIGNAL_LEVERAGE_REFUSED', 'ADAUSDT', 'FIXED leverage x7 lies strictly between x6 and x7.5'),
  refused('SMART_CRYPTO:5105', 'SIGNAL_BAD_NUMBER', 'BTCUSDT', '"17,150" has a comma between digits (decimal comma or thousands separator?); write 1.5 or 68500'),
  refused('CRYPTORAKETEN:8840', 'SIGNAL_LEVERAGE_REFUSED', 'BTCUSDT', 'SWING trades at x6.00, not 10x'),
  // 06:40 DYNAMIC x8.25 short at the 17193 top before the drop to 17060.
  accepted('LUX_LEAK:3305', 'BTCUSDT', 'sell', '8.25'),
  refused('SMART_CRYPTO:5106', 'SIGNAL_MODE_REFUSED', 'ADAUSDT', 'mode SCALPING is not traded (only SWING, DYNAMIC and FIXED)'),
  refused('CRYPTORAKETEN:8850', 'SIGNAL_MODE_REFUSED', 'BTCUSDT', 'mode TURBO is unknown (only SWING, DYNAMIC and FIXED)'),
  refused('LUX_LEAK:3306', 'SIGNAL_CONTRADICTORY_LEVELS', 'BTCUSDT', 'stop loss 17120 is not on the loss side of every entry'),
  // 09:35 FIXED x5 long before the 09:59 spike to 17514.
  accepted('SMART_CRYPTO:5107', 'BTCUSDT', 'buy', '5'),
  refused('CRYPTORAKETEN:8860', 'SIGNAL_MISSING_FIELD', 'BTCUSDT', 'no targets'),
  refused('LUX_LEAK:3307', 'SIGNAL_MISSING_FIELD', undefined, 'no symbol'),
  // 12:30 WHALE_PUMPS is no configured source: its message is never read.
  // 13:00 FIXED x5 long into the CPI rally (0.3073 to 0.3187).
  accepted('SMART_CRYPTO:5108', 'ADAUSDT', 'buy', '5'),
  { key: 'SMART_CRYPTO:5109', outcome: 'duplicate', symbol: 'ADAUSDT' },
  refused('CRYPTORAKETEN:8870', 'SIGNAL_CONTRADICTORY_LEVELS', 'ADAUSDT', 'target 0.3135 is out of order (TP numbers run in the profit direction)'),
  // 17:10 SWING short on the evening fade (0.3133 to 0.3070).
  accepted('LUX_LEAK:3309', 'ADAUSDT', 'sell', '6'),
];

const loaded = loadConfigFile(PROFILE);
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: profile, hash } = loaded.right;

const replayText = new Map<string, string>(
  readFileSync(profile.signals.replayFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => JSON.parse(l) as { source: string; id: string; text: string })
    .map((l) => [`${l.source}:${l.id}`, l.text] as const),
);

type Payload = Record<string, unknown>;
interface Entry {
  readonly seq: number;
  readonly type: string;
  readonly p: Payload;
}

const readJournal = (path: string): Entry[] => {
  const j = openJournal({ path, clock: { now: () => 0 }, readonly: true });
  try {
    return [...j.readEvents({})].map((e) => ({ seq: e.seq, type: e.type, p: (e.payload ?? {}) as Payload }));
  } finally {
    j.close();
  }
};

let server: BotApiServer;
let result: SessionResult;
let journal: Entry[];

beforeAll(async () => {
  server = await startBotApiServer();
  const config = {
    ...profile,
    notifications: { ...profile.notifications, telegram: { ...profile.notifications.telegram, enabled: true, apiBaseUrl: server.url, chatIds: [REPORT_CHAT] } },
  };
  result = await runSession({
    config, configHash: hash, configFile: PROFILE, dataDir: mkdtempSync(join(tmpdir(), 'tw-s0-profile-')), version: 'test', commit: null, progress: () => undefined,
    secrets: loadSecrets({ TW_TELEGRAM_BOT_TOKEN: server.token }),
  });
  journal = readJournal(result.journals['main']!);
}, 120_000);
afterAll(() => server.stop());

const ofType = (type: string): Entry[] => journal.filter((e) => e.type === type);
const acceptedOnes = EXPECTED.filter((e): e is Extract<Expected, { outcome: 'accepted' }> => e.outcome === 'accepted');
const refusedOnes = EXPECTED.filter((e): e is Extract<Expected, { outcome: 'refused' }> => e.outcome === 'refused');

describe('the S0 profile on paper over the bundled replay (issue 16)', () => {
  it('S0-2 S0-3 runs the shipped profile: PAPER on the virtual clock, the three permanent sources, the bundled replay of at least 20 signals', () => {
    expect(profile.profile).toBe('s0-bybit-signal');
    expect(profile.mode).toBe('PAPER');
    expect(profile.sim.clock).toBe('virtual');
    expect(profile.venues['main']).toMatchObject({ kind: 'bybit', environment: 'sim', symbols: ['BTCUSDT', 'ADAUSDT'] });
    expect(profile.signals.sources.map((s) => s.name)).toEqual(['CRYPTORAKETEN', 'LUX_LEAK', 'SMART_CRYPTO']);
    expect(profile.signals.replayFile).toBe('data/signals/s0-replay-2022-12-13.jsonl');
    expect(profile.notifications.telegram.enabled).toBe(false);
    expect(replayText.size).toBeGreaterThanOrEqual(20);
    expect(result.summary['stoppedBy']).toBe('end_of_data');
  });

  it('S0-1 S0-3 S0-5 C-1 journals each message once before its one outcome, exactly as the replay intends', () => {
    // The repeated id and the unconfigured source's message are never journaled.
    expect(ofType('SIGNAL_RECEIVED').map((e) => e.p['key'])).toEqual(EXPECTED.map((e) => e.key));
    const handled = ofType('SIGNAL_HANDLED');
    expect(handled.map((e) => [e.p['key'], e.p['outcome'], e.p['reason'], e.p['symbol']])).toEqual(
      EXPECTED.map((e) => [e.key, e.outcome, e.outcome === 'refused' ? e.reason : undefined, e.symbol]),
    );
    for (const e of refusedOnes) {
      const detail = handled.find((h) => h.p['key'] === e.key)!.p['detail'];
      expect(detail).toBe(`Signal refused${e.symbol === undefined ? '' : ` #${e.symbol}`}: ${e.because} — “${excerptOf(replayText.get(e.key)!)}”`);
    }
    const received = new Map(ofType('SIGNAL_RECEIVED').map((e) => [e.p['key'], e.seq]));
    for (const h of handled) expect(received.get(h.p['key'])!).toBeLessThan(h.seq);
  });

  it('S0-3 S0-5 S0-7 S0-10 X-ORD-2 an accepted signal is one approval whose two post-only legs share its quantity, the first committed with its outcome, the second after the first filled; its TP1 closes it', () => {
    const handled = new Map(ofType('SIGNAL_HANDLED').map((e) => [String(e.p['key']), e]));
    const entries = ofType('ORDER_REQUESTED').filter((e) => e.p['role'] === 'entry');
    expect(entries).toHaveLength(2 * acceptedOnes.length);
    for (const a of acceptedOnes) {
      const outcome = handled.get(a.key)!;
      const decisionId = String(outcome.p['decisionId']);
      const decision = ofType('RISK_DECISION').find((d) => d.p['decisionId'] === decisionId)!;
      expect(decision.p['kind']).toBe('approve');
      const request = entries.filter((e) => e.p['decisionId'] === decisionId);
      expect(request).toHaveLength(2);
      // S0-7: two post-only limits under their own ids (the second `-p1`), at two prices, sharing the approved quantity.
      for (const r of request) expect(r.p).toMatchObject({ symbol: a.symbol, side: a.side, orderType: 'limit', timeInForce: 'post_only', reduceOnly: false, strategyId: 'signals' });
      expect(request[1]!.p['clientOrderId']).toBe(`${String(request[0]!.p['clientOrderId'])}-p1`);
      expect(request[0]!.p['price']).not.toBe(request[1]!.p['price']);
      const approvedQuantity = String((decision.p['order'] as Payload)['quantity']);
      expect(dec(String(request[0]!.p['quantity'])).plus(dec(String(request[1]!.p['quantity']))).toString()).toBe(dec(approvedQuantity).toString());
      expect(decision.seq).toBeLessThan(request[0]!.seq);
      expect(request[0]!.seq).toBeLessThan(outcome.seq);
      const firstFilled = ofType('ORDER_FILLED').find((e) => e.p['clientOrderId'] === request[0]!.p['clientOrderId'])!;
      expect(firstFilled.seq, 'the second leg goes out once the first has filled').toBeLessThan(request[1]!.seq);
      const order = decision.p['order'] as Payload;
      // S0-5: without a stop loss in the signal, the stop is 2 % from the OEP and the trade is locked at x10.
      if (a.autoSl === true) expect(order['stopLossFraction']).toBe('0.02');
      else expect(Number(order['stopLossFraction'])).toBeLessThan(0.02);
      expect(order).toMatchObject({ leverage: a.leverage, perTradeLeverage: true, autoStopLoss: a.autoSl === true });
      // S0-4: the venue held the trade's leverage when the entry went out: the last confirmed set of the symbol before
      // the entry's ack (the account's x6 at start, or one made for this entry with the leverage read back from the venue).
      const ack = ofType('ORDER_ACKNOWLEDGED').find((e) => e.p['clientOrderId'] === request[0]!.p['clientOrderId'])!;
      const set = ofType('LEVERAGE_SET').filter((e) => e.p['symbol'] === a.symbol && e.seq < ack.seq).at(-1)!;
      expect(set.p).toMatchObject({ requested: a.leverage, result: 'set' });
      if (set.p['purpose'] === 'entry') expect(set.p).toMatchObject({ clientOrderId: request[0]!.p['clientOrderId'], effective: a.leverage });
      // S0-10: the TP and SL the venue was asked for are the signal's TP1 and SL exactly (the auto-SL: 2 % from the OEP).
      const parsed = parseSignal(replayText.get(a.key)!, { instrument: (s) => bybitLinearInstrument(s as 'BTCUSDT') });
      if (!parsed.ok) throw new Error(`${a.key} does not parse`);
      const firstSet = ofType('PROTECTION_SET').find((e) => e.p['symbol'] === a.symbol && e.seq > request[0]!.seq)!;
      expect(dec(String(firstSet.p['takeProfit'])).eq(parsed.signal.targets[0]!), `${a.key} TP`).toBe(true);
      if (a.autoSl !== true) expect(dec(String(firstSet.p['stopLoss'])).eq(parsed.signal.plan.stopLoss), `${a.key} SL`).toBe(true);
      expect((decision.p['order'] as Payload)['exactLevels']).toEqual({ takeProfit: true, stopLoss: a.autoSl !== true });
      const closed = ofType('TRADE_CLOSED').filter((t) => t.p['intentId'] === decisionId);
      expect(closed.map((t) => [t.p['symbol'], t.p['side'], t.p['reason']])).toEqual([[a.symbol, a.side, 'takeProfit']]);
    }
    expect(ofType('TRADE_CLOSED')).toHaveLength(acceptedOnes.length);
    expect(ofType('ORDER_REJECTED')).toEqual([]);
  });

  it('S0-1 S0-3 S0-18 X-ORD-2 Telegram gets ORDER_PLACED only after the venue ACK, and one ERROR per refusal with its reason', () => {
    const texts = server.messages.filter((m) => m.chatId === REPORT_CHAT).map((m) => m.text);
    const placed = texts.filter((t) => t.startsWith('🟢 ORDER PLACED'));
    const queued = ofType('NOTIFY_QUEUED');
    const entries = ofType('ORDER_REQUESTED').filter((e) => e.p['role'] === 'entry');
    // One ORDER_PLACED per leg (S0-7): both post-only.
    expect(placed).toHaveLength(2 * acceptedOnes.length);
    const legOf = (e: Entry): Extract<Expected, { outcome: 'accepted' }> => acceptedOnes.find((a) => String(ofType('SIGNAL_HANDLED').find((h) => h.p['key'] === a.key)!.p['decisionId']) === e.p['decisionId'])!;
    for (const leg of entries) {
      const a = legOf(leg);
      const clientOrderId = String(leg.p['clientOrderId']);
      const ack = ofType('ORDER_ACKNOWLEDGED').find((e) => e.p['clientOrderId'] === clientOrderId)!;
      const q = queued.find((e) => e.p['key'] === `main:ORDER_PLACED:${clientOrderId}`)!;
      expect(q.seq, `${clientOrderId} queued before its ACK`).toBeGreaterThan(ack.seq);
      const text = placed.find((t) => t.includes(`Client order ID: ${clientOrderId}\n`))!;
      expect(text.startsWith(`🟢 ORDER PLACED #${a.symbol}\nSide: ${a.side === 'buy' ? 'LONG' : 'SHORT'}\nOrder ID: ${String(ack.p['venueOrderId'])}\n`)).toBe(true);
      expect(text).toContain('\nPost-only: yes\nReduce-only: no\n');
    }
    // One ERROR per refusal, in the order they were refused, with the refusal's code and reason; none for duplicates.
    const errors = texts.filter((t) => t.startsWith('⚠️ ERROR'));
    expect(errors).toEqual(
      refusedOnes.map((e) => `⚠️ ERROR${e.symbol === undefined ? '' : ` #${e.symbol}`}\nCode: ${e.reason}\nReason: Signal refused${e.symbol === undefined ? '' : ` #${e.symbol}`}: ${e.because} — “${excerptOf(replayText.get(e.key)!)}”`),
    );
    // Every trade also opened, hit its TP1 and closed in Telegram; every lifecycle message went out once.
    for (const heading of ['📈 POSITION OPENED', '🎯 TP 1 HIT', '🏁 POSITION CLOSED']) expect(texts.filter((t) => t.startsWith(heading)), heading + JSON.stringify(texts.filter((t) => t.startsWith(heading)))).toHaveLength(acceptedOnes.length);
    const onTelegram = (e: Entry): boolean => e.p['channel'] === 'telegram' && String(e.p['key']).startsWith('main:');
    const lifecycle = queued.filter(onTelegram);
    // S0-9: one PYRAMID_STEP per ladder step a trade reached (journaled LADDER_STEP), numbered as the ladder is.
    const steps = ofType('LADDER_STEP');
    expect(steps.length).toBeGreaterThan(0);
    const pyramid = texts.filter((t) => t.startsWith('🪜 PYRAMID STEP'));
    expect(pyramid.map((t) => t.split('\n')[0])).toEqual(steps.map((l) => `🪜 PYRAMID STEP ${String(l.p['step'])} #${String(l.p['symbol'])}`));
    for (const intent of new Set(steps.map((l) => String(l.p['intentId'])))) {
      expect(steps.filter((l) => l.p['intentId'] === intent).map((l) => l.p['step']), intent).toEqual(steps.filter((l) => l.p['intentId'] === intent).map((_, i) => i + 2));
    }
    // Per trade: ORDER_PLACED for each of its two legs, POSITION OPENED, TP 1 HIT and POSITION CLOSED; and the steps.
    expect(lifecycle).toHaveLength(refusedOnes.length + 5 * acceptedOnes.length + steps.length);
    expect(new Set(lifecycle.map((q) => q.p['key'])).size).toBe(lifecycle.length);
    expect(ofType('NOTIFY_SENT').filter(onTelegram)).toHaveLength(lifecycle.length);
  });

  it('S0-3 the CLI runs the profile as shipped, shows signals, orders, fills and closes as they happen, and ends with the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-s0-cli-'));
    const run = await runCli(['run', '--config', PROFILE, '--data-dir', dir], undefined, 60_000);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`run s0-bybit-signal-\\w+-s42 finished: ${String(acceptedOnes.length)} trades \\(`));
    expect(run.stdout).toMatch(/\nreport: \S+report\.html, \S+report\.json/);
    const count = (msg: string): number => run.stderr.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
    expect(count('signal_accepted')).toBe(acceptedOnes.length);
    expect(count('signal_refused')).toBe(refusedOnes.length);
    expect(count('order_request')).toBe(2 * acceptedOnes.length);
    expect(count('order_fill')).toBeGreaterThanOrEqual(acceptedOnes.length);
    expect(run.stderr.split('\n').filter((l) => l.includes('"kind":"positionClosed"'))).toHaveLength(acceptedOnes.length);
  }, 90_000);
});
