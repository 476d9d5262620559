/**
 * Issue 11, acceptance item 8: the money of a paper run adds up. For paper runs on the in-process simulator (virtual
 * clock, deterministic) over several seeds and three data files — Bybit BTCUSDT, Binance ADAUSDT, and a Coinbase
 * BTC-USD file replayed as the feed of BTCUSDT — the per-trade fees sum to the run's fees, the per-trade net PnL
 * sums to the balance change (exactly, in decimals), and every fill the journal holds lies on the instrument's
 * price and quantity grid. Real parts: the session, the simulator, the journal on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Either } from 'effect';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import type { AppConfig } from '../../src/config/schema.ts';
import { Decimal, ZERO } from '../../src/domain/money.ts';
import { simInstrument } from '../../src/venues/sim/catalogue.ts';
import { withAccount } from '../support/configs.ts';

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;

interface DataCase {
  readonly name: string;
  readonly symbol: string;
  readonly file: string;
  /** The breakout's lookback: 15 bars makes the Bybit day end flat (the demo's 20 leaves a position open there). */
  readonly lookbackBars: number;
  /** Whether the property also demands trades (a run without any proves nothing about the sums). */
  readonly mustTrade: boolean;
}

const CASES: ReadonlyArray<DataCase> = [
  { name: 'Bybit BTCUSDT perp 2022-12-13', symbol: 'BTCUSDT', file: 'data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv', lookbackBars: 15, mustTrade: true },
  { name: 'Binance ADAUSDT perp 2022-12-13', symbol: 'ADAUSDT', file: 'data/crypto-1m/binance_ADAUSDT_perp_1m_2022-12-13.csv', lookbackBars: 20, mustTrade: false },
  { name: 'Coinbase BTC-USD spot 2018-04-04..06 as BTCUSDT', symbol: 'BTCUSDT', file: 'data/crypto-1m/coinbase_BTCUSD_spot_1m_2018-04-04_2018-04-06.csv', lookbackBars: 20, mustTrade: true },
];

interface TradeRow {
  readonly symbol: string;
  readonly realizedPnl: string;
  readonly fees: string;
  readonly reason: string;
}

interface OpenPositionRow {
  readonly symbol: string;
}

interface EventRow {
  readonly seq: number;
  readonly type: string;
  readonly payload: string;
}

/** A fill as the journal holds it: our own orders' fills (ORDER_FILLED) and the venue's TP/SL closes (VENUE_FILL). */
interface JournalFill {
  readonly seq: number;
  readonly type: string;
  readonly symbol: string;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
}

const configFor = (c: DataCase, seed: number): AppConfig => {
  const config = withAccount(base, { symbols: [c.symbol] });
  return {
    ...config,
    sim: { ...config.sim, seed, feeds: [{ symbol: c.symbol, file: c.file }] },
    strategies: { ...config.strategies, breakout: { ...config.strategies.breakout, lookbackBars: c.lookbackBars } },
  };
};

/** Reads every fill of a journal (read-only); an ORDER_FILLED names its order, whose ORDER_REQUESTED names the symbol. */
const journalFills = (path: string): JournalFill[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare<[], EventRow>("SELECT seq, type, payload FROM events WHERE type IN ('ORDER_REQUESTED', 'ORDER_FILLED', 'VENUE_FILL') ORDER BY seq").all();
    const symbolOf = new Map<string, string>();
    const fills: JournalFill[] = [];
    for (const row of rows) {
      const p = JSON.parse(row.payload) as Record<string, unknown>;
      if (row.type === 'ORDER_REQUESTED') {
        symbolOf.set(String(p['clientOrderId']), String(p['symbol']));
        continue;
      }
      const symbol = row.type === 'VENUE_FILL' ? String(p['symbol']) : symbolOf.get(String(p['clientOrderId']));
      if (symbol === undefined) throw new Error(`fill at seq ${String(row.seq)} names order ${String(p['clientOrderId'])}, which no ORDER_REQUESTED before it did`);
      fills.push({ seq: row.seq, type: row.type, symbol, price: new Decimal(String(p['price'])), quantity: new Decimal(String(p['quantity'])), fee: new Decimal(String(p['fee'])) });
    }
    return fills;
  } finally {
    db.close();
  }
};

