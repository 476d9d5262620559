/**
 * The strategy a sweep varies and the parameters it has: the `--strategy` one, else the first enabled one (the same
 * rule `--param` follows), its parameter names read from its decoded config section (built-in or user strategy), and
 * every swept name checked against them. Pure over the config and the registry.
 */
import { Either } from 'effect';
import type { AppConfig } from '../../config/schema.ts';
import { STRATEGY_REGISTRY, strategyEntry, type StrategyEntry } from '../../strategies/registry.ts';
import { SweepError, type SweepAxis } from './space.ts';

/** The swept strategy, the names of its parameters and their values as the config file would give them. */
export interface SweepTarget {
  readonly strategyId: string;
  readonly parameters: ReadonlyArray<string>;
  readonly values: Readonly<Record<string, unknown>>;
}

/** Keys of a section that are not the strategy's own parameters. */
const NOT_PARAMETERS: ReadonlySet<string> = new Set(['enabled', 'caps']);

const sectionOf = (config: AppConfig, id: string): unknown => (config.strategies as Readonly<Record<string, unknown>>)[id];

/**
 * Returns the strategy the sweep varies and its parameter names, and checks every axis names one of them; throws a
 * SweepError (UnknownParameter, or BadOption when there is no strategy to sweep).
 */
export const sweepTargetOf = (config: AppConfig, strategy: string | undefined, user: ReadonlyArray<StrategyEntry>, axes: ReadonlyArray<SweepAxis> = []): SweepTarget => {
  const all = [...STRATEGY_REGISTRY, ...user];
  const enabled = (e: StrategyEntry): boolean => (sectionOf(config, e.id) as { readonly enabled?: boolean } | undefined)?.enabled === true;
  const id = strategy ?? all.find(enabled)?.id;
  const entry = id === undefined ? undefined : strategyEntry(id, user);
  if (id === undefined || entry === undefined) throw new SweepError({ reason: 'BadOption', detail: '--sweep needs --strategy <id> (no strategy is enabled in the config)' });
  const section = sectionOf(config, id);
  const decoded = section === undefined ? entry.decode({}) : Either.right(section);
  if (Either.isLeft(decoded)) throw new SweepError({ reason: 'BadOption', detail: `strategy ${id}: ${decoded.left}` });
  const values = Object.fromEntries(Object.entries(entry.encode(decoded.right as never)).filter(([k]) => !NOT_PARAMETERS.has(k)));
  const parameters = Object.keys(values);
  const unknown = axes.find((a) => !parameters.includes(a.name));
  if (unknown !== undefined) {
    throw new SweepError({ reason: 'UnknownParameter', detail: `--sweep ${unknown.name}: not a parameter of ${id} (its parameters: ${parameters.join(', ')})` });
  }
  return { strategyId: id, parameters, values };
};
