import { Either } from 'effect';
import { runPaperLoopback } from '../../src/app/paperLoopback.ts';
import { loadConfigFile } from '../../src/config/load.ts';
const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error('x');
const base = loaded.right.config;
const speed = Number(process.argv[2] ?? 600);
const bars = Number(process.argv[3] ?? 150);
const faults = process.argv[4] ?? '';
const config = { ...base, sim: { ...base.sim, clock: 'accelerated' as const, speed, faults },
  risk: { ...base.risk, staleness: { ...base.risk.staleness, quoteMaxAgeMs: 20_000 } } };
const t0 = Date.now();
let reconnects = 0;
const r = await runPaperLoopback({ config, configHash: loaded.right.hash, dataDir: '/tmp/lbdata', version: 't', commit: null, progress: (l) => console.log(l), barLimit: bars, onPrivateReconnect: () => { reconnects++; } });
const s = r.summary;
console.log(Date.now() - t0, 'privReconnects', reconnects, JSON.stringify({ ...s, tradeList: undefined, configHash: undefined }).slice(0, 2500));
