/**
 * A full garbage collection for memory benches: `globalThis.gc` when node runs with --expose-gc, else the flag set at
 * run time. Returns false when no collector could be reached (the figure is then taken without one).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const gcFunction = (): (() => void) | undefined => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const f: unknown = runInNewContext('gc');
    return typeof f === 'function' ? (f as () => void) : undefined;
  } catch {
    return undefined;
  }
};

/** Collects twice (finalizers, then what they freed); false when no collector is available. */
export const gc = (): boolean => {
  const g = gcFunction();
  if (g === undefined) return false;
  g();
  g();
  return true;
};
