/**
 * S0-18's source channel name and IM confirmed, end to end (issue 16, X-NTF-4): a followed signal and a strategy's own
 * entry go through the real intake `act`, DecisionLoop, RiskEngine, VenueRuntime, trade actor and ExecutionEngine over
 * the in-process simulator (account leverage x5, set at start without a read-back), and the LifecycleNotifier reads
 * the journal they wrote. A signal's messages name its source; a strategy's its strategy id. IM confirmed is yes only
 * where the venue confirmed, read back, the leverage the IM is figured at before the entry went out (S0-4).
 */
import { describe, expect, it } from 'vitest';
import { signalAct } from '../../src/app/signalIntake.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { LifecycleNotifier } from '../../src/notify/LifecycleNotifier.ts';
import { Outbox } from '../../src/notify/Outbox.ts';
import { SignalInbox } from '../../src/signals/intake/SignalInbox.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/engine/SimExchange.ts';
import { makeHarness, startedLoop, type Harness } from '../runtime/harness.ts';
import { onceStrategy } from '../support/onceStrategy.ts';

type Payload = Record<string, unknown>;

const buyOnce = onceStrategy({ side: 'buy', ttlMs: 10_000 });

/** The notifier of the harness's account, queueing ORDER_PLACED and POSITION_OPENED into its journal. */
const notifierOn = (hx: Harness): LifecycleNotifier => {
  const logger = silentLogger(hx.clock);
  const outbox = new Outbox({
    account: 'main', journal: hx.journal, channels: new Map([['telegram', { name: 'telegram', deliver: () => Promise.resolve() }]]), scheduler: virtualScheduler(hx.clock),
    max: 100, timeoutMs: 1000, retry: { baseMs: 10, capMs: 100, maxAttempts: 3 }, random: seededRandom(1), logger,
  });
  outbox.start();
  const notifier = new LifecycleNotifier({
    account: 'main', journal: hx.journal, outbox, events: ['ORDER_PLACED', 'POSITION_OPENED'], channels: ['telegram'], settleAsset: 'USDT', triggerSource: 'mark', logger,
  });
  notifier.start();
  return notifier;
};

/** Lets the market run `ms` in 1 s steps (so the simulator can fill a resting entry), then waits for the runtime. */
const runMarket = async (hx: Harness, ms: number): Promise<void> => {
  const t0 = hx.clock.now();
  for (let t = t0 + 1_000; t <= t0 + ms; t += 1_000) {
    hx.clock.advanceTo(t);
    hx.exchange.advanceTo(t);
  }
  await hx.runtime.idle();
};

const events = (hx: Harness, type: string): Payload[] => [...hx.journal.readEvents({ type })].map((e) => e.payload as Payload);
const queuedText = (hx: Harness, key: string): string | undefined => events(hx, 'NOTIFY_QUEUED').find((q) => q['key'] === `main:${key}`)?.['text'] as string | undefined;
const tail = (text: string | undefined): string | undefined => /\nIM confirmed: \w+\nTrigger: \w+\nSource: .+$/.exec(text ?? '')?.[0];

/** Starts the harness with `strategies`, follows one CRYPTORAKETEN signal text (if any), and returns the entry's messages. */
const run = async (text: string | undefined, strategies: ReadonlyArray<Strategy<unknown>> = []) => {
  const hx = makeHarness(strategies.length === 0 ? {} : { strategies });
  try {
    const loop = await startedLoop(hx, strategies);
    const notifier = notifierOn(hx);
    if (text === undefined) loop.runCycle();
    else {
      const instruments = new Map((['BTCUSDT', 'ADAUSDT'] as const).map((s) => [s as string, bybitLinearInstrument(s)]));
      const inbox = new SignalInbox({
        journal: hx.journal, clock: hx.clock, logger: silentLogger(hx.clock), parse: { instrument: (s) => instruments.get(s) },
        act: signalAct(loop), notionalFraction: 0.01, maxAgeMs: 60_000, missingSources: [],
      });
      expect(inbox.receive({ source: 'CRYPTORAKETEN', via: 'replay', messageId: '8812', text, postedAt: hx.clock.now() })).toBe('accepted');
    }
    await hx.runtime.idle();
    await runMarket(hx, 120_000);
    notifier.pump();
    // The outbox journals what it accepted on its own timer.
    hx.clock.advanceBy(0);
    const request = events(hx, 'ORDER_REQUESTED').filter((e) => e['role'] === 'entry');
    expect(request).toHaveLength(1);
    const id = String(request[0]!['clientOrderId']);
    const sets = events(hx, 'LEVERAGE_SET').filter((e) => e['purpose'] === 'entry').map((e) => [e['clientOrderId'], e['requested'], e['result'], e['effective']]);
    return { request: request[0]!, sets, placed: queuedText(hx, `ORDER_PLACED:${id}`), opened: queuedText(hx, `POSITION_OPENED:${id}`), refusals: notifier.refusals() };
  } finally {
    await hx.runtime.stop('test');
    hx.journal.close();
  }
};

describe('the source and IM confirmed of real entries (S0-18, X-NTF-4)', () => {
  it('S0-18 X-NTF-4 a followed signal\'s ORDER_PLACED and POSITION_OPENED show Source: CRYPTORAKETEN and IM confirmed yes: its x8.25 was set and read back before the entry', async () => {
    const r = await run('#BTCUSDT SHORT DYNAMIC\nEntry: 17210\nTP1: 17000\nSL: 17400\nLeverage: x8.25');
    // The order itself carries the intake's strategy id: the name comes from the signal's journaled outcome.
    expect(r.request['strategyId']).toBe('signals');
    expect(r.sets).toEqual([[r.request['clientOrderId'], '8.25', 'set', '8.25']]);
    for (const text of [r.placed, r.opened]) {
      expect(text).toContain('\nLeverage: x8.25\n');
      expect(tail(text)).toBe('\nIM confirmed: yes\nTrigger: Mark\nSource: CRYPTORAKETEN');
    }
    expect(r.refusals).toBe(0);
  });

  it('S0-4 S0-18 X-NTF-4 a followed signal at the account\'s x5 does not trust the start-up set (never read back): x5 is set and read back before the entry, so IM confirmed yes, Source: CRYPTORAKETEN', async () => {
    const r = await run('#BTCUSDT LONG FIXED\nEntry: 17210\nTP1: 17400\nSL: 17000\nLeverage: x5');
    expect(r.sets).toEqual([[r.request['clientOrderId'], '5', 'set', '5']]);
    expect(r.placed).toContain('\nLeverage: x5.00\n');
    expect(tail(r.placed)).toBe('\nIM confirmed: yes\nTrigger: Mark\nSource: CRYPTORAKETEN');
  });

  it('S0-18 X-NTF-4 a strategy\'s own entry shows its strategy id as the source, and IM confirmed no (it trades at the account\'s leverage)', async () => {
    const r = await run(undefined, [buyOnce as Strategy<unknown>]);
    expect(r.request['strategyId']).toBe('once');
    expect(r.sets).toEqual([]);
    expect(tail(r.placed)).toBe('\nIM confirmed: no\nTrigger: Mark\nSource: once');
    expect(r.refusals).toBe(0);
  });
});
