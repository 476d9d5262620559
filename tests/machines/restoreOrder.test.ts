/**
 * A trade actor restored from the journal behaves as the live one (S0-16, X-REC-1): the journal stores snapshots as
 * canonical, key-sorted JSON, which lists the chart's parallel regions alphabetically (`orders` last), and XState runs
 * a snapshot's regions in the order of its state-value keys. Restored through `inDocumentOrder`, the cycle's order
 * ledger again sees each fill before the lifecycle records it, so a split entry's part that fills after a restart
 * sends the next part, exactly as without the restart.
 */
import { createActor, type EventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { inDocumentOrder, lifecycleState, tradeMachine } from '../../machines/trade/tradeMachine.ts';
import type { TradeEvent } from '../../machines/trade/tradeTypes.ts';
import { canonicalJson } from '../../src/journal/canonical.ts';
import { acc, fill, openSplit, paused, resumed } from './tradeFixtures.ts';

const input = { symbol: 'BTCUSDT', cooldownMs: 1_000, maxProtectionAttempts: 3, queryRetryMs: 500, killFlatten: false };

/** Runs `before`, then (restored from canonical JSON when asked) `after`; returns the states and the orders sent after. */
const run = (before: ReadonlyArray<TradeEvent>, after: ReadonlyArray<TradeEvent>, restore: 'none' | 'inDocumentOrder') => {
  let actor = createActor(tradeMachine, { input });
  actor.start();
  for (const e of before) actor.send(e);
  if (restore !== 'none') {
    const stored: unknown = JSON.parse(canonicalJson(actor.getPersistedSnapshot()));
    actor.stop();
    actor = createActor(tradeMachine, { input, snapshot: inDocumentOrder(stored) as never });
    actor.start();
  }
  const sent: string[] = [];
  actor.on('*', (e: EventObject) => {
    if (e.type === 'order.submit') sent.push((e as unknown as { clientOrderId: string }).clientOrderId);
  });
  const states = after.map((e) => {
    actor.send(e);
    return lifecycleState(actor.getSnapshot());
  });
  return { states, sent, orderFilled: actor.getSnapshot().context.orderFilled };
};

describe('S0-16 X-REC-1 a restored trade actor counts its orders\' fills like the live one', () => {
  const before = [openSplit, acc('c1')];
  const after = [paused, resumed, fill('c1', 't1', '0.5'), fill('c1', 't2', '0.5')];

  it('S0-16 X-REC-1 a part of a split entry that fills after the restore sends the next part (c1-p1), as without a restart', () => {
    const live = run(before, after, 'none');
    const restored = run(before, after, 'inDocumentOrder');
    expect(live.states.at(-1)).toBe('submitting');
    expect(live.sent).toEqual(['c1-p1']);
    expect(restored).toEqual(live);
    expect(restored.orderFilled).toEqual({ c1: '1' });
  });

  it('X-REC-1 the stored snapshot lists the regions sorted; inDocumentOrder puts them back in the chart\'s order and keeps the rest', () => {
    const actor = createActor(tradeMachine, { input });
    actor.start();
    actor.send(openSplit);
    const stored = JSON.parse(canonicalJson(actor.getPersistedSnapshot())) as { value: Record<string, unknown>; context: unknown };
    expect(Object.keys(stored.value)).toEqual(['control', 'entries', 'lifecycle', 'orders']);
    const restored = inDocumentOrder(stored) as typeof stored;
    expect(Object.keys(restored.value)).toEqual(Object.keys(tradeMachine.root.states));
    expect(restored.value).toEqual(stored.value);
    expect(restored.context).toBe(stored.context);
    expect(inDocumentOrder(null)).toBeNull();
  });
});
