/**
 * The run summary of a session: each account's figures (RunStats, exact decimals), and for a session of several
 * accounts their sum — counts and money added up exactly, lists joined with each entry's account — so per-trade PnL
 * and fees still add up to the session's balance change. Written as `<runDir>/summary.json` as the last step.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../domain/money.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';

type Summary = Record<string, unknown>;

const DECIMAL = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Adds two summary values of one key: numbers and decimal strings sum exactly, lists join, records add key by key. */
const add = (a: unknown, b: unknown): unknown => {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string' && DECIMAL.test(a) && DECIMAL.test(b)) return new Decimal(a).plus(b).toString();
  if (Array.isArray(a) && Array.isArray(b)) return [...(a as unknown[]), ...(b as unknown[])];
  if (isPlain(a) && isPlain(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? add(out[k], v) : v;
    return out;
  }
  return a ?? b;
};

/** Returns a summary whose list entries (trades, open positions) carry the account they belong to. */
const tagLists = (summary: Summary, account: string): Summary =>
  Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, Array.isArray(v) ? v.map((x: unknown) => (isPlain(x) ? { account, ...x } : x)) : v]));

/**
 * Returns the session summary: `extra` (run id, clock, …), then the figures — one account's as they are, several
 * accounts' summed (money exactly), with `accounts` holding each account's own summary.
 */
export const sessionSummary = (extra: Summary, perAccount: ReadonlyArray<{ readonly name: string; readonly summary: Summary }>): Summary => {
  if (perAccount.length === 1) return { ...extra, accounts: [perAccount[0]!.name], ...perAccount[0]!.summary };
  const total = perAccount.map((a) => tagLists(a.summary, a.name)).reduce((sum, s) => add(sum, s) as Summary);
  return { ...extra, ...total, accounts: Object.fromEntries(perAccount.map((a) => [a.name, a.summary])) };
};

/** Adds the journals' verdict to a run summary, writes `<runDir>/summary.json` and logs it (the last step of every run). */
export const finishRunSummary = (summary: Summary, journals: ReadonlyArray<Journal>, runDir: string, logger: Logger): void => {
  summary['journalChainIntact'] = journals.every((j) => j.verify().ok);
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  logger.info({ event: 'summary', ...summary }, 'run_finished');
};
