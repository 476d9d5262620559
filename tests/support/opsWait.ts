/**
 * Waiting on a session's operations feed in tests: the first event that matches (events already in the feed's ring
 * count), bounded by a wall-time limit so a lost event fails the test instead of hanging it. Test support only.
 */
import type { OpsEvent, OpsSource } from '../../src/ops/types.ts';

/** Resolves with the first event of the feed that matches; rejects after `timeoutMs` naming `what`. */
export const nextEvent = (source: OpsSource, match: (e: OpsEvent) => boolean, what: string, timeoutMs = 60_000): Promise<OpsEvent> =>
  new Promise((resolve, reject) => {
    const seen = source.events.since(0).find(match);
    if (seen !== undefined) {
      resolve(seen);
      return;
    }
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    const off = source.events.subscribe((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });

/** Matches the DEPENDENCY_CHANGED gate event of a dependency going up or down. */
export const dependencyEvent = (dependency: string, health: 'up' | 'down') => (e: OpsEvent): boolean =>
  e.kind === 'gate' && e.data['type'] === 'DEPENDENCY_CHANGED' && e.data['dependency'] === dependency && e.data['health'] === health;
