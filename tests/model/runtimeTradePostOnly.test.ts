/**
 * X-TST-4 / X-RT-3 / X-ORD post-only re-pricing: the trade-chart paths whose entry the venue refuses as post-only
 * (would take liquidity), run on the real runtime over the simulator. Shortest, cover and 5-event simple paths.
 */
import { describe } from 'vitest';
import { generateRuntimePaths, runPaths } from './runtimeSupport.ts';

const { paths } = generateRuntimePaths({ modes: ['crossOnce', 'crossTwice'], maxDepth: 6, simpleDepth: 5, simpleStride: 10 });

describe('X-TST-4 X-RT-3 post-only trade-chart paths on the real runtime and simulator', () => {
  runPaths('post-only', paths);
});
