/**
 * Child process for the state files' kill -9 test (S4-8): runs the real state publisher on the state directory at
 * argv[2] and publishes in a tight loop — status views of seeded random size (up to a few hundred positions, so a file
 * spans many pages and a kill can land mid-write) — printing `ready` after the first publish. The parent SIGKILLs it
 * at random instants. Test support only; it exits by itself after a few seconds.
 */
import { writeSync } from 'node:fs';
import { wallClock } from '../../src/kernel/Clock.ts';
import { startStatePublisher } from '../../src/ops/stateFiles.ts';
import type { PositionStatus } from '../../src/ops/types.ts';
import { opsSourceOf, sampleStatus } from './statusViews.ts';

const [dir, seedText] = process.argv.slice(2);
if (dir === undefined || seedText === undefined) {
  writeSync(2, 'usage: statePublisherChild <state dir> <seed>\n');
  process.exit(2);
}

// mulberry32: a small seeded PRNG, so a failing run can be replayed with the same seed.
let state = Number(seedText) >>> 0;
const random = (): number => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

let n = 0;
const source = opsSourceOf(() => {
  n += 1;
  const positions: PositionStatus[] = Array.from({ length: Math.floor(random() * 400) }, (_, i) => ({
    account: 'main', symbol: `SYM${String(i)}USDT`, side: i % 2 === 0 ? 'long' : 'short', quantity: `${String(n)}.${String(i)}`, entryPrice: '100.25',
    markPrice: random() < 0.5 ? null : '101', unrealizedPnl: '0.75', takeProfit: random() < 0.2 ? null : '110', stopLoss: '95', protected: true,
  }));
  return sampleStatus({ positions, counters: { proposals: n, intents: n, ordersSent: n, fills: n, trades: 0, wins: 0, losses: 0, restarts: 0 } });
});

// The schedule is never used: this child publishes by hand as fast as it can.
const publisher = startStatePublisher({ dir, source, schedule: () => () => undefined, now: () => wallClock.now(), everyMs: 60_000, onError: (e) => writeSync(2, `publish failed: ${String(e)}\n`) });
writeSync(1, 'ready\n');
const stopAt = wallClock.now() + 5_000;
while (wallClock.now() < stopAt) publisher.publishNow();
publisher.stop();
writeSync(1, 'done\n');
