/**
 * `npm run bench`: runs every bench module in sequence and prints one `bench <name> <value> <unit>` line per figure.
 * Benches are measurements, never pass/fail: a module that throws (or is missing) is reported as a line and on stderr,
 * and the run goes on; the process always exits 0.
 */
import { performance } from 'node:perf_hooks';

/** One measured figure, as every bench module returns them. */
interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

type BenchFn = () => Promise<ReadonlyArray<Figure>>;

/** The bench modules, in run order: the module file (relative to this one), its export, and a short id for error lines. */
const MODULES: ReadonlyArray<{ readonly id: string; readonly file: string; readonly exportName: string }> = [
  { id: 'sim_engine', file: './simEngine.bench.ts', exportName: 'benchSimEngine' },
  { id: 'bybit_adapter', file: './bybitAdapter.bench.ts', exportName: 'benchBybitAdapter' },
  { id: 'journal', file: './journal.bench.ts', exportName: 'benchJournal' },
  { id: 'risk', file: './risk.bench.ts', exportName: 'benchRisk' },
  { id: 'runtime', file: './runtime.bench.ts', exportName: 'benchRuntime' },
  { id: 'kill', file: './kill.bench.ts', exportName: 'benchKill' },
  { id: 'restart', file: './restart.bench.ts', exportName: 'benchRestart' },
  { id: 'backtest', file: './backtest.bench.ts', exportName: 'benchBacktest' },
  { id: 'sweep', file: './sweep.bench.ts', exportName: 'benchSweep' },
  { id: 'scale', file: './scale.bench.ts', exportName: 'benchScale' },
];

/** Makes a name or unit one whitespace-free token (modules use readable names; the output is meant for `awk`). */
const token = (s: string): string => {
  const t = s
    .trim()
    .replace(/[\s,;:()[\]{}"'=+]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return t === '' ? 'unnamed' : t;
};

/** Formats a value with at most 6 significant digits after the point for small values; integers stay integers. */
const formatValue = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) return v.toFixed(1);
  if (abs >= 1) return String(Number(v.toFixed(3)));
  return String(Number(v.toPrecision(4)));
};

const line = (name: string, value: number, unit: string): void => {
  console.log(`bench ${token(name)} ${formatValue(value)} ${token(unit)}`);
};

const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

const loadBench = async (file: string, exportName: string): Promise<BenchFn | undefined> => {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(file)) as Record<string, unknown>;
  } catch (e) {
    // A bench still being written by someone else is skipped, not an error of the run.
    if (e instanceof Error && (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(file.replace('./', ''))) return undefined;
    throw e;
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${file} does not export a function ${exportName}`);
  return fn as BenchFn;
};

const main = async (): Promise<void> => {
  const started = performance.now();
  for (const m of MODULES) {
    const t0 = performance.now();
    try {
      const fn = await loadBench(m.file, m.exportName);
      if (fn === undefined) {
        line(`${m.id}_skipped`, 1, 'count');
        console.error(`bench ${m.id}: ${m.file} not found, skipped`);
        continue;
      }
      const figures = await fn();
      for (const f of figures) line(f.name, f.value, f.unit);
    } catch (e) {
      line(`${m.id}_error`, 1, 'count');
      console.error(`bench ${m.id} failed: ${message(e)}`);
      if (e instanceof Error && e.stack !== undefined) console.error(e.stack);
    }
    line(`${m.id}_bench_wall_time`, (performance.now() - t0) / 1000, 's');
  }
  line('total_bench_wall_time', (performance.now() - started) / 1000, 's');
};

try {
  await main();
} catch (e) {
  console.error(`bench runner failed: ${message(e)}`);
}
// Exit explicitly (after stdout drains): a bench that leaves a socket or timer behind must not hang the run.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(0);
