/**
 * Test support for the simulator core's module specs: a feed that plays scripted ticks, an engine over any profile
 * and instruments on a virtual clock with a one-step driver, and a compact order builder. Real components only.
 */
import { Decimal } from '../../../src/domain/money.ts';
import type { Instrument } from '../../../src/domain/Instrument.ts';
import type { Side, TimeInForce } from '../../../src/domain/orders.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import type { SimVenueProfile } from '../../../src/venues/sim/engine/profiles.ts';
import type { SimEvent, SimExchange, SimOrder, SimOrderInput, SimPositionSide, SimResult } from '../../../src/venues/sim/engine/types.ts';
import type { MarketFeed, MarketTick } from '../../../src/venues/sim/replay/MarketFeed.ts';

export const d = (s: string | number): Decimal => new Decimal(s);

/** One scripted tick: prices, optional book levels and replayed trades, at `at` (default: one second after the previous). */
export interface TickSpec {
  readonly at?: number;
  readonly last: string;
  readonly mark?: string;
  readonly index?: string;
  readonly bids?: ReadonlyArray<readonly [string, string]>;
  readonly asks?: ReadonlyArray<readonly [string, string]>;
  readonly trades?: ReadonlyArray<readonly [string, string, Side]>;
}

/** Returns a feed that plays the ticks in order. */
export const scriptedFeed = (symbol: string, start: number, specs: ReadonlyArray<TickSpec>): MarketFeed => {
  let ts = start - 1000;
  const ticks: MarketTick[] = specs.map((s) => {
    ts = s.at ?? ts + 1000;
    return {
      symbol,
      ts,
      lastPrice: d(s.last),
      markPrice: d(s.mark ?? s.last),
      indexPrice: d(s.index ?? s.last),
      trades: (s.trades ?? []).map(([price, size, side]) => ({ price: d(price), size: d(size), side })),
      bids: (s.bids ?? []).map(([p, q]) => [d(p), d(q)] as const),
      asks: (s.asks ?? []).map(([p, q]) => [d(p), d(q)] as const),
      kline: undefined,
    };
  });
  let i = 0;
  return {
    symbol,
    nextAt: () => ticks[i]?.ts,
    next: () => {
      const t = ticks[i++];
      if (t === undefined) throw new RangeError('exhausted');
      return t;
    },
  };
};

/** An engine on a virtual clock with every event recorded and a driver that plays the next tick. */
export interface Engine {
  readonly ex: SimExchange;
  readonly clock: VirtualClock;
  readonly events: SimEvent[];
  /** Moves the clock to the next tick and plays it. */
  readonly step: () => void;
}

/** Creates an engine over the profile and instruments; the first instrument's market plays `specs`. */
export const engine = (profile: SimVenueProfile, instruments: ReadonlyArray<Instrument>, specs: ReadonlyArray<TickSpec>, start = 1_670_889_600_000): Engine => {
  const clock = new VirtualClock(start);
  const first = instruments[0];
  const feeds = specs.length === 0 || first === undefined ? [] : [scriptedFeed(first.symbol, start, specs)];
  const ex = createSimExchange({ clock, instruments, feeds, seed: 7, profile });
  const events: SimEvent[] = [];
  ex.subscribe((e) => events.push(e));
  const step = (): void => {
    const at = ex.nextEventAt();
    if (at === undefined) throw new Error('no more ticks');
    clock.advanceTo(at);
    ex.advanceTo(at);
  };
  return { ex, clock, events, step };
};

/** Builds an order input: limit when a price is given, market otherwise. */
export const order = (o: {
  readonly account?: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: string;
  readonly price?: string;
  readonly tif?: TimeInForce;
  readonly reduceOnly?: boolean;
  readonly closeOnTrigger?: boolean;
  readonly positionSide?: SimPositionSide;
  readonly clientOrderId?: string;
}): SimOrderInput => ({
  account: o.account ?? 'a',
  symbol: o.symbol,
  side: o.side,
  type: o.price === undefined ? 'market' : 'limit',
  quantity: d(o.quantity),
  price: o.price === undefined ? undefined : d(o.price),
  timeInForce: o.tif ?? 'gtc',
  reduceOnly: o.reduceOnly ?? false,
  closeOnTrigger: o.closeOnTrigger ?? false,
  positionSide: o.positionSide,
  clientOrderId: o.clientOrderId,
});

/** Returns the value of an accepted result, or throws with the refusal. */
export const ok = <A>(r: SimResult<A>): A => {
  if (!r.ok) throw new Error(`refused: ${r.code} ${r.message}`);
  return r.value;
};

/** Places an order that must be accepted. */
export const place = (ex: SimExchange, input: SimOrderInput): SimOrder => ok(ex.placeOrder(input));

/** Returns the wallet fields of a coin as strings: [walletBalance, availableBalance]. */
export const balance = (ex: SimExchange, account: string, coin: string): readonly [string, string] => {
  const w = ex.wallet(account).find((x) => x.coin === coin);
  return [w?.walletBalance.toString() ?? 'none', w?.availableBalance.toString() ?? 'none'];
};
