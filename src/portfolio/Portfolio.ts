/**
 * The portfolio of one venue account as the venue reports it (X-REC-3: the venue is the truth for positions and
 * balances): NAV in the account's settle asset, the positions, and their freshness. Fed by the account stream and by
 * refreshes from the venue; read by the risk views and the run summary. Holds no venue names and performs no I/O.
 */
import { ZERO, type Decimal } from '../domain/money.ts';
import type { Balance, Position } from '../domain/orders.ts';

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

  /** Takes one position update; returns the position before it. */
  applyPosition(p: Position): Position | undefined {
    const before = this.bySymbol.get(p.symbol);
    this.bySymbol.set(p.symbol, p);
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

  /** The position of a symbol as last reported, if any. */
  position(symbol: string): Position | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Every non-flat position. */
  openPositions(): Position[] {
    return [...this.bySymbol.values()].filter((p) => p.side !== 'flat' && p.quantity.gt(0));
  }
}
