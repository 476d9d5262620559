/**
 * Writes a GnucashBook as an uncompressed GnuCash 2.x/3.x+ XML file (`<gnc-v2>`, the namespaces GnuCash itself
 * declares, one `gnc:book` with its count-data, commodities, accounts and transactions), with xmlbuilder2 so that every
 * name and text is escaped and every prefix is bound. Amounts are GnuCash rationals exact from the Decimals; dates are
 * the trades' own, so the same book always gives the same bytes. Pure.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Commodity, GnucashBook } from './GnucashBook.ts';
import { fractionOf, rational } from './rational.ts';

const NS = 'http://www.gnucash.org/XML/';

/** The prefixes a GnuCash file declares on its root (gnc-v2), in GnuCash's own order. */
const PREFIXES = [
  'gnc', 'act', 'book', 'cd', 'cmdty', 'price', 'slot', 'split', 'sx', 'trn', 'ts', 'fs', 'bgt', 'recurrence', 'lot', 'addr', 'billterm',
  'bt-days', 'bt-prox', 'cust', 'employee', 'entry', 'invoice', 'job', 'order', 'owner', 'taxtable', 'tte', 'vendor',
] as const;

const pad = (n: number): string => String(n).padStart(2, '0');

/** GnuCash's timestamp text, in UTC: `2022-12-13 10:59:00 +0000`. */
export const gncDate = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
};

const gdate = (ms: number): string => gncDate(ms).slice(0, 10);

const commodityRef = (parent: XMLBuilder, name: string, c: Commodity): void => {
  parent.ele(name).ele('cmdty:space').txt(c.space).up().ele('cmdty:id').txt(c.id);
};

const slot = (slots: XMLBuilder, key: string, type: 'string' | 'gdate', value: string): void => {
  const v = slots.ele('slot').ele('slot:key').txt(key).up().ele('slot:value', { type });
  if (type === 'gdate') v.ele('gdate').txt(value);
  else v.txt(value);
};

/** Returns the XML text of a book. */
export const gnucashXml = (book: GnucashBook): string => {
  const root = create({ version: '1.0', encoding: 'utf-8' }).ele('gnc-v2', Object.fromEntries(PREFIXES.map((p) => [`xmlns:${p}`, `${NS}${p}`])));
  root.ele('gnc:count-data', { 'cd:type': 'book' }).txt('1');
  const b = root.ele('gnc:book', { version: '2.0.0' });
  b.ele('book:id', { type: 'guid' }).txt(book.guid);
  const bookSlots = b.ele('book:slots');
  slot(bookSlots, 'tradewarden-book', 'string', book.kind);
  slot(bookSlots, 'tradewarden-run', 'string', book.runId);
  b.ele('gnc:count-data', { 'cd:type': 'commodity' }).txt(String(book.commodities.length + 1));
  b.ele('gnc:count-data', { 'cd:type': 'account' }).txt(String(book.accounts.length));
  b.ele('gnc:count-data', { 'cd:type': 'transaction' }).txt(String(book.transactions.length));

  for (const c of [book.currency, ...book.commodities]) {
    const e = b.ele('gnc:commodity', { version: '2.0.0' });
    e.ele('cmdty:space').txt(c.space).up().ele('cmdty:id').txt(c.id).up().ele('cmdty:name').txt(c.name);
    e.ele('cmdty:fraction').txt(String(fractionOf(c.scale)));
  }

  for (const a of book.accounts) {
    const e = b.ele('gnc:account', { version: '2.0.0' });
    e.ele('act:name').txt(a.name).up().ele('act:id', { type: 'guid' }).txt(a.guid).up().ele('act:type').txt(a.type);
    commodityRef(e, 'act:commodity', a.commodity);
    e.ele('act:commodity-scu').txt(String(fractionOf(a.commodity.scale)));
    if (a.description !== '') e.ele('act:description').txt(a.description);
    if (a.placeholder) slot(e.ele('act:slots'), 'placeholder', 'string', 'true');
    if (a.parent !== undefined) e.ele('act:parent', { type: 'guid' }).txt(a.parent);
  }

  const byGuid = new Map(book.accounts.map((a) => [a.guid, a]));
  for (const t of book.transactions) {
    const e = b.ele('gnc:transaction', { version: '2.0.0' });
    e.ele('trn:id', { type: 'guid' }).txt(t.guid);
    commodityRef(e, 'trn:currency', book.currency);
    e.ele('trn:num').txt(t.num);
    e.ele('trn:date-posted').ele('ts:date').txt(gncDate(t.posted));
    // Entered when the trade happened, not when the file was written: the same run always gives the same bytes.
    e.ele('trn:date-entered').ele('ts:date').txt(gncDate(t.posted));
    e.ele('trn:description').txt(t.description);
    const slots = e.ele('trn:slots');
    slot(slots, 'date-posted', 'gdate', gdate(t.posted));
    slot(slots, 'notes', 'string', t.notes);
    const splits = e.ele('trn:splits');
    for (const s of t.splits) {
      const account = byGuid.get(s.account)!;
      const x = splits.ele('trn:split');
      x.ele('split:id', { type: 'guid' }).txt(s.guid);
      x.ele('split:memo').txt(s.memo);
      x.ele('split:reconciled-state').txt('n');
      x.ele('split:value').txt(rational(s.value, book.currency.scale));
      x.ele('split:quantity').txt(rational(s.quantity, account.commodity.scale));
      x.ele('split:account', { type: 'guid' }).txt(s.account);
    }
  }
  return `${root.end({ prettyPrint: true })}\n`;
};
