/**
 * The restart drill's signal channel (`--scenario signals`, S0): posts a followed signal for BTCUSDT priced at the
 * simulator's current quote to the child runtime's webhook, signed as a sender does (HMAC-SHA256 of
 * `<unix seconds>.<body>` with the source's secret). A long enters at the bid, a short at the ask, with TP and SL
 * 0.3 % away (on the 0.1 tick), so the two post-only legs fill within seconds on the simulator's walk. Drill tooling;
 * never used by a trading session.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { dec, type Decimal } from '../../domain/money.ts';
import { roundPrice } from '../../domain/rounding.ts';

/** What one post needs. */
export interface DrillSignal {
  readonly simUrl: string;
  readonly opsUrl: string;
  readonly source: string;
  readonly secret: string;
  /** The message id (unique per data directory: the intake drops a repeated id as received). */
  readonly id: string;
  readonly side: 'long' | 'short';
  /** Wall-clock ms (the webhook checks the signed timestamp against the server's clock). */
  readonly wallNow: number;
}

const TICK = dec('0.1');

/** The text of a signal at `price` (entry), TP and SL `fraction` away, on the tick. */
export const drillSignalText = (side: 'long' | 'short', price: Decimal, fraction = dec('0.003')): string => {
  const up = roundPrice(price.times(dec(1).plus(fraction)), TICK, 'up');
  const down = roundPrice(price.times(dec(1).minus(fraction)), TICK, 'down');
  const [tp, sl] = side === 'long' ? [up, down] : [down, up];
  return [`#BTCUSDT ${side.toUpperCase()} SWING`, `Entry: ${price.toString()}`, `TP1: ${tp.toString()}`, `SL: ${sl.toString()}`].join('\n');
};

/**
 * Reads the simulator's BTCUSDT quote and posts one signal at it. Returns the webhook's HTTP status, or undefined when
 * the quote or the post failed (the child may just have been killed: the drill goes on).
 */
export const postDrillSignal = async (s: DrillSignal): Promise<number | undefined> => {
  try {
    const res = await request(`${s.simUrl}/v5/market/tickers?category=linear&symbol=BTCUSDT`, { method: 'GET' });
    const body = (await res.body.json()) as { result?: { list?: Array<{ bid1Price?: string; ask1Price?: string }> } };
    const quote = body.result?.list?.[0];
    const price = s.side === 'long' ? quote?.bid1Price : quote?.ask1Price;
    if (price === undefined || !/^\d+(\.\d+)?$/.test(price)) return undefined;
    const json = JSON.stringify({ id: s.id, text: drillSignalText(s.side, dec(price)) });
    const ts = String(Math.floor(s.wallNow / 1000));
    const signature = createHmac('sha256', s.secret).update(`${ts}.${json}`).digest('hex');
    const post = await request(`${s.opsUrl}/signals/${s.source}`, {
      method: 'POST', body: json, headers: { 'content-type': 'application/json', 'x-tradewarden-timestamp': ts, 'x-tradewarden-signature': `sha256=${signature}` },
    });
    await post.body.dump();
    return post.statusCode;
  } catch {
    return undefined;
  }
};
