/**
 * X-TST-4 / X-RT-3: the shortest realizable path to every graph state of the trade chart plus a transition-cover path
 * for every other chart transition the venue can produce, run on the real runtime over the simulator (runtimeSupport.ts
 * says how each event is produced). Entries rest or are refused; post-only re-pricing is in runtimeTradePostOnly.test.ts.
 */
import { describe } from 'vitest';
import { generateRuntimePaths, runPaths } from './runtimeSupport.ts';

// Search depth 8: 122 graph states (+ 46 cover paths) in ~5 s of search; deeper states differ only in bounded counters.
const { paths } = generateRuntimePaths({ modes: ['rest', 'offGrid'], maxDepth: 8, simpleDepth: 0, simpleStride: 1 });

describe('X-TST-4 X-RT-3 shortest and transition-cover trade-chart paths on the real runtime and simulator', () => {
  runPaths('shortest+cover', paths);
});
