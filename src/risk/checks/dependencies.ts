/**
 * Rule 3 — dependency gate (X-RSK-6, C-6): while any gating dependency of the profile is down, or its health is not
 * reported at all, trading is off. Pure; performs no I/O.
 */
import { veto, type Check } from './types.ts';

/** Vetoes while a gating dependency is down or unknown. */
export const dependencies: Check = (ctx) => {
  for (const name of ctx.config.dependencies.gating) {
    const health = ctx.market.dependencies[name];
    if (health !== 'up') {
      return veto('dependency_down', name, health ?? 'unknown', 'up', 'up', `gating dependency ${name} is ${health ?? 'not reported'}`);
    }
  }
  return undefined;
};
