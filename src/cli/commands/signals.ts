/**
 * `tradewarden signals parse --file <file|-> [--tick SYMBOL=TICK]… [--json]`: reads channel messages (a file of one
 * or more, separated by lines of `---`; `-` reads stdin to its end), parses each with the S0 signal parser against the
 * simulator's Bybit linear instruments (BTCUSDT, ADAUSDT) plus any `--tick` symbols, and prints what it would do —
 * accepted: symbol, side, mode, leverage, entries, targets, stop and whether the auto-SL applies; refused: the reason.
 * Exit 0 when every message is accepted, 1 when any is refused, 2 for a usage error. Places no order (docs/signals.md).
 */
import { readFileSync } from 'node:fs';
import type { Instrument } from '../../domain/Instrument.ts';
import { parseDecimal, type Decimal } from '../../domain/money.ts';
import { exact, leverage } from '../../notify/templates/format.ts';
import { excerptOf, parseSignal, refusalReason, refusalText, type ParseContext, type Signal, type SignalRefusal, type SignalResult } from '../../signals/index.ts';
import { BYBIT_LINEAR_PROFILE } from '../../venues/sim/bybit/profile.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** The flags of `signals parse`. */
export interface SignalsParseOptions {
  /** The messages file, or `-` for stdin. */
  readonly file: string;
  /** `SYMBOL=TICK` pairs that list more symbols. */
  readonly ticks: ReadonlyArray<string>;
}

/** A usage problem: printed, exit 2. */
class UsageProblem extends Error {}

/** Returns the messages of a file: the blocks between lines of `---`, blank ones skipped, each trimmed. */
export const splitMessages = (text: string): string[] => {
  const blocks: string[][] = [[]];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '---') blocks.push([]);
    else blocks[blocks.length - 1]!.push(line);
  }
  return blocks.map((b) => b.join('\n').trim()).filter((m) => m !== '');
};

const readAll = async (file: string): Promise<string> => {
  if (file !== '-') {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageProblem(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
};

/** Returns the instrument with another tick: the venue's limits kept, the price range on the new tick. */
const withTick = (instrument: Instrument, tickSize: Decimal): Instrument => ({ ...instrument, tickSize, minPrice: tickSize, maxPrice: tickSize.times(1e9) });

/**
 * Returns the parser's instruments: the simulator's Bybit linear table, and for each `--tick SYMBOL=TICK` that symbol
 * as the profile lists an unknown `…USDT` perpetual (25× max, 5 USDT min notional), on that tick.
 */
export const instrumentsOf = (ticks: ReadonlyArray<string>): ParseContext => {
  const extra = new Map<string, Instrument>();
  for (const spec of ticks) {
    const m = /^([A-Za-z0-9]+)=(.+)$/.exec(spec.trim());
    const symbol = m?.[1]?.toUpperCase();
    const tick = m === null ? undefined : parseDecimal(m[2]!);
    if (symbol === undefined || !symbol.endsWith('USDT') || symbol === 'USDT') throw new UsageProblem(`--tick ${JSON.stringify(spec)}: expected SYMBOL=TICK with a …USDT symbol, e.g. ETHUSDT=0.01`);
    if (tick === undefined || !tick.isFinite() || tick.lte(0)) throw new UsageProblem(`--tick ${JSON.stringify(spec)}: the tick must be a positive decimal, e.g. 0.01`);
    const listed = BYBIT_LINEAR_PROFILE.instrument(symbol) ?? BYBIT_LINEAR_PROFILE.instrument(symbol, tick.times(10_000));
    if (listed === undefined) throw new UsageProblem(`--tick ${JSON.stringify(spec)}: the Bybit profile cannot list ${symbol}`);
    extra.set(symbol, withTick(listed, tick));
  }
  return { instrument: (symbol) => extra.get(symbol) ?? BYBIT_LINEAR_PROFILE.instrument(symbol) };
};

const prices = (ps: ReadonlyArray<Decimal>): string => ps.map(exact).join(', ');

/** The lines that say what an accepted signal would do. */
const acceptedLines = (index: number, s: Signal): string[] => [
  `#${String(index)} accepted: ${s.symbol} ${s.side.toUpperCase()} ${s.mode}, leverage ${leverage(s.plan.leverage)}${s.plan.autoSl ? ' (locked: no stop loss in the signal)' : ''}`,
  `   entries   ${prices(s.entries)}`,
  `   targets   ${s.targets.map((t, i) => `TP${String(i + 1)} ${exact(t)}`).join(', ')}`,
  `   stop loss ${exact(s.plan.stopLoss)}${s.plan.autoSl ? ` (auto-SL: 2 % from ${exact(s.entries[0]!)})` : ''}`,
  `   sha256    ${s.rawHash}`,
];

/** The lines that say why a message was refused. */
const refusedLines = (index: number, refusal: SignalRefusal, text: string): string[] => [
  `#${String(index)} refused [${refusal._tag}]${refusal.symbol === undefined ? '' : ` ${refusal.symbol}`}: ${refusalReason(refusal)}`,
  `   message   “${excerptOf(text)}”`,
];

/** The `--json` record of one message. */
const jsonOf = (index: number, text: string, r: SignalResult): Record<string, unknown> =>
  r.ok
    ? {
        index,
        accepted: true,
        signal: {
          symbol: r.signal.symbol,
          side: r.signal.side,
          mode: r.signal.mode,
          entries: r.signal.entries.map(exact),
          targets: r.signal.targets.map(exact),
          stopLoss: r.signal.stopLoss === undefined ? null : exact(r.signal.stopLoss),
          leverage: r.signal.leverage === undefined ? null : exact(r.signal.leverage),
          plan: { leverage: r.signal.plan.leverage.toFixed(2), stopLoss: exact(r.signal.plan.stopLoss), autoSl: r.signal.plan.autoSl },
          rawHash: r.signal.rawHash,
        },
      }
    : { index, accepted: false, reason: r.error._tag, refusal: r.error, text: refusalText(r.error, text) };

/** Runs `signals parse`. */
export const signalsParseCommand = async (io: CliIo, opts: SignalsParseOptions, global: GlobalOptions): Promise<number> => {
  let messages: string[];
  let ctx: ParseContext;
  try {
    ctx = instrumentsOf(opts.ticks);
    messages = splitMessages(await readAll(opts.file));
    if (messages.length === 0) throw new UsageProblem(`no message in ${opts.file === '-' ? 'stdin' : opts.file} (messages are separated by lines of ---)`);
  } catch (e) {
    if (!(e instanceof UsageProblem)) throw e;
    io.err(`signals parse: ${e.message}`);
    return ExitCode.usage;
  }
  const results = messages.map((text) => parseSignal(text, ctx));
  const refused = results.filter((r) => !r.ok).length;
  const exit = refused === 0 ? ExitCode.ok : ExitCode.runtimeFailure;
  if (global.json) {
    io.out(JSON.stringify({ file: opts.file, messages: results.map((r, i) => jsonOf(i + 1, messages[i]!, r)), accepted: results.length - refused, refused, exitCode: exit }, null, 2));
    return exit;
  }
  results.forEach((r, i) => {
    for (const line of r.ok ? acceptedLines(i + 1, r.signal) : refusedLines(i + 1, r.error, messages[i]!)) io.out(line);
  });
  io.out(`${String(results.length)} message${results.length === 1 ? '' : 's'}: ${String(results.length - refused)} accepted, ${String(refused)} refused`);
  return exit;
};
