/**
 * The Telegram commands (issue 15 item 4): parsing a message's text into a command, and running it against the one
 * control service (`OpsSource`, the same as the HTTP control routes) with `who: telegram:<chat id>` and a reason,
 * so every action is journaled (OPERATOR_CONTROL) and goes through the kill switch or the RiskEngine. Replies are
 * short texts built from the StatusView (money as its decimal strings) and, for a window of days, from the journals'
 * closed trades. Unknown or malformed commands get a polite reply; nothing here throws on user input.
 */
import { Decimal } from '../../domain/money.ts';
import type { Journal } from '../../journal/Journal.ts';
import type { ControlOutcome, OpsSource, StatusView } from '../../ops/types.ts';
import { compileCron, ScheduleError } from '../schedule/cron.ts';
import { formatInZones } from '../schedule/displayTime.ts';
import { percentText, periodStats, signedText } from '../schedule/periodStats.ts';
import { tradingText } from '../schedule/reportText.ts';
import { hashtag } from '../templates/format.ts';

/** A command tradewarden obeys. */
export type TelegramCommand =
  | { readonly kind: 'status' }
  | { readonly kind: 'positions' }
  | { readonly kind: 'profit'; readonly days: number | undefined }
  | { readonly kind: 'balance' }
  | { readonly kind: 'daily'; readonly days: number }
  | { readonly kind: 'stop'; readonly reason: string | undefined }
  | { readonly kind: 'start'; readonly reason: string | undefined }
  | { readonly kind: 'forceexit'; readonly symbol: string }
  | { readonly kind: 'help' };

/** A parsed message: a command, or the polite reply to a command that cannot be run. */
export type ParsedCommand = { readonly ok: true; readonly command: TelegramCommand } | { readonly ok: false; readonly name: string; readonly reply: string };

/** The commands and what they do, in `/help` order. */
export const COMMAND_HELP: ReadonlyArray<readonly [string, string]> = [
  ['/status', 'trading on or off and why, kill switch, positions, orders'],
  ['/positions', 'open positions with their protection'],
  ['/profit [days]', 'the session\'s PnL, or the trades closed in the last days'],
  ['/balance', 'equity of each account'],
  ['/daily [days]', 'PnL per day, today first (default 7 days)'],
  ['/stop [reason]', 'engage the kill switch: no new entries, working orders cancelled'],
  ['/start [reason]', 'clear the kill switch'],
  ['/forceexit <symbol>', 'close the position of a symbol (reduce-only, through the RiskEngine)'],
  ['/help', 'this list'],
];

const SYMBOL = /^[A-Z0-9][A-Z0-9._/-]{1,30}$/;
const MAX_REPLY = 3_900;
const DAY_MS = 86_400_000;

const usage = (name: string, text: string): ParsedCommand => ({ ok: false, name, reply: `Usage: ${text}` });

const daysOf = (arg: string | undefined, max: number): number | undefined | 'bad' => {
  if (arg === undefined) return undefined;
  if (!/^\d{1,4}$/.test(arg)) return 'bad';
  const n = Number(arg);
  return n >= 1 && n <= max ? n : 'bad';
};

/**
 * Parses a message's text; returns undefined when it is not a command (plain text) or is addressed to another bot
 * (`/status@other_bot` when `botUsername` is known).
 */
