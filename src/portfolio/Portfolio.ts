/**
 * The portfolio of one venue account as the venue reports it (X-REC-3: the venue is the truth for positions and
 * balances): NAV in the account's settle asset, the positions, and their freshness. Fed by the account stream and by
 * refreshes from the venue; read by the risk views and the run summary. Holds no venue names and performs no I/O.
 */
import { ZERO, type Decimal } from '../domain/money.ts';
import type { Balance, Position, PositionLeg } from '../domain/orders.ts';

/** The key a position is kept under: its symbol, or `symbol:leg` for a hedge-mode leg. */
const positionKey = (symbol: string, leg: PositionLeg | undefined): string => (leg === undefined ? symbol : `${symbol}:${leg}`);

/** The account's money and positions. */
export class Portfolio {
  /** The asset NAV is counted in (config: the account's settle asset, e.g. USDT or USD). */
  readonly settleAsset: string;
  private navValue: Decimal = ZERO;
  private navAt = 0;
  private starting: Decimal | undefined;
  private ending: Decimal | undefined;
  private readonly bySymbol = new Map<string, Position>();

  constructor(settleAsset: string) {
    this.settleAsset = settleAsset;
  }

  /** Takes the balances of a wallet update or refresh; returns the settle asset's equity when the update carried it. */
  applyBalances(balances: ReadonlyArray<Balance>, at: number): Decimal | undefined {
    const b = balances.find((x) => x.asset === this.settleAsset);
    if (b === undefined) return undefined;
    this.navValue = b.total;
    this.navAt = at;
    this.starting ??= b.total;
    this.ending = b.total;
    return b.total;
  }

  /** Takes one position update (a hedge-mode leg under its own key, S0-12); returns the position before it. */
  applyPosition(p: Position): Position | undefined {
    const key = positionKey(p.symbol, p.leg);
    const before = this.bySymbol.get(key);
    this.bySymbol.set(key, p);
    return before;
  }

  /** NAV in the settle asset. */
  nav(): Decimal {
    return this.navValue;
  }

  /** Epoch ms of the balance snapshot NAV came from (staleness rule, X-RSK-2). */
  navTimestamp(): number {
    return this.navAt;
  }

  /** The first and the last equity seen (run summary). */
  balances(): { readonly starting: Decimal | undefined; readonly ending: Decimal | undefined } {
    return { starting: this.starting, ending: this.ending };
  }

  /**
   * The position of a symbol as last reported, if any: with `leg`, that hedge-mode leg; without, the one-way position,
   * or in hedge mode the first leg that holds something (long before short), else the long leg's last report.
   */
  position(symbol: string, leg?: PositionLeg): Position | undefined {
    if (leg !== undefined) return this.bySymbol.get(positionKey(symbol, leg));
    const oneWay = this.bySymbol.get(symbol);
    if (oneWay !== undefined) return oneWay;
    const legs = [this.bySymbol.get(positionKey(symbol, 'long')), this.bySymbol.get(positionKey(symbol, 'short'))];
    return legs.find((p) => p !== undefined && p.quantity.gt(0)) ?? legs.find((p) => p !== undefined);
  }

  /** Every non-flat position. */
  openPositions(): Position[] {
    return [...this.bySymbol.values()].filter((p) => p.side !== 'flat' && p.quantity.gt(0));
  }
}
