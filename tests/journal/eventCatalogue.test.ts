/**
 * The journal event catalogue (src/journal/events.ts) against real journals: every entry of a virtual demo run and of a
 * short run over the Bybit wire protocol on loopback is of a catalogued type and its payload decodes against that
 * type's schema (closed: an unnamed field is a mismatch). And the decoder refuses, readably, what does not fit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { Decimal } from '../../src/domain/money.ts';
import { decodeJournalPayload, isJournalEventType } from '../../src/journal/events.ts';
import { openJournal } from '../../src/journal/Journal.ts';

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config, hash } = loaded.right;

interface Census {
  /** Entries per type. */
  readonly types: Map<string, number>;
  /** `seq TYPE: problem` of every entry that is uncatalogued or does not decode. */
  readonly problems: string[];
  readonly entries: number;
}

// Reads every entry of every journal of a run and decodes it against the catalogue.
const census = (journals: Readonly<Record<string, string>>): Census => {
  const types = new Map<string, number>();
  const problems: string[] = [];
  let entries = 0;
  for (const [account, path] of Object.entries(journals)) {
    const journal = openJournal({ path, clock: { now: () => 0 }, readonly: true });
    try {
      for (const e of journal.readEvents()) {
        entries += 1;
        types.set(e.type, (types.get(e.type) ?? 0) + 1);
        const decoded = decodeJournalPayload(e.type, e.payload);
        if (Either.isLeft(decoded)) problems.push(`${account} seq ${e.seq} ${e.type}: ${decoded.left.message}`);
      }
    } finally {
      journal.close();
    }
  }
  return { types, problems, entries };
};

const uncatalogued = (c: Census): string[] => [...c.types.keys()].filter((t) => !isJournalEventType(t));

describe('journal event catalogue', () => {
  it('X-LOG-3 X-LOG-8 every entry of a virtual demo run is of a catalogued type and its payload decodes against its schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-catalogue-virtual-'));
    const result = await runSession({ config, configHash: hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined });
    expect(result.summary['trades'] as number).toBeGreaterThan(0);
    const c = census(result.journals);
    expect(uncatalogued(c)).toEqual([]);
    expect(c.problems.slice(0, 10)).toEqual([]);
    // Not vacuous: the run wrote the order lifecycle, decisions (approvals and vetoes) and the actors' events.
    for (const t of ['ORDER_REQUESTED', 'ORDER_ACKNOWLEDGED', 'ORDER_FILLED', 'RISK_DECISION', 'ACTOR_EVENT', 'TRADE_CLOSED', 'PROTECTION_SET', 'KV_SET', 'COUNTER_ADVANCED', 'RECOVERY_REPORT', 'RUNTIME_STOPPED']) {
      expect(c.types.get(t) ?? 0, t).toBeGreaterThan(0);
    }
    expect(c.entries).toBeGreaterThan(500);
  });

  it('X-LOG-3 every entry of a short run over the Bybit wire protocol on loopback is catalogued and decodes', async () => {
    // The tweaks of tests/runtime/loopback.test.ts: ×500 over the first 150 bars, tight exits, wide age limits.
    const wired = {
      ...config,
      sim: { ...config.sim, clock: 'accelerated' as const, speed: 500 },
      risk: { ...config.risk, staleness: { ...config.risk.staleness, quoteMaxAgeMs: 60_000, barMaxAgeMs: 300_000, accountMaxAgeMs: 300_000 } },
      strategies: { ...config.strategies, breakout: { ...config.strategies.breakout, stopLossFraction: 0.0015, takeProfitFraction: 0.0015 } },
    };
    const dir = mkdtempSync(join(tmpdir(), 'tw-catalogue-wire-'));
    const result = await runSession({
      wire: true, config: wired, configHash: hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, barLimit: 150, maxWallMs: 50_000,
    });
    expect(result.summary['trades'] as number).toBeGreaterThan(0);
    const c = census(result.journals);
    expect(uncatalogued(c)).toEqual([]);
    expect(c.problems.slice(0, 10)).toEqual([]);
    // The wire run adds what only connections write: market pauses and book resyncs.
    for (const t of ['MARKET_PAUSED', 'MARKET_RESUMED', 'BOOK_RESYNCED', 'ORDER_FILLED', 'TRADE_CLOSED']) expect(c.types.get(t) ?? 0, t).toBeGreaterThan(0);
  }, 90_000);

  it('X-LOG-3 decodeJournalPayload refuses an unknown type and a payload with a missing, mistyped or unnamed field, saying where', () => {
    const unknown = decodeJournalPayload('ORDER_TELEPORTED', {});
    expect(Either.isLeft(unknown)).toBe(true);
    if (Either.isLeft(unknown)) {
      expect(unknown.left.kind).toBe('unknown_type');
      expect(unknown.left.message).toBe('"ORDER_TELEPORTED" is not a journal event type (src/journal/events.ts catalogues them)');
    }

    const fill = { clientOrderId: 'tw-s-1-0', state: 'filled', filledQuantity: '0.01', orderRow: 'ab', tradeId: 't-1', price: '100.5', quantity: '0.01', fee: '0.001', isMaker: false };
    const ok = decodeJournalPayload('ORDER_FILLED', fill);
    expect(Either.isRight(ok)).toBe(true);
    if (Either.isRight(ok)) expect(ok.right.price).toEqual(new Decimal('100.5'));

    const { fee: _fee, ...missing } = fill;
    const noFee = decodeJournalPayload('ORDER_FILLED', missing);
    expect(Either.isLeft(noFee) && noFee.left.kind).toBe('mismatch');
    expect(Either.isLeft(noFee) && noFee.left.message).toBe('ORDER_FILLED payload does not fit its schema: $.fee: is missing');

    const mistyped = decodeJournalPayload('ORDER_FILLED', { ...fill, isMaker: 'no', price: 'cheap' });
    expect(Either.isLeft(mistyped) && mistyped.left.issues).toEqual([
      '$.price: Expected a decimal string, got "cheap"',
      '$.isMaker: Expected boolean, actual "no"',
    ]);

    const extra = decodeJournalPayload('GATE_OPENED', { symbols: ['BTCUSDT'], mode: 'PAPER', gate: 'wide' });
    expect(Either.isLeft(extra) && extra.left.message).toMatch(/^GATE_OPENED payload does not fit its schema: \$\.gate: is unexpected/);

    // Nested paths are named; the trade-chart event of ACTOR_EVENT is the one open value (its fields are kept).
    const event = { event: { type: 'venue.accepted', clientOrderId: 'tw-s-1-0', at: 5 }, from: 'submitting', to: 'working', snapshotOf: 'trade:sim:BTCUSDT', snapshotDigest: 'cd' };
    expect(decodeJournalPayload('ACTOR_EVENT', event)).toEqual(Either.right(event));
    const noAt = decodeJournalPayload('ACTOR_EVENT', { ...event, event: { type: 'venue.accepted' } });
    expect(Either.isLeft(noAt) && noAt.left.issues).toEqual(['$.event.at: is missing']);
    const veto = decodeJournalPayload('RISK_DECISION', { kind: 'veto', proposalId: 'p', decisionId: 'd', rule: 'r', veto_reason: 'symbol_cap', current: '1', proposed: '2', limit: '1', message: 'm' });
    expect(Either.isLeft(veto) && veto.left.issues).toEqual(['$.cap_type: is missing']);
  });
});
