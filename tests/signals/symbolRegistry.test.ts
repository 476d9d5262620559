/**
 * The S0 symbol registry (S0-15) against the in-process simulator's own instrument list: only trading USDT-settled
 * linear perpetuals with full metadata are tradable, a listing that goes live is picked up on the next scheduled
 * refresh (virtual clock, no sleeping), the blacklist wins over the venue, and the parser refuses what it refuses.
 */
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO } from '../../src/domain/money.ts';
import type { Instrument } from '../../src/domain/Instrument.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { parseSignal } from '../../src/signals/parseSignal.ts';
import { refusalReason } from '../../src/signals/refusalText.ts';
import { SymbolRegistry, type RegistryRefresh, type SymbolLookup } from '../../src/signals/SymbolRegistry.ts';
import { BYBIT_LINEAR_PROFILE, bybitLinearInstrument } from '../../src/venues/sim/bybit/profile.ts';
import { HEDGE_PERP_PROFILE, SPOT_PROFILE } from '../../src/venues/sim/engine/profiles.ts';
import { createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import { makeSimVenue } from '../../src/venues/sim/SimVenue.ts';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const REFRESH_MS = 900_000;

const must = (i: Instrument | undefined, what: string): Instrument => {
  if (i === undefined) throw new Error(`the simulator profile does not list ${what}`);
  return i;
};

/** The simulator's listing: two Bybit USDT perps, a pre-launch one, a USDC perp, two spot pairs, one without quantity limits. */
const listing = (): ReadonlyArray<Instrument> => [
  bybitLinearInstrument('BTCUSDT'),
  bybitLinearInstrument('ADAUSDT'),
  { ...must(BYBIT_LINEAR_PROFILE.instrument('SOLUSDT', new Decimal('150')), 'SOLUSDT'), status: 'halted' },
  must(HEDGE_PERP_PROFILE.instrument('BTCUSDC', new Decimal('68000')), 'BTCUSDC'),
  must(SPOT_PROFILE.instrument('ETHUSDT', new Decimal('3500')), 'ETHUSDT'),
  must(SPOT_PROFILE.instrument('BTC-USD'), 'BTC-USD'),
  { ...must(BYBIT_LINEAR_PROFILE.instrument('XRPUSDT', new Decimal('0.6')), 'XRPUSDT'), minQuantity: ZERO, maxQuantity: ZERO },
];

const world = (blacklist: ReadonlyArray<string> = []) => {
  const clock = new VirtualClock(START);
  const exchange = createSimExchange({ clock, instruments: listing(), feeds: [], seed: 7 });
  const refreshes: RegistryRefresh[] = [];
  const registry = new SymbolRegistry({ venue: makeSimVenue(exchange, 'main'), scheduler: virtualScheduler(clock), refreshMs: REFRESH_MS, blacklist, onRefresh: (r) => refreshes.push(r) });
  return { clock, exchange, registry, refreshes };
};

const refusal = (r: SymbolLookup): unknown => (r.ok ? 'tradable' : r.reason);

describe('S0-15 symbol registry', () => {
  it('S0-15 discovers only the trading USDT-settled linear perpetuals the venue lists', async () => {
    const { registry } = world();
    expect(registry.lookup('BTCUSDT')).toMatchObject({ ok: false, reason: { kind: 'not_loaded' } });
    const first = await registry.refresh();
    expect(first).toMatchObject({ ok: true, at: START, tradable: 2, added: ['ADAUSDT', 'BTCUSDT'], removed: [] });
    expect(registry.symbols()).toEqual(['ADAUSDT', 'BTCUSDT']);
    expect(registry.instrument('btcusdt')?.tickSize.toString()).toBe('0.1');
    expect(refusal(registry.lookup('BTCUSDC'))).toEqual({ kind: 'not_usdt_perpetual', instrumentKind: 'linear_perp', quoteAsset: 'USDC', settleAsset: 'USDC' });
    expect(refusal(registry.lookup('ETHUSDT'))).toEqual({ kind: 'not_usdt_perpetual', instrumentKind: 'spot', quoteAsset: 'USDT', settleAsset: 'USDT' });
    expect(refusal(registry.lookup('BTC-USD'))).toMatchObject({ kind: 'not_usdt_perpetual', instrumentKind: 'spot' });
    expect(refusal(registry.lookup('SOLUSDT'))).toEqual({ kind: 'not_trading', status: 'halted' });
    expect(refusal(registry.lookup('DOGEUSDT'))).toEqual({ kind: 'not_listed' });
    expect(registry.instrument('BTCUSDC')).toBeUndefined();
  });

  it('S0-15 a scheduled refresh picks up a listing that went live, and only when its interval is due', async () => {
    const { clock, exchange, registry, refreshes } = world();
    await registry.start();
    expect(refusal(registry.lookup('SOLUSDT'))).toEqual({ kind: 'not_trading', status: 'halted' });
    expect(exchange.setInstrumentStatus?.('SOLUSDT', 'trading').ok).toBe(true);
    clock.advanceBy(REFRESH_MS - 1);
    await registry.settled();
    expect(refreshes).toHaveLength(1);
    expect(refusal(registry.lookup('SOLUSDT'))).toEqual({ kind: 'not_trading', status: 'halted' });
    clock.advanceBy(1);
    await registry.settled();
    expect(refreshes).toHaveLength(2);
    expect(refreshes[1]).toMatchObject({ ok: true, at: START + REFRESH_MS, tradable: 3, added: ['SOLUSDT'], removed: [] });
    expect(registry.lookup('SOLUSDT').ok).toBe(true);
    // A symbol the venue halts drops out on the next refresh; after stop() no refresh runs any more.
    expect(exchange.setInstrumentStatus?.('ADAUSDT', 'halted').ok).toBe(true);
    clock.advanceBy(REFRESH_MS);
    await registry.settled();
    expect(refreshes[2]).toMatchObject({ ok: true, removed: ['ADAUSDT'] });
    registry.stop();
    clock.advanceBy(10 * REFRESH_MS);
    await registry.settled();
    expect(refreshes).toHaveLength(3);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('S0-15 a blacklisted symbol is refused although the venue lists it as a trading USDT perpetual', async () => {
    const { registry } = world(['adausdt']);
    await registry.refresh();
    expect(registry.lookup('ADAUSDT')).toEqual({ ok: false, symbol: 'ADAUSDT', reason: { kind: 'blacklisted' }, message: 'ADAUSDT is blacklisted' });
    expect(registry.symbols()).toEqual(['BTCUSDT']);
    // The parser, looking symbols up through the registry, acts on BTCUSDT and refuses ADAUSDT.
    const ctx = { instrument: (s: string) => registry.instrument(s) };
    expect(parseSignal('#BTCUSDT LONG\nMode: SWING\nEntry: 67500 - 68000\nTP1: 69000\nSL: 66000', ctx).ok).toBe(true);
    const ada = parseSignal('#ADAUSDT LONG\nMode: SWING\nEntry: 0.5\nTP1: 0.55\nSL: 0.45', ctx);
    expect(ada.ok ? 'accepted' : ada.error).toEqual({ _tag: 'UnknownSymbol', symbol: 'ADAUSDT' });
    // With the registry's reasons (as the intake parses), the refusal says why: the operator reads "blacklisted".
    const why = { ...ctx, whyNot: (s: string) => { const r = registry.lookup(s); return r.ok ? undefined : r.message; } };
    const told = parseSignal('#ADAUSDT LONG\nMode: SWING\nEntry: 0.5\nTP1: 0.55\nSL: 0.45', why);
    expect(told.ok ? 'accepted' : told.error).toEqual({ _tag: 'UnknownSymbol', symbol: 'ADAUSDT', reason: 'ADAUSDT is blacklisted' });
    expect(told.ok ? '' : refusalReason(told.error)).toBe('ADAUSDT is blacklisted');
  });

  it('S0-15 a listed USDT perpetual without a min or max quantity is refused, naming what it lacks', async () => {
    const { registry } = world();
    await registry.refresh();
    const r = registry.lookup('XRPUSDT');
    expect(refusal(r)).toEqual({ kind: 'incomplete_metadata', missing: ['minQuantity', 'maxQuantity'] });
    expect(r.ok ? '' : r.message).toBe('XRPUSDT lacks instrument metadata: minQuantity, maxQuantity');
    expect(registry.instrument('XRPUSDT')).toBeUndefined();
  });
});
