/**
 * The web dashboard in a real headless Chromium against a live loopback PAPER run with the operations server enabled:
 * the redirect to the login page, a refused and an accepted login, a position row after a fill, the kill switch
 * engaged from the page, and the page at a phone's width. Touches only a temp dir and `artifacts/dashboard*.png`.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { hashPassword } from '../../src/server/passwords.ts';
import { withPage } from '../support/chromium.ts';

// As tests/runtime/loopback.test.ts: replay ×500 on the accelerated clock with widened age limits (one wall
// millisecond of latency is half a second of venue time, and other test files share the two cores). The default exits
// are kept so that a position stays open for a few bars of replay, long enough to be seen; 600 bars outlast the test.
const config = {
  ...loopbackConfig({ speed: 500 }),
  server: { ...demo.config.server, enabled: true, port: 0 },
};

const USER = 'ops';
const PASSWORD = `pw-${randomBytes(9).toString('base64url')}`;
const WAIT_MS = 30_000;
const STRICT_CSP = "default-src 'self'; frame-ancestors 'none'";

// The outermost elements whose box ends right of the viewport (what makes the page scroll sideways), for the message.
const OVERFLOWING = `[...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && !e.closest('.scroll'))
  .filter((e, _, all) => !all.includes(e.parentElement))
  .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '[' + Math.round(e.getBoundingClientRect().right) + ']')`;

describe('web dashboard', () => {
  it('X-OBS-3 X-OBS-4 S2-21 dashboard in headless Chromium: log in, a position appears after a fill, the kill switch engages from the page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-dashboard-'));
    const abort = new AbortController();
    let serverUrl: (url: string | undefined) => void = () => undefined;
    const served = new Promise<string | undefined>((resolve) => (serverUrl = resolve));
    const run = runSession({
      wire: true,
      config, configHash: demo.hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, barLimit: 600, maxWallMs: 55_000,
      signal: abort.signal,
      secrets: loadSecrets({ TW_CONTROL_TOKEN: randomBytes(24).toString('hex'), TW_DASHBOARD_USER: USER, TW_DASHBOARD_PASSWORD_HASH: await hashPassword(PASSWORD) }),
      onOps: (ops) => serverUrl(ops.serverUrl),
    });
    try {
      const url = await Promise.race([served, run.then(() => Promise.reject(new Error('the session ended before its server started')))]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const origin = url!.replace(/\/$/, '');

      await withPage(async ({ page, errors }) => {
        // The pages are served to the browser under a strict policy (no inline script or style, nothing but this
        // origin): a violation is a console error and fails the test. Only documents are touched, never the API.
        await page.route(
          (u) => u.origin === origin,
          async (route) => {
            if (route.request().resourceType() !== 'document') return route.fallback();
            const response = await route.fetch({ maxRedirects: 0 });
            return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
          },
        );
        // Signed out, the dashboard sends the browser to the login page.
        await page.goto(`${origin}/`);
        expect(new URL(page.url()).pathname).toBe('/login');
        // A redirect's target is not routed again, so the login page is loaded once more to get the strict policy.
        const loginPage = await page.goto(`${origin}/login`);
        expect(loginPage?.headers()['content-security-policy']).toBe(STRICT_CSP);

        // A wrong password is refused with a message (the browser logs the 401 as a failed resource: not a page error).
        await page.getByTestId('login-username').fill(USER);
        await page.getByTestId('login-password').fill(`${PASSWORD}-wrong`);
        await page.getByTestId('login-submit').click();
        await page.locator('[data-testid=login-error]:not(:empty)').waitFor({ timeout: WAIT_MS });
        expect(await page.getByTestId('login-error').textContent()).toContain('Wrong user name or password');
        const refusedLogin = errors.filter((e) => !/status of 401/.test(e));
        expect(refusedLogin).toEqual([]);
        const errorsBefore = errors.length;

        await page.getByTestId('login-password').fill(PASSWORD);
        const dashboardPage = page.waitForEvent('response', { predicate: (r) => r.url() === `${origin}/` && r.request().isNavigationRequest(), timeout: WAIT_MS });
        await page.getByTestId('login-submit').click();
        expect((await dashboardPage).headers()['content-security-policy']).toBe(STRICT_CSP);
        await page.waitForURL(`${origin}/`, { timeout: WAIT_MS });
        await page.locator('[data-testid=status-mode]', { hasText: 'PAPER' }).waitFor({ timeout: WAIT_MS });
        await page.locator('[data-testid=feed-state]', { hasText: 'live' }).waitFor({ timeout: WAIT_MS });

        // A fill opens a position: its row appears with the symbol, the quantity as the API's decimal and its protection.
        const position = page.getByTestId('position-row').first();
        await position.waitFor({ timeout: WAIT_MS });
        const symbol = await position.getAttribute('data-symbol');
        expect(symbol).toMatch(/^[A-Z0-9]+$/);
        expect(await position.getByTestId('position-quantity').textContent()).toMatch(/^\d+(\.\d+)?$/);
        expect(await position.getByTestId('position-protected').textContent()).toMatch(/^(yes|NO)$/);
        await page.locator('[data-testid=event-row][data-kind=fill]').first().waitFor({ timeout: WAIT_MS });
        expect(await page.locator('[data-testid=actor-row]').count()).toBeGreaterThan(0);
        expect(await page.locator('[data-testid=connection-chip][data-live=true]').count()).toBeGreaterThan(0);
        mkdirSync('artifacts', { recursive: true });
        await page.screenshot({ path: 'artifacts/dashboard.png', fullPage: true });

        // The kill switch, from the page: a reason, the confirm dialog accepted, then the header shows it.
        expect(await page.getByTestId('status-kill').getAttribute('data-engaged')).toBe('false');
        await page.getByTestId('kill-reason').fill('dashboard test');
        const dialog = page.waitForEvent('dialog', { timeout: WAIT_MS }).then(async (d) => {
          expect(d.type()).toBe('confirm');
          await d.accept();
        });
        await page.getByTestId('kill-button').click();
        await dialog;
        await page.locator('[data-testid=status-kill][data-engaged=true]').waitFor({ timeout: WAIT_MS });
        await page.locator('[data-testid=status-trading][data-on=false]').waitFor({ timeout: WAIT_MS });
        expect(await page.getByTestId('status-trading').textContent()).toBe('OFF');
        expect(await page.getByTestId('status-trading-reasons').textContent()).not.toBe('');
        expect(await page.getByTestId('control-result').textContent()).toMatch(/^kill: done/);

        // At a phone's width the tables scroll inside their panels and the page itself does not overflow.
        await page.setViewportSize({ width: 375, height: 800 });
        await page.waitForFunction('document.documentElement.clientWidth === 375', null, { timeout: WAIT_MS });
        await page.screenshot({ path: 'artifacts/dashboard-phone.png', fullPage: true });
        const overflowing = await page.evaluate<string[]>(OVERFLOWING);
        expect(await page.evaluate<number>('document.documentElement.scrollWidth'), overflowing.join(', ')).toBeLessThanOrEqual(375);

        expect(errors.slice(errorsBefore)).toEqual([]);
      });
    } finally {
      abort.abort();
      await run;
    }
  }, 90_000);
});
