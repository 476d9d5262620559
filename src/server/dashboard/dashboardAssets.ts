/**
 * The web dashboard's files for the operations server (issue 14 item 4): the login page, the dashboard page, their
 * script and stylesheet, and uPlot's script and stylesheet read once from node_modules (no CDN, no build step). The
 * page only reads state surfaces and calls control endpoints (X-OBS-3); this module performs no I/O but reading uPlot.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DashboardAssets } from '../dashboardAssets.ts';
import { DASHBOARD_HTML } from './dashboardPage.ts';
import { DASHBOARD_JS } from './dashboardScript.ts';
import { DASHBOARD_CSS } from './dashboardStyle.ts';
import { LOGIN_HTML, LOGIN_JS } from './loginPage.ts';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0f172a"/><path d="M3 11l3-4 3 2 4-5" stroke="#22c55e" stroke-width="2" fill="none"/></svg>';

type UplotFile = 'uPlot.iife.min.js' | 'uPlot.min.css';

const readUplot = (file: UplotFile): string => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`), 'utf8');

/** Returns the dashboard's pages and assets; uPlot's files are read on first request and kept. */
export const dashboardAssets = (): DashboardAssets => {
  const uplot = new Map<UplotFile, string>();
  const uplotFile = (file: UplotFile): string => {
    const cached = uplot.get(file);
    if (cached !== undefined) return cached;
    const body = readUplot(file);
    uplot.set(file, body);
    return body;
  };
  const assets: Readonly<Record<string, () => { contentType: string; body: string }>> = {
    'dashboard.js': () => ({ contentType: JS, body: DASHBOARD_JS }),
    'dashboard.css': () => ({ contentType: CSS, body: DASHBOARD_CSS }),
    'login.js': () => ({ contentType: JS, body: LOGIN_JS }),
    'favicon.svg': () => ({ contentType: 'image/svg+xml', body: FAVICON }),
    'uPlot.iife.min.js': () => ({ contentType: JS, body: uplotFile('uPlot.iife.min.js') }),
    'uPlot.min.css': () => ({ contentType: CSS, body: uplotFile('uPlot.min.css') }),
  };
  return {
    loginHtml: () => LOGIN_HTML,
    dashboardHtml: () => DASHBOARD_HTML,
    asset: (name) => (Object.hasOwn(assets, name) ? assets[name]!() : undefined),
  };
};
