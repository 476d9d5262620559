/**
 * Rule 1 — switches and trading windows (X-MOD-5, S4-12): the global disable-all switch, per-symbol disables and the
 * profile's daily windows in its IANA zone. Exits stay allowed outside windows (closing risk is never blocked by
 * the clock). Pure; performs no I/O.
 */
import type { TradingWindow } from '../RiskConfig.ts';
import { veto, type Check } from './types.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
};
const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Returns the ISO weekday (1 = Monday) and minute of day of an instant in an IANA zone. */
export const zonedWeekdayMinute = (ts: number, timeZone: string): { readonly weekday: number; readonly minute: number } => {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(ts)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minute: hour * 60 + minute };
};

const toMinute = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Returns whether an instant lies inside any window (start inclusive, end exclusive); no windows = always open. */
export const isInsideTradingWindows = (ts: number, timeZone: string, windows: ReadonlyArray<TradingWindow>): boolean => {
  if (windows.length === 0) return true;
  const { weekday, minute } = zonedWeekdayMinute(ts, timeZone);
  const previousDay = weekday === 1 ? 7 : weekday - 1;
  return windows.some((w) => {
    const start = toMinute(w.start);
    const end = toMinute(w.end);
    const onDay = (d: number): boolean => w.days === undefined || w.days.includes(d);
    if (start < end) return onDay(weekday) && minute >= start && minute < end;
    // Wrapping window (e.g. 22:00–02:00): the evening part belongs to today, the morning part to yesterday's window.
    return (onDay(weekday) && minute >= start) || (onDay(previousDay) && minute < end);
  });
};

/** Vetoes when trading is switched off globally or for the symbol, or an entry falls outside the trading windows. */
export const modeWindow: Check = (ctx) => {
  const { config, proposal, now } = ctx;
  if (config.disableAllTrades) return veto('trading_disabled', 'switch', 'disabled', 'enabled', 'disabled', 'all trades are disabled by config');
  if (config.disabledSymbols.includes(proposal.symbol)) {
    return veto('symbol_disabled', 'switch', 'disabled', 'enabled', 'disabled', `${proposal.symbol} is disabled by config`);
  }
  const { timeZone, windows } = config.tradingWindows;
  if (ctx.intent === 'entry' && !isInsideTradingWindows(now, timeZone, windows)) {
    const { minute } = zonedWeekdayMinute(now, timeZone);
    const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    const limit = windows.map((w) => `${w.start}-${w.end}`).join(',');
    return veto('outside_trading_window', 'trading_window', hhmm, hhmm, limit, `${hhmm} ${timeZone} is outside the trading windows ${limit}`);
  }
  return undefined;
};
