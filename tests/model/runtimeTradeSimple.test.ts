/**
 * X-TST-4 / X-RT-3: bounded simple paths of the trade chart (exactly 5 events, no graph state twice) run on the real
 * runtime over the simulator (runtimeSupport.ts says how each event is produced). Must not inject venue events.
 */
import { describe } from 'vitest';
import { generateRuntimePaths, runPaths } from './runtimeSupport.ts';

// Bound: simple paths of exactly 5 events, every 10th in depth-first order (193 of ≈ 1 930 realizable ones).
const { paths } = generateRuntimePaths({ modes: ['rest', 'offGrid'], maxDepth: 0, simpleDepth: 5, simpleStride: 10 });

describe('X-TST-4 X-RT-3 simple trade-chart paths on the real runtime and simulator', () => {
  runPaths('simple', paths.filter((p) => p.kind === 'simple'));
});
