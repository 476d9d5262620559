import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSim, type RunningSim } from '../../src/app/sim.ts';
import { dec } from '../../src/domain/money.ts';
import { runCli } from '../support/runCli.ts';

// The CLI runs as a child process; the simulator runs here on loopback, so the test can seed venue-side divergences.
const cli = runCli;

let sim: RunningSim;
beforeAll(async () => {
  sim = await runSim({ venue: 'bybit', port: 0, speed: 1, seed: 3, dataFiles: ['data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv'] });
});
afterAll(async () => {
  await sim.stop();
});

describe('X-REC-1 tradewarden reconcile against a simulator that outlives the runtime', () => {
  it('exits 4 on a seeded divergence, settles it with --apply, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-reconcile-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `mode: PAPER\nbotId: tw\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    environment: sim\n    simUrl: ${sim.server.url}\nsim:\n  speed: 1\n`);
    // An orphan: an order carrying our id prefix that no journal intent explains (a crash between send and journal).
    const last = sim.exchange.ticker('BTCUSDT').lastPrice;
    const placed = sim.exchange.placeOrder({
      account: 'main', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.001'), price: last.times('0.9').toDecimalPlaces(1),
      timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false, clientOrderId: 'tw-breakout-zz-0',
    });
    expect(placed.ok).toBe(true);
    // Without a journal there is nothing to reconcile against (and nothing a run may trust): journal init reads the
    // venue and starts one whose id space is past the orphan's.
    const none = await cli(['reconcile', '--config', config, '--data-dir', dir]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('journal init');
    const init = await cli(['journal', 'init', '--config', config, '--data-dir', dir]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('1 open order(s) of ours');
    const before = await cli(['reconcile', '--config', config, '--data-dir', dir]);
    expect(before.code, before.stderr).toBe(4);
    expect(before.stdout).toMatch(/orphan_order .*tw-breakout-zz-0/);
    expect(sim.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).toContain('tw-breakout-zz-0');

    const applied = await cli(['reconcile', '--config', config, '--data-dir', dir, '--apply']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(sim.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).not.toContain('tw-breakout-zz-0');

    const after = await cli(['reconcile', '--config', config, '--data-dir', dir]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('no differences');
  });

  it('refuses (exit 3) without a venue that outlives the process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-reconcile-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'mode: PAPER\n');
    const r = await cli(['reconcile', '--config', config, '--data-dir', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('simUrl');
  });
});
