/**
 * The price factors 1 + f and 1 − f of the fractions a decision scales prices by (the limit offset in sizing, the stop
 * and target fractions of the protection prices), derived once per fraction instead of once per decision. Internal to
 * the risk module (not re-exported by index.ts). Pure; performs no I/O.
 */
import { ONE, type Decimal } from '../domain/money.ts';

// Keyed by the fraction's own Decimal: Decimals are immutable and `decimalOf` hands out one instance per number, so a
// factor is the same Decimal as `ONE.plus(f)` / `ONE.minus(f)` and never depends on a view.
const upFactors = new WeakMap<Decimal, Decimal>();
const downFactors = new WeakMap<Decimal, Decimal>();

/** Returns 1 + f, the same value as `ONE.plus(f)`, derived once per Decimal instance. */
export const onePlus = (f: Decimal): Decimal => {
  let v = upFactors.get(f);
  if (v === undefined) {
    v = ONE.plus(f);
    upFactors.set(f, v);
  }
  return v;
};

/** Returns 1 − f, the same value as `ONE.minus(f)`, derived once per Decimal instance. */
export const oneMinus = (f: Decimal): Decimal => {
  let v = downFactors.get(f);
  if (v === undefined) {
    v = ONE.minus(f);
    downFactors.set(f, v);
  }
  return v;
};
