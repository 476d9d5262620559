/**
 * The ledger tests' source of truth: a real short PAPER demo session (config/default.yaml, the first bars of the
 * bundled data on the virtual clock) run into a fresh data directory, and a GnuCash XML reader built on a real XML
 * parser (fast-xml-parser) that turns the book back into accounts and splits with exact Decimal amounts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { XMLParser } from 'fast-xml-parser';
import { runSession, type SessionResult } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { Decimal } from '../../src/domain/money.ts';

/** Bars per symbol: enough for closed trades and positions still open at the end (about 4 s on the shared VM). */
export const DEMO_BARS = 400;

/** Runs the demo session into a new temporary data directory and returns it with the session's result. */
export const runDemo = async (prefix: string): Promise<{ readonly dataDir: string; readonly result: SessionResult }> => {
  const loaded = loadConfigFile('config/default.yaml');
  if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const result = await runSession({ config: loaded.right.config, configHash: loaded.right.hash, dataDir, version: 'test', commit: null, progress: () => undefined, barLimit: DEMO_BARS });
  return { dataDir, result };
};

/** One split as the file states it. */
export interface ParsedSplit {
  readonly account: string;
  readonly value: Decimal;
  readonly quantity: Decimal;
  readonly valueText: string;
}

/** One transaction as the file states it. */
export interface ParsedTransaction {
  readonly guid: string;
  readonly currency: string;
  readonly description: string;
  readonly posted: string;
  readonly splits: ReadonlyArray<ParsedSplit>;
}

/** A GnuCash book read back from its XML. */
export interface ParsedBook {
  readonly root: Record<string, unknown>;
  readonly counts: Readonly<Record<string, number>>;
  readonly commodities: ReadonlyArray<{ readonly space: string; readonly id: string; readonly fraction: string }>;
  readonly accounts: ReadonlyArray<{ readonly guid: string; readonly name: string; readonly type: string; readonly parent: string | undefined; readonly commodity: string; readonly fullName: string }>;
  readonly transactions: ReadonlyArray<ParsedTransaction>;
  readonly bookSlots: Readonly<Record<string, string>>;
}

const ARRAYS = new Set(['gnc:commodity', 'gnc:account', 'gnc:transaction', 'trn:split', 'slot', 'gnc:count-data']);

/** Returns the exact value of a GnuCash rational (`-150/100` → -1.5). */
export const fromRational = (text: string): Decimal => {
  const m = /^(-?\d+)\/(\d+)$/.exec(text);
  if (m === null) throw new Error(`not a GnuCash rational: ${text}`);
  return new Decimal(m[1]!).div(m[2]!);
};

type Node = Record<string, unknown>;
const text = (n: unknown): string => (typeof n === 'object' && n !== null ? String((n as Node)['#text']) : String(n));

/** Parses a GnuCash XML book with fast-xml-parser (throws on malformed XML). */
export const parseBook = (xml: string): ParsedBook => {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, isArray: (name) => ARRAYS.has(name) }).parse(xml, true) as Node;
  const root = doc['gnc-v2'] as Node;
  const book = root['gnc:book'] as Node;
  const counts = Object.fromEntries((book['gnc:count-data'] as Node[]).map((c) => [String(c['@cd:type']), Number(c['#text'])]));
  const commodities = (book['gnc:commodity'] as Node[]).map((c) => ({ space: text(c['cmdty:space']), id: text(c['cmdty:id']), fraction: text(c['cmdty:fraction']) }));
  const raw = (book['gnc:account'] as Node[]).map((a) => ({
    guid: text(a['act:id']), name: text(a['act:name']), type: text(a['act:type']), parent: a['act:parent'] === undefined ? undefined : text(a['act:parent']),
    commodity: `${text((a['act:commodity'] as Node)['cmdty:space'])}:${text((a['act:commodity'] as Node)['cmdty:id'])}`,
  }));
  const byGuid = new Map(raw.map((a) => [a.guid, a]));
  const fullName = (a: (typeof raw)[number]): string => {
    const parent = a.parent === undefined ? undefined : byGuid.get(a.parent);
    return parent === undefined || parent.type === 'ROOT' ? (a.type === 'ROOT' ? '' : a.name) : `${fullName(parent)}:${a.name}`;
  };
  const transactions = ((book['gnc:transaction'] as Node[] | undefined) ?? []).map((t) => ({
    guid: text(t['trn:id']),
    currency: text((t['trn:currency'] as Node)['cmdty:id']),
    description: text(t['trn:description']),
    posted: text((t['trn:date-posted'] as Node)['ts:date']),
    splits: ((t['trn:splits'] as Node)['trn:split'] as Node[]).map((s) => ({
      account: text(s['split:account']), value: fromRational(text(s['split:value'])), quantity: fromRational(text(s['split:quantity'])), valueText: text(s['split:value']),
    })),
  }));
  const bookSlots = Object.fromEntries(((book['book:slots'] as Node)['slot'] as Node[]).map((s) => [text(s['slot:key']), text(s['slot:value'])]));
  return { root, counts, commodities, accounts: raw.map((a) => ({ ...a, fullName: fullName(a) })), transactions, bookSlots };
};

/** Returns the sum of the split values of an account (by full name) and of its sub-accounts. */
export const balanceUnder = (book: ParsedBook, name: string): Decimal => {
  const guids = new Set(book.accounts.filter((a) => a.fullName === name || a.fullName.startsWith(`${name}:`)).map((a) => a.guid));
  return book.transactions.flatMap((t) => t.splits).filter((s) => guids.has(s.account)).reduce((a, s) => a.plus(s.value), new Decimal(0));
};