export const parseCommand = (text: string, botUsername?: string): ParsedCommand | undefined => {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (m === null) return undefined;
  if (m[2] !== undefined && botUsername !== undefined && m[2].toLowerCase() !== botUsername.toLowerCase()) return undefined;
  const name = m[1]!.toLowerCase();
  const rest = (m[3] ?? '').trim();
  const args = rest === '' ? [] : rest.split(/\s+/);
  const reason = rest === '' ? undefined : rest.slice(0, 200);
  switch (name) {
    case 'status':
    case 'positions':
    case 'balance':
    case 'help':
      return { ok: true, command: { kind: name } };
    case 'profit': {
      const days = daysOf(args[0], 365);
      return days === 'bad' || args.length > 1 ? usage(name, '/profit [days], days a whole number from 1 to 365') : { ok: true, command: { kind: 'profit', days } };
    }
    case 'daily': {
      const days = daysOf(args[0], 31);
      return days === 'bad' || args.length > 1 ? usage(name, '/daily [days], days a whole number from 1 to 31') : { ok: true, command: { kind: 'daily', days: days ?? 7 } };
    }
    case 'stop':
    case 'start':
      return { ok: true, command: { kind: name, reason } };
    case 'forceexit': {
      const symbol = (args[0] ?? '').replace(/^#/, '').toUpperCase();
      return args.length !== 1 || !SYMBOL.test(symbol) ? usage(name, '/forceexit <symbol>, e.g. /forceexit BTCUSDT') : { ok: true, command: { kind: 'forceexit', symbol } };
    }
    default:
      return { ok: false, name, reply: `Unknown command /${name}. Send /help for the list.` };
  }
};

/** What a command runs against. */
export interface CommandContext {
  readonly source: OpsSource;
  /** `telegram:<chat id>`. */
  readonly who: string;
  /** The journals whose closed trades `/profit <days>` and `/daily` count. */
  readonly journals: ReadonlyArray<Journal>;
  /** The zone of `/daily`'s days and of displayed times. */
  readonly timeZone: string;
}

const outcomeText = (o: ControlOutcome): string => (o.ok ? o.detail : `Refused: ${o.detail}`);
const signed = (text: string | null): string => (text === null ? 'n/a' : signedText(new Decimal(text)));

const statusText = (s: StatusView, zone: string): string => {
  const accounts = s.accounts.map((a) => `${a.name}: ${a.tradingState}, kill switch ${a.killSwitch.engaged ? `ENGAGED (${a.killSwitch.reason ?? 'no reason'})` : 'off'}, gate ${a.gateOpen ? 'open' : 'closed'}`);
  return [
    `Status ${formatInZones(s.at, [zone])}`,
    `Session: ${s.phase}, ${s.mode}, profile ${s.profile}`,
    `Trading: ${tradingText(s)}`,
    ...accounts,
    `Positions: ${String(s.positions.length)}, working orders: ${String(s.workingOrders.length)}`,
    `PnL: realized ${signed(s.pnl.realized)}, unrealized ${signed(s.pnl.unrealized)}, fees ${s.pnl.fees}`,
  ].join('\n');
};

const positionsText = (s: StatusView): string =>
  s.positions.length === 0
    ? 'No open positions.'
    : ['Open positions:', ...s.positions.map((p) => `${hashtag(p.symbol)} ${p.side} ${p.quantity} @ ${p.entryPrice}, mark ${p.markPrice ?? 'n/a'}, uPnL ${signed(p.unrealizedPnl)}, SL ${p.stopLoss ?? 'none'}, TP ${p.takeProfit ?? 'none'}`)].join('\n');

const balanceText = (s: StatusView): string =>
  [
    ...s.accounts.map((a) => `${a.name}: equity ${a.equity ?? 'n/a'} (started ${a.startingBalance ?? 'n/a'})`),
    `Total equity: ${s.pnl.equity ?? 'n/a'}, today ${signed(s.pnl.dailyChange)}, drawdown ${s.pnl.drawdown === null ? 'n/a' : percentText(new Decimal(s.pnl.drawdown))}`,
  ].join('\n');

const profitText = (s: StatusView, days: number | undefined, journals: ReadonlyArray<Journal>): string => {
  if (days === undefined) {
    const c = s.counters;
    const rate = c.trades === 0 ? undefined : new Decimal(c.wins).div(c.trades);
    return [`Session profit: realized ${signed(s.pnl.realized)}, fees ${s.pnl.fees}, unrealized ${signed(s.pnl.unrealized)}`, `Trades: ${String(c.trades)} (${String(c.wins)} won, ${String(c.losses)} lost), win rate ${percentText(rate)}`].join('\n');
  }
  const p = periodStats(journals, s.at - days * DAY_MS, s.at + 1);
  return [
    `Profit, last ${String(days)} day${days === 1 ? '' : 's'}: PnL ${signedText(p.pnl)}, fees ${p.fees.toString()}`,
    `Trades: ${String(p.trades)} (${String(p.wins)} won, ${String(p.losses)} lost), win rate ${percentText(p.winRate)}`,
    ...(p.symbols.length === 0 ? [] : [`By symbol: ${p.symbols.slice(0, 5).map((x) => `${hashtag(x.symbol)} ${signedText(x.pnl)} (${String(x.trades)})`).join(', ')}`]),
  ].join('\n');
};

const dailyText = (s: StatusView, days: number, ctx: CommandContext): string => {
  // Local midnights from the same cron code as the reports, so a 23- or 25-hour day is one day.
  const midnight = compileCron('daily', '0 0 * * *', ctx.timeZone);
  if (midnight instanceof ScheduleError) return `Cannot show days: ${midnight.message}`;
  const lines = [`PnL per day (${ctx.timeZone}):`];
  let end = s.at + 1;
  let start = midnight.latestAtOrBefore(s.at);
  for (let i = 0; i < days && start !== undefined; i++) {
    const p = periodStats(ctx.journals, start, end);
    const date = formatInZones(start, [ctx.timeZone]).slice(0, 10);
    lines.push(`${date}${i === 0 ? ' (so far)' : ''}: ${String(p.trades)} trades, PnL ${signedText(p.pnl)}, fees ${p.fees.toString()}`);
    end = start;
    start = midnight.previousBefore(start);
  }
  return lines.join('\n');
};

/** Runs a command and returns the reply text. Control actions carry `who` and a reason; their refusals are replied. */
export const runCommand = async (command: TelegramCommand, ctx: CommandContext): Promise<string> => {
  const { source, who } = ctx;
  const text = await (async (): Promise<string> => {
    switch (command.kind) {
      case 'status':
        return statusText(source.status(), ctx.timeZone);
      case 'positions':
        return positionsText(source.status());
      case 'balance':
        return balanceText(source.status());
      case 'profit':
        return profitText(source.status(), command.days, ctx.journals);
      case 'daily':
        return dailyText(source.status(), command.days, ctx);
      case 'stop':
        return outcomeText(await source.control.kill({ who, reason: command.reason ?? 'telegram /stop', flatten: false }));
      case 'start':
        return outcomeText(await source.control.resume({ who, reason: command.reason ?? 'telegram /start' }));
      case 'forceexit':
        return outcomeText(await source.control.flatten(command.symbol, { who, reason: `telegram /forceexit ${command.symbol}` }));
      case 'help':
        return ['Commands:', ...COMMAND_HELP.map(([c, what]) => `${c}: ${what}`)].join('\n');
    }
  })();
  return text.length > MAX_REPLY ? `${text.slice(0, MAX_REPLY)}\n…` : text;
};
