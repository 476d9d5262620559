/** Chooses the account model a venue profile names. Pure construction; no I/O. */
import type { EngineContext } from '../EngineContext.ts';
import type { AccountModel } from './AccountModel.ts';
import { CashEquityAccounts } from './CashEquityAccounts.ts';
import { LinearPerpAccounts } from './LinearPerpAccounts.ts';
import { SpotAccounts } from './SpotAccounts.ts';

/** Returns the account model of the context's profile. */
export const accountModelFor = (ctx: EngineContext): AccountModel => {
  switch (ctx.profile.accountModel) {
    case 'linear_perp':
      return new LinearPerpAccounts(ctx);
    case 'spot':
      return new SpotAccounts(ctx);
    case 'cash_equity':
      return new CashEquityAccounts(ctx);
  }
};
