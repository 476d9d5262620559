/**
 * The seam between the neutral matching core and how an account holds what it trades. A model answers the
 * account-dependent questions of order admission (position leg, reduce-only, margin or balance), books fills into
 * positions and wallets and publishes them, and owns the account queries. Implementations: `LinearPerpAccounts`,
 * `SpotAccounts`, `CashEquityAccounts`. A model never matches orders and never reads a clock.
 */
import type { Decimal } from '../../../../domain/money.ts';
import type { SymbolState } from '../EngineContext.ts';
import type { SimAccountModelKind } from '../profiles.ts';
import type { SimOrderInput, SimPosition, SimPositionMode, SimPositionSide, SimResult, SimWallet } from '../types.ts';
import type { AccountState, OrderState } from './ledger.ts';
import type { PositionState } from './positions.ts';

/** What a position change asks of a resting reducing order: cancel it, or shrink it to `remaining`. */
export interface ReduceOnlyAction {
  readonly order: OrderState;
  readonly shrinkTo: Decimal | undefined;
}

/** What an order needs from its account before and after it trades. */
export interface AccountModel {
  readonly kind: SimAccountModelKind;
  /** Whether the symbol trades at `ts` (a cash equity's session; always for crypto). */
  isOpen(sym: SymbolState, ts: number): boolean;
  /** Checks the order's flags and position leg against the account (mode, reduce-only support) and creates its position. */
  admitLeg(acct: AccountState, sym: SymbolState, input: SimOrderInput): SimResult<void>;
  /** Whether the order can only reduce a position: reduce-only, close-on-trigger, or a hedge leg's closing side. */
  isReducing(acct: AccountState, input: SimOrderInput): boolean;
  /** Returns the quantity of a zero-quantity close-all order: the whole position, up to the order type's maximum. */
  closeAllQuantity(acct: AccountState, sym: SymbolState, input: SimOrderInput): SimResult<Decimal>;
  /** Refuses a reducing order that would open or increase its position; otherwise returns it capped to the position. */
  capReducing(acct: AccountState, sym: SymbolState, input: SimOrderInput, quantity: Decimal): SimResult<Decimal>;
  /** Checks that the account can fund an opening order (margin, or the balance it spends) valued at `reference`. */
  checkFunds(acct: AccountState, sym: SymbolState, input: SimOrderInput, quantity: Decimal, reference: Decimal | undefined): SimResult<void>;
  /** Returns an amended reducing order's quantity capped to its position. */
  capReducingAmend(acct: AccountState, sym: SymbolState, order: OrderState, quantity: Decimal): Decimal;
  /** Checks that the account can fund what an amend adds to an opening order. */
  checkAmendFunds(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal): SimResult<void>;
  /** The most a taker order may still take at `price` (models that spend a balance), or undefined for no cap. */
  readonly takerCap: ((acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal) => Decimal | undefined) | undefined;
  /** Books a fill into positions and wallets, without publishing anything. */
  bookFill(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal, fee: Decimal): void;
  /** Publishes the position and wallet events of the fill just booked. */
  publishFill(acct: AccountState, sym: SymbolState, order: OrderState): void;
  /** Returns what the fill's position change asks of the account's resting reducing orders. */
  reduceOnlyActions(acct: AccountState, sym: SymbolState, order: OrderState): ReadonlyArray<ReduceOnlyAction>;
  /** Adds (or, negative, removes) balance of a coin and publishes the wallet. */
  fund(acct: AccountState, coin: string, amount: Decimal): void;
  wallets(acct: AccountState): ReadonlyArray<SimWallet>;
  positions(acct: AccountState, symbol?: string): ReadonlyArray<SimPosition>;
  setLeverage(account: string, sym: SymbolState, leverage: Decimal): SimResult<SimPosition>;
  setPositionMode(account: string, mode: SimPositionMode): SimResult<SimPositionMode>;
  /** Returns the position (leg) stops and close-position orders act on, created when absent; refused without positions or with the wrong leg for the mode. */
  leg(acct: AccountState, sym: SymbolState, positionSide: SimPositionSide | undefined): SimResult<PositionState>;
  /** Returns the account's existing positions (legs) in a symbol. */
  legs(acct: AccountState, symbol: string): ReadonlyArray<PositionState>;
  /** Publishes a position and returns its view. */
  positionEvent(acct: AccountState, sym: SymbolState, p: PositionState): SimPosition;
}