const sum = (values: ReadonlyArray<string | Decimal>): Decimal => values.reduce<Decimal>((a, v) => a.plus(v), ZERO);

const onGrid = (value: Decimal, step: Decimal): boolean => value.mod(step).isZero();

describe('X-BT-2 X-ORD-3 paper runs on the simulator: the money adds up', () => {
  for (const c of CASES) {
    it(
      `X-BT-2 X-ORD-3 per-trade fees add up to the run fees and per-trade net PnL to the balance change, and every fill is on the instrument grid, over seeds and data files (${c.name})`,
      async () => {
        const instrument = simInstrument(c.symbol);
        if (instrument === undefined) throw new Error(`the simulator does not list ${c.symbol}`);
        let tradedRuns = 0;
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
            const result = await runSession({ config: configFor(c, seed), configHash: hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-money-')), version: 'test', commit: null, progress: () => undefined });
            const s = result.summary;
            const where = `seed ${String(seed)}, ${c.file}`;
            expect(s['stoppedBy'], where).toBe('end_of_data');
            const trades = s['trades'] as number;
            const tradeList = s['tradeList'] as ReadonlyArray<TradeRow>;
            const openPositions = s['openPositions'] as ReadonlyArray<OpenPositionRow>;
            if (trades > 0) tradedRuns += 1;

            // 1. The trades' fees (closed and open cycles) are the run's fees, to the last digit.
            const tradeFees = sum(tradeList.map((t) => t.fees));
            expect(tradeFees.eq(s['fees'] as string), `${where}: sum of tradeList fees ${tradeFees.toString()} vs summary fees ${String(s['fees'])}`).toBe(true);

            // 2. The trades' net PnL is the balance change. Flat at the end, that is the closed trades alone; not flat,
            //    each open position has its open cycle (reason 'open') in the trade list with what it realized so far
            //    (its entry fees, any partial exit) — the wallet balance holds no unrealized PnL, so the sum still holds.
            const tradePnl = sum(tradeList.map((t) => t.realizedPnl));
            const openCycles = tradeList.filter((t) => t.reason === 'open');
            expect(tradeList.length - openCycles.length, where).toBe(trades);
            if (openPositions.length === 0) expect(openCycles, where).toEqual([]);
            else expect(openCycles.map((t) => t.symbol).sort(), where).toEqual(openPositions.map((p) => p.symbol).sort());
            expect(tradePnl.eq(s['balanceChange'] as string), `${where}: sum of tradeList realizedPnl ${tradePnl.toString()} vs balanceChange ${String(s['balanceChange'])}`).toBe(true);

            // 3. Every fill in the journal(s) is on the instrument's grid, and the journal's fees are the run's fees.
            const fills = Object.values(result.journals).flatMap(journalFills);
            expect(fills.length, where).toBe(s['fills']);
            for (const f of fills) {
              const what = `${where}: ${f.type} at seq ${String(f.seq)} (${f.symbol} ${f.quantity.toString()} @ ${f.price.toString()})`;
              expect(f.symbol, what).toBe(c.symbol);
              expect(onGrid(f.price, instrument.tickSize), `${what}: price off the ${instrument.tickSize.toString()} tick`).toBe(true);
              expect(onGrid(f.quantity, instrument.quantityStep), `${what}: quantity off the ${instrument.quantityStep.toString()} step`).toBe(true);
              expect(f.quantity.gt(0), what).toBe(true);
            }
            const journalFees = sum(fills.map((f) => f.fee));
            expect(journalFees.eq(s['fees'] as string), `${where}: journal fill fees ${journalFees.toString()} vs summary fees ${String(s['fees'])}`).toBe(true);

            // 4. The BTCUSDT runs trade (a property over runs without trades proves nothing).
            if (c.mustTrade) expect(trades, `${where}: the run did not trade`).toBeGreaterThan(0);
          }),
          { seed: 20_261_108, numRuns: 3, endOnFailure: true },
        );
        expect(tradedRuns).toBeGreaterThan(0);
      },
      180_000,
    );
  }
});
