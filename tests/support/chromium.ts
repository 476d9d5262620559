/**
 * Finds a system Chromium and runs a test body against one fresh page of it through playwright-core, collecting page
 * errors and console errors. A missing Chromium fails the test with the fix; it never skips it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

// Tests may read the environment (eslint.config.js exempts tests/**); the tests/support block re-adds the selector
// only as part of its trade-chart rules, so the exemption is restated here for this one read.
// eslint-disable-next-line no-restricted-syntax -- a test-only path override, not a secret (X-SEC-1 covers src/)
const chromiumPathFromEnv = (): string | undefined => process.env['CHROMIUM_PATH'];

/** Returns the Chromium executable to use: `CHROMIUM_PATH` when set, else the first Debian/Ubuntu path present. */
export const chromiumPath = (): string | undefined => {
  const fromEnv = chromiumPathFromEnv();
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return CANDIDATES.find((p) => existsSync(p));
};

/** What a test body receives: the page and the errors seen so far (uncaught page exceptions and console errors). */
export interface PageSession {
  readonly page: Page;
  readonly errors: ReadonlyArray<string>;
}

/** Launches Chromium, runs the body with a new page and closes the browser afterwards, whatever the body did. */
export const withPage = async <T>(fn: (session: PageSession) => Promise<T>): Promise<T> => {
  const executablePath = chromiumPath();
  if (executablePath === undefined || !existsSync(executablePath)) {
    const looked = `CHROMIUM_PATH=${chromiumPathFromEnv() ?? '<unset>'}, ${CANDIDATES.join(', ')}`;
    throw new Error(
      `No Chromium found (looked at ${looked}). The browser tests need one and are never skipped: ` +
        '.ci/run installs it (Debian: apt-get install chromium), or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  // CI runs as root, where Chromium refuses to start with its sandbox.
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    });
    return await fn({ page, errors });
  } finally {
    await browser.close();
  }
};
